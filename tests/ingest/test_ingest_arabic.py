"""Shaped, visually ordered Arabic back to logical text: on strings, on a real PDF, and on the corpus note."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_ingest_fixtures import visual_arabic, write_pdf

from ingest.arabic import fix_arabic_text, has_presentation_forms, is_visual_line, unshape, visual_to_logical
from ingest.loader import load_corpus
from ingest.readers import read_file

SENTENCES = [
    "صدر القانون التنظيمي رقم 130-13 لقانون المالية سنة 2015",
    "اعتمدت الميزانية المستجيبة للنوع الاجتماعي منذ 2002 في المغرب.",
    "لا يمكن تحقيق المساواة (بين النساء والرجال) إلا بالإرادة",
    "تقرير الميزانية من منظور النوع: 25% من النفقات",
    "البرنامج PNUD و ONU Femmes سنة 2019",
    "برنامج الأمم المتحدة (PNUD) للتنمية: المرحلة 2",
    "بلغت النسبة 12,5 في المائة سنة 2024؛ مقابل 10 في 2023",
    "مؤشر «نسبة الإدماج» حسب الجنس",
]
CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "documents"


def _words(text: str) -> str:
    """Whitespace and list bullets do not survive a PDF the same way; the words and their order must."""
    return " ".join(text.replace("•", " ").split())


@pytest.mark.parametrize("sentence", SENTENCES)
def test_visual_line_back_to_logical(sentence: str) -> None:
    visual = visual_arabic(sentence)
    assert has_presentation_forms(visual) and is_visual_line(visual)
    assert fix_arabic_text(visual) == sentence


def test_brackets_drawn_mirrored_are_mirrored_back() -> None:
    """Real renderers draw '(' of a right-to-left run as the ')' glyph; python-bidi does not."""
    sentence = "لا يمكن تحقيق المساواة (بين النساء والرجال) إلا بالإرادة"
    mirrored = visual_arabic(sentence).translate(str.maketrans("()", ")("))
    assert fix_arabic_text(mirrored) == sentence
    assert visual_to_logical(mirrored, mirror=True) != visual_to_logical(mirrored, mirror=False)


def test_quotation_across_two_lines_keeps_its_marks() -> None:
    lines = ["إن مؤشرا من قبيل «عدد", "المتدربين» يقيس نشاطا. أما مؤشر «نسبة الإدماج"]
    visual = "\n".join(visual_arabic(line) for line in lines)
    assert fix_arabic_text(visual) == "\n".join(lines)


def test_lam_alef_ligature_becomes_two_letters_in_order() -> None:
    sentence = "لا يمكن تحقيق المساواة إلا بالإرادة"
    visual = visual_arabic(sentence)
    assert "\ufefb" in visual and "\ufef9" in visual  # the ligature glyphs are there...
    assert fix_arabic_text(visual) == sentence  # ...and read lam then alef


def test_one_word_line_follows_the_other_lines() -> None:
    lines = ["اعتمدت الميزانية المستجيبة للنوع الاجتماعي في", "ﻭ"]
    visual = "\n".join(visual_arabic(line) for line in lines)
    assert fix_arabic_text(visual) == "اعتمدت الميزانية المستجيبة للنوع الاجتماعي في\nو"


def test_correctly_ordered_text_is_not_touched() -> None:
    logical = "الميزانية المستجيبة للنوع الاجتماعي منذ 2002"
    assert fix_arabic_text(logical) == logical  # base letters: nothing to do
    french = "Budget 2025 : 130-13 (LOF)"
    assert fix_arabic_text(french) == french
    import arabic_reshaper

    shaped_logical = arabic_reshaper.reshape(logical)  # shaped but already in logical order
    assert not is_visual_line(shaped_logical)
    assert fix_arabic_text(shaped_logical) == logical


def test_unshape_only_touches_presentation_forms() -> None:
    assert unshape("ﺍﻟﻤﻐﺮﺏ x²") == "المغرب x²"


def test_shaped_pdf_extracts_in_logical_order(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "note_ar.pdf", [SENTENCES[:4], ["Une ligne en français 2025", *SENTENCES[4:]]],
                     arabic=True)
    result = read_file(path)
    assert [_words(page) for page in result.pages] == [
        _words("\n".join(SENTENCES[:4])), _words("\n".join(["Une ligne en français 2025", *SENTENCES[4:]]))]
    assert "2002" in result.pages[0] and "2015" in result.pages[0] and "130-13" in result.pages[0]


@pytest.mark.skipif(not (CORPUS / "note_bsg_maroc_ar.pdf").is_file(), reason="sample corpus not built")
def test_corpus_arabic_note_matches_its_source() -> None:
    from corpus.build_samples import source_pages

    loaded = load_corpus(CORPUS, files=[CORPUS / "note_bsg_maroc_ar.pdf"])
    assert not loaded.rejected
    (document,) = loaded.documents
    expected = source_pages("note_bsg_maroc_ar")
    assert [_words(page.text) for page in document.pages] == [_words(text) for text in expected]
    text = " ".join(page.text for page in document.pages)
    for number in ("2002", "2005", "2014", "2015", "130-13"):
        assert number in text
    assert not has_presentation_forms(text)


# --- a PDF made by another tool chain: Chromium (Skia + HarfBuzz) prints an Arabic HTML page ---------------------


def _chromium_pdf(tmp_path: Path, pages: list[str]) -> Path:
    """The pages as one right-to-left HTML page (one printed page each), printed by headless Chromium: real shaping,
    the real bidi algorithm (no python-bidi, no reportlab), as Arabic PDFs from a browser or office suite are."""
    import html

    from assistant.user_jobs.brief_pdf import print_pdf

    body = "".join(
        '<section style="break-after: page">' + "".join(f"<p>{html.escape(line)}</p>" for line in page.split("\n"))
        + "</section>" for page in pages)
    page = ('<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>body{font-family:'
            f'"Noto Naskh Arabic","Noto Sans",serif;font-size:12pt}}</style></head><body>{body}</body></html>')
    path = tmp_path / "chromium_ar.pdf"
    path.write_bytes(print_pdf(page))
    return path


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (make browser)")
def test_chromium_printed_arabic_reads_back_as_its_source(tmp_path: Path) -> None:
    """Every sentence above, then the corpus note's whole source text (French line, numbers, brackets, "130-13",
    quotes and lines wrapped by the browser), read back by the PDF reader in logical order, word for word."""
    from corpus.build_samples import source_pages

    note = source_pages("note_bsg_maroc_ar")
    path = _chromium_pdf(tmp_path, ["\n".join(SENTENCES), *note])
    assert has_presentation_forms(PdfReader(path).pages[0].extract_text())  # Chromium draws shaped glyphs
    loaded = load_corpus(tmp_path, files=[path])
    assert not loaded.rejected
    (document,) = loaded.documents
    text = _words(" ".join(page.text for page in document.pages))
    assert text == _words(" ".join(["\n".join(SENTENCES), *note]))
    assert not has_presentation_forms(text) and "130-13" in text and "12,5" in text and "(PNUD)" in text
