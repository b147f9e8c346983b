"""The delegation brief as a PDF (FR, EN, AR), read back by our own PDF reader: every quote comes back word for word
and in logical order (Arabic shaped and drawn right to left), with its citation's file and page."""

from __future__ import annotations

import io
import shutil
import unicodedata

import pytest
from pypdf import PdfReader

from assistant.user_jobs.brief import BriefService
from assistant.user_jobs.brief_pdf import brief_html, brief_pdf, source_line
from ingest.arabic import has_presentation_forms
from ingest.readers import read_bytes

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None,
                                reason="Debian's chromium is not installed (make browser)")


@pytest.fixture(scope="module")
def service(corpus_runtime) -> BriefService:
    return BriefService(corpus_runtime.search)


def _words(text: str) -> str:
    """NFKC: the browser draws "fi" as one ligature glyph, which reads back as U+FB01."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize(("topic", "language"), [("lessons", "fr"), ("gender_report", "en"), ("legal_basis", "ar")])
def test_the_pdf_holds_every_quote_in_reading_order_with_its_source(
    service: BriefService, topic: str, language: str,
) -> None:
    brief = service.brief(topic, language)  # type: ignore[arg-type]
    assert 5 <= len(brief.bullets) <= 8
    pdf = brief_pdf(brief)
    assert pdf.startswith(b"%PDF")
    read = read_bytes(pdf, ".pdf")
    text = _words(" ".join(read.pages))
    assert _words(brief.title) in text
    for bullet in brief.bullets:
        c = bullet.citation
        assert _words(bullet.quote) in text, (bullet.quote, text)
        assert _words(f"[{bullet.n}] {source_line(c.file, c.page, c.locator)}") in text, (bullet.n, text)
        assert _words(c.title) in text
    if language == "ar":
        raw = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert has_presentation_forms(raw)  # shaped glyphs, drawn right to left, read back in logical order
        assert not has_presentation_forms(text) and "المصادر" in text
        assert any(b.quote_language == "ar" for b in brief.bullets)


def test_the_page_is_right_to_left_for_arabic_and_escapes_the_documents_text(service: BriefService) -> None:
    brief = service.brief("tools", "ar")
    page = brief_html(brief)
    assert page.startswith('<!doctype html><html lang="ar" dir="rtl">')
    tricky = brief.model_copy(update={"title": "<script>alert(1)</script> & co"})
    assert "<script>" not in brief_html(tricky) and "&lt;script&gt;" in brief_html(tricky)
    assert 'dir="ltr"' in brief_html(service.brief("tools", "fr"))
