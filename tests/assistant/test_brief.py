"""Delegation briefs on the sample corpus: 5-8 bullets per topic, each quote on the page its citation names."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import CORPUS

from assistant.user_jobs.brief import TOPICS, Brief, BriefService
from ingest.loader import load_corpus


@pytest.fixture(scope="module")
def service(corpus_runtime) -> BriefService:
    return BriefService(corpus_runtime.search)


@pytest.fixture(scope="module")
def loaded_pages() -> dict[tuple[str, int], str]:
    return {(d.file_name, p.number): p.text for d in load_corpus(CORPUS).documents for p in d.pages}


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def assert_well_cited(brief: Brief, corpus_runtime, loaded_pages: dict[tuple[str, int], str]) -> None:
    for bullet in brief.bullets:
        c = bullet.citation
        assert c.n == bullet.n and c.quote == bullet.quote
        indexed = next(p.text for p in corpus_runtime.indexer.document(c.doc_id).pages if p.number == c.page)
        assert c.quote_span is not None and _words(indexed[c.quote_span[0]:c.quote_span[1]]) == _words(c.quote)
        assert _words(c.quote) in _words(loaded_pages[(c.file, c.page)])  # the file itself, read afresh


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_gets_five_to_eight_bullets_quoted_from_their_pages(
    service: BriefService, corpus_runtime, loaded_pages: dict[tuple[str, int], str], topic: str,
) -> None:
    brief = service.brief(topic, "en")  # type: ignore[arg-type]
    assert 5 <= len(brief.bullets) <= 8, brief.markdown
    assert_well_cited(brief, corpus_runtime, loaded_pages)
    assert len({_words(b.quote) for b in brief.bullets}) == len(brief.bullets)


def test_dated_bullets_come_first_in_time_order_and_foreign_quotes_are_marked(service: BriefService) -> None:
    brief = service.brief("gender_report", "en")
    years = [b.year for b in brief.bullets]
    dated = [y for y in years if y is not None]
    assert dated and years[:len(dated)] == sorted(dated)
    for bullet in brief.bullets:
        assert (bullet.language_note == "") == (bullet.quote_language == "en")
        if bullet.quote_language == "fr":
            assert bullet.language_note == "quoted in French"


def test_the_markdown_has_the_readers_labels_and_every_quote_as_written(service: BriefService) -> None:
    brief = service.brief("legal_basis", "ar")
    assert brief.title.startswith("مذكرة للوفود — الأساس القانوني")
    assert "## المصادر" in brief.markdown and "(مقتبس بالفرنسية)" in brief.markdown
    for bullet in brief.bullets:
        assert f"«{bullet.quote}»" in brief.markdown
        assert f"[{bullet.n}] {bullet.citation.title} — {bullet.citation.file}" in brief.markdown
    french = service.brief("lessons", "fr")
    assert french.title == "Note de délégation — Enseignements" and "## Sources" in french.markdown
