"""Scanned PDFs: pages of the sample corpus rendered as images into image-only PDFs, then read by Tesseract (real
binary, real language packs), ingested into a real store with the real model, and found by search, in French and
Arabic; with OCR off they are refused as before. Needs `make ocr`."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, scratch_settings

from ingest.cleaning import clean_pages
from ingest.loader import ReadLimits, load_corpus
from ingest.ocr import OcrOptions, installed
from ingest.readers import NO_TEXT, IngestError, read_file

pytestmark = pytest.mark.skipif(not installed(), reason="tesseract not installed (make ocr)")

# Page 1 of each sample document: phrases OCR must recover, and searches that must find them.
FR_SOURCE, FR_PHRASE = "guide_indicateurs_genre.pdf", "Un indicateur de performance mesure le degré"
AR_SOURCE, AR_PHRASE = "note_bsg_maroc_ar.pdf", "النفقة العمومية ليست محايدة"
AR_QUESTION = "هل النفقة العمومية محايدة؟"
AR_SENTENCE = "الميزانية المستجيبة للنوع الاجتماعي مقاربة تهدف إلى تحليل آثار الميزانية العامة"
DISTRACTORS = ("brochure_cebsg.pdf", "etude_outils_bsg.pdf", "faq_bsg.md")


def scan(source: Path, target: Path, pages: list[int], dpi: int = 300) -> Path:
    """An image-only PDF of `source`'s pages (1-based, repeats allowed), as a scanner would make it: no text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(source)
    images = [document[n - 1].render(scale=dpi / 72, grayscale=True).to_pil() for n in pages]
    document.close()
    images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return target


def _flat(text: str) -> str:
    return " ".join(clean_pages([text])[0].split())


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    return {"fr": scan(CORPUS / FR_SOURCE, folder / "scan_fr.pdf", [1]),
            "ar": scan(CORPUS / AR_SOURCE, folder / "scan_ar.pdf", [1])}


def test_a_scan_has_no_text_layer_and_with_ocr_off_is_refused_with_the_old_message(scans: dict[str, Path]) -> None:
    for path in scans.values():
        with pytest.raises(IngestError) as caught:
            read_file(path)
        assert caught.value.reason == NO_TEXT == "no extractable text; OCR not enabled (scanned or image-only PDF)"
    result = load_corpus(scans["fr"].parent, limits=ReadLimits(ocr=None))
    assert result.documents == [] and {r.reason for r in result.rejected} == {NO_TEXT}


def test_french_and_arabic_scans_are_read_by_ocr_arabic_in_logical_order(scans: dict[str, Path]) -> None:
    french = read_file(scans["fr"], OcrOptions())
    assert french.kind == "pdf" and french.ocr_pages == [1] and FR_PHRASE in _flat(french.pages[0])
    assert french.notes == ["page 1: text recognised by OCR"]
    arabic = _flat(read_file(scans["ar"], OcrOptions()).pages[0])
    assert AR_SENTENCE in arabic and AR_PHRASE in arabic  # as typed: a visual-order line would read backwards


def test_a_scan_past_the_files_budget_keeps_the_pages_read_and_names_the_rest(tmp_path: Path) -> None:
    """40 pages cannot be recognised in 15 s (2-15 s a page here): the reader stops in time, nothing is killed."""
    scan(CORPUS / FR_SOURCE, tmp_path / "long_scan.pdf", [1, 2] * 20)
    result = load_corpus(tmp_path, limits=ReadLimits(timeout_s=20, ocr=OcrOptions(languages="fra")))
    assert result.rejected == []
    [document] = result.documents
    read = [page.number for page in document.pages if page.ocr]
    assert read and read == list(range(1, len(read) + 1)) and len(read) < 40
    assert any(f"pages {len(read) + 1}-40: not read by OCR, the file's time budget ran out" in w
               for w in result.warnings), result.warnings


def test_a_page_over_its_own_limit_is_left_out(scans: dict[str, Path]) -> None:
    with pytest.raises(IngestError) as caught:
        read_file(scans["fr"], OcrOptions(page_timeout_s=0.05))
    assert caught.value.reason == "no extractable text, even by OCR (scanned or image-only PDF)"


def test_without_tesseract_the_reason_says_how_to_get_it(scans: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setattr("ingest.ocr.installed", lambda: False)
    with pytest.raises(IngestError) as caught:
        read_file(scans["fr"], OcrOptions())
    assert caught.value.reason == ("no extractable text; OCR not available: tesseract is not installed (`make ocr`) "
                                   "(scanned or image-only PDF)")
    with pytest.raises(IngestError, match="no Tesseract language pack for xyz"):
        monkeypatch.undo()
        read_file(scans["fr"], OcrOptions(languages="xyz"))


def test_a_text_pdf_with_a_blank_page_needs_no_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page with no image has nothing to recognise: Tesseract is not even asked (it may be absent)."""
    from test_ingest_fixtures import write_pdf

    monkeypatch.setattr("ingest.ocr.installed", lambda: False)
    result = read_file(write_pdf(tmp_path / "r.pdf", [["Texte de la premiere page"], []]), OcrOptions())
    assert result.ocr_pages == [] and result.notes == ["1 of 2 pages have no extractable text (images only?)"]


@pytest.mark.slow
def test_scanned_pages_are_found_by_search_marked_ocr_in_the_api_and_the_ui(
        scans: dict[str, Path], tmp_path: Path, embed_model_path: str) -> None:
    from streamlit.testing.v1 import AppTest

    from assistant.services import build_services
    from index.backends.factory import close_backend
    from tests.support.ui_harness import start_api
    from ui.settings import get_ui_settings

    folder = tmp_path / "docs"
    folder.mkdir()
    for path in (*scans.values(), *(CORPUS / name for name in DISTRACTORS)):
        shutil.copy(path, folder)
    settings = scratch_settings(tmp_path / "data", embed_model_path, ocr="off")
    runtime = build_services(settings)
    try:
        report = runtime.indexer.ingest(folder)
        assert {(r.file_name, r.reason) for r in report.rejected} == {("scan_ar.pdf", NO_TEXT), ("scan_fr.pdf", NO_TEXT)}
        settings.ocr = "auto"
        report = runtime.indexer.ingest(folder)
        assert report.rejected == [] and report.documents == len(DISTRACTORS) + 2
        for phrase, name in ((FR_PHRASE, "scan_fr.pdf"), (AR_QUESTION, "scan_ar.pdf")):
            hits = runtime.search.search(phrase, k=5)
            assert (hits[0].file_name, hits[0].ocr) == (name, True), [(h.file_name, h.ocr) for h in hits]
            assert all(not hit.ocr for hit in hits if hit.file_name in DISTRACTORS)
        stored = {d.file_name: d for d in runtime.indexer.documents()}
        assert [p.ocr for p in stored["scan_ar.pdf"].pages] == [True]
        assert not any(p.ocr for name in DISTRACTORS for p in stored[name].pages)
    finally:
        close_backend(settings)

    api = start_api(tmp_path / "api", embed_model_path, index=tmp_path / "data")
    ui_settings = get_ui_settings()
    previous, ui_settings.api_url = ui_settings.api_url, api.url
    try:
        hits = httpx.post(f"{api.url}/search", json={"query": AR_QUESTION, "k": 3}, timeout=120).json()["hits"]
        assert (hits[0]["file_name"], hits[0]["ocr"]) == ("scan_ar.pdf", True)
        at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "ui" / "app.py"), default_timeout=300).run()
        at.switch_page("views/search.py").run()
        at.text_input(key="search-q").input(FR_PHRASE)
        at.get("form_submit_button")[0].click().run()
        assert not at.exception, [e.message for e in at.exception]
        captions = [c.value for c in at.caption if " · p. " in c.value]
        tagged = [c for c in captions if c.endswith(":gray-badge[OCR]")]
        assert captions and tagged and len(tagged) < len(captions), captions  # the scans only
    finally:
        ui_settings.api_url = previous
        api.stop()
