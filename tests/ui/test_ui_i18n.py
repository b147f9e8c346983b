"""The interface's gettext catalogues (ui/locales): complete in French, English and Arabic, compiled as written,
with each language's plural rule."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from ui.i18n import DOMAIN, LANGUAGES, LOCALES, t, tn

PLURAL_RULES = {"fr": 2, "en": 2, "ar": 6}


def _read(path: Path, lang: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=lang)


def _texts(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def catalogues() -> dict[str, dict[str, tuple[str, ...]]]:
    """{lang: {msgid: its text, or its plural forms}}, read from the .po files as a translator leaves them."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for lang in LANGUAGES:
        catalog = _read(LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)
        found[lang] = {m.id[0] if isinstance(m.id, tuple) else m.id: _texts(m) for m in catalog if m.id}
    return found


def test_every_msgid_of_the_template_has_a_french_english_and_arabic_translation() -> None:
    template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _read(LOCALES / f"{DOMAIN}.pot") if m.id}
    assert len(template) > 150
    for lang in LANGUAGES:
        catalog = _read(LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)
        assert catalog.num_plurals == PLURAL_RULES[lang], lang
        messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}
        assert set(messages) == template, (lang, sorted(set(messages) ^ template))
        for key, message in messages.items():
            assert not message.fuzzy, (lang, key)
            texts = _texts(message)
            assert all(text.strip() for text in texts), (lang, key)  # nothing left untranslated
            assert len(texts) == (catalog.num_plurals if message.pluralizable else 1), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogues_say_what_the_po_files_say(lang: str) -> None:
    """The .mo read at run time is the .po compiled (`make i18n`): an edit to a .po without it shows here."""
    folder = LOCALES / lang / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for key, texts in catalogues()[lang].items():
        if len(texts) == 1:
            assert compiled.gettext(key) == texts[0], (lang, key)
        else:
            shown = {compiled.ngettext(key, key, n) for n in range(0, 200)}
            assert shown == set(texts), (lang, key)


def test_labels_are_read_in_the_asked_language() -> None:
    assert t("app.language", "fr") == "Langue de l'interface"
    assert t("app.language", "en") == "Interface language"
    assert t("app.language", "ar") == "لغة الواجهة"
    assert t("source.page_of", "en", n=3, total=12) == "Page 3 of 12"


@pytest.mark.parametrize(("n", "french", "english", "arabic"), [
    (0, "0 document indexé", "0 documents indexed", "لا وثائق مفهرسة"),
    (1, "1 document indexé", "1 document indexed", "وثيقة واحدة مفهرسة"),
    (2, "2 documents indexés", "2 documents indexed", "وثيقتان مفهرستان"),
    (10, "10 documents indexés", "10 documents indexed", "10 وثائق مفهرسة"),
    (11, "11 documents indexés", "11 documents indexed", "11 وثيقة مفهرسة"),
    (102, "102 documents indexés", "102 documents indexed", "102 وثيقة مفهرسة"),
    (105, "105 documents indexés", "105 documents indexed", "105 وثائق مفهرسة"),
])
def test_counts_take_each_language_s_plural_form(n: int, french: str, english: str, arabic: str) -> None:
    """French counts 0 and 1 as singular, English only 1; Arabic has zero, one, two, few (3-10), many (11-99) and
    other (100-102) forms, by the last two digits."""
    assert (tn("api.documents", n, "fr"), tn("api.documents", n, "en"), tn("api.documents", n, "ar")) == (
        french, english, arabic)
