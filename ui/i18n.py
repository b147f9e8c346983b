"""Every word the interface writes, in French, English and Arabic: gettext catalogues in ui/locales/.

`t(key, **values)` reads the session's interface language; `tn(key, n, **values)` also picks the plural form for the
count `n` by each language's own rule (Arabic has six). The msgids are keys ("search.submit"): one `.po` per
language holds every label (ui/locales/<lang>/LC_MESSAGES/ui.po, edited with any translators' tool), and the
compiled `.mo` beside it is what is read (`make i18n` compiles them again; a test checks both agree). Answers are
not translated here: the API writes them in the question's language, and quotes stay in their source's language.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from ui.settings import get_ui_settings

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")
DEFAULT_LANGUAGE = "fr"  # a label missing in a language falls back to French (the interface starts in MIZAN_UI_LANGUAGE)
LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "ui"
RTL_LANGUAGES = frozenset({"ar"})
LANG_KEY = "lang"  # the language switch's widget key, also its query parameter (?lang=ar)
LANG_STATE = "ui_language"  # the chosen language as plain session state: widget state does not outlive page switches

# Each language's own name, for the switch (a reader finds their language whatever the current one is).
ENDONYMS = {"fr": "Français", "en": "English", "ar": "العربية"}


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang`, read once per process, falling back to the French one for a missing label."""
    return gettext.translation(DOMAIN, LOCALES, languages=[lang, DEFAULT_LANGUAGE])


# Questions a first visitor can run with one click (assistant page in the interface language; the Discover page
# shows all three languages, since a delegation may want to see the answer in any of them).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "fr": (
        "Comment formuler un indicateur sensible au genre pour un programme ?",
        "Qu'apporte la LOF n° 130-13 à la prise en compte du genre ?",
        "Qu'est-ce que le rapport sur le budget sensible au genre ?",
    ),
    "en": (
        "When did Morocco start gender-responsive budgeting?",
        "What does organic law 130-13 require of ministries' performance programmes?",
        "How is the Centre of Excellence for gender-responsive budgeting organised?",
    ),
    "ar": (
        "ما هو دور مركز التميز لميزانية النوع الاجتماعي؟",
        "متى بدأ المغرب اعتماد الميزانية المستجيبة للنوع الاجتماعي؟",
        "ما هو التقرير حول الميزانية المستجيبة للنوع الاجتماعي؟",
    ),
}


def current_language() -> str:
    """The visitor's choice, else the deployment's (MIZAN_UI_LANGUAGE)."""
    lang = st.session_state.get(LANG_STATE)
    return lang if lang in LANGUAGES else get_ui_settings().ui_language


def is_rtl(lang: str | None = None) -> bool:
    return (lang or current_language()) in RTL_LANGUAGES


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The label `key` in `lang` (default: the interface language), with `{name}` placeholders filled."""
    text = catalogue(lang or current_language()).gettext(key)
    return text.format(**values) if values else text


def tn(key: str, n: int, lang: str | None = None, **values: Any) -> str:
    """The label `key` in the plural form for `n` ("1 document", "2 documents"; Arabic's six forms), filled with `n`
    and `values`."""
    return catalogue(lang or current_language()).ngettext(key, key, n).format(n=n, **values)


def label_or(key: str, value: str, lang: str | None = None) -> str:
    """A value's label when the catalogue has one (gettext answers an unknown msgid with itself), else the value."""
    text = t(key, lang)
    return value if text == key else text


def doc_type_label(doc_type: str, lang: str | None = None) -> str:
    return label_or(f"doc_type.{doc_type}", doc_type, lang)


def language_label(code: str, lang: str | None = None) -> str:
    return label_or(f"language.{code}", code, lang)


def labels_for(prefix: str, values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """{value: label} in the current language, read now: a widget's format_func may be called after the run."""
    lang = current_language()
    return {v: label_or(f"{prefix}.{v}", v, lang) for v in values}
