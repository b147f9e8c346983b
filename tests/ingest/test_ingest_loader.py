"""load_corpus on real folders: every bad file turned away with its reason, the good ones loaded and described."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from test_ingest_fixtures import write_docx, write_pdf

from ingest.loader import DEFAULT_MAX_MB, ReadLimits, corpus_files, document_id, file_format, load_corpus
from tests.support.badfiles import ACCEPTED, GOOD_TEXT, make_bad_inputs
from tests.support.readerfaults import misbehaving_read

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "documents"
HEADER = "PROJET DE LOI DE FINANCES POUR L'ANNEE 2025"
TOPICS = ["l'éducation", "la santé", "l'emploi", "l'eau potable"]


def _report_pages() -> list[list[str]]:
    return [[HEADER, f"Le chapitre sur {topic} examine les écarts entre femmes et hommes.",
             f"Pour {topic}, la budgéti-", f"sation sensible au genre concerne {topic}.", f"Page {n}"]
            for n, topic in enumerate(TOPICS, start=1)]


def test_bad_inputs_are_rejected_with_their_reason_and_the_rest_loads(tmp_path: Path) -> None:
    expected = make_bad_inputs(tmp_path)
    seen: list[str] = []
    result = load_corpus(tmp_path, progress=seen.append)
    reasons = {rejected.file_name: rejected.reason for rejected in result.rejected}
    assert set(reasons) == set(expected)
    for name, keyword in expected.items():
        assert keyword in reasons[name], (name, reasons[name])
    assert sorted(document.file_name for document in result.documents) == sorted(ACCEPTED)
    assert sorted(seen) == sorted([*expected, *ACCEPTED])
    good = next(document for document in result.documents if document.file_name == GOOD_TEXT)
    assert good.pages[0].text.startswith("Note de test\n\nUn indicateur sensible au genre")


def test_a_folder_of_documents(tmp_path: Path) -> None:
    write_pdf(tmp_path / "PLF2025_rapport_genre.pdf", _report_pages(), title="Rapport sur le budget genre")
    (tmp_path / "sub").mkdir()
    write_docx(tmp_path / "sub" / "fiche.docx", ["Fiche pratique : analyse genre", "Un texte de fiche."])
    (tmp_path / "faq.md").write_text("# FAQ sur la BSG\n\nQu'est-ce que la BSG ? Une démarche budgétaire.\n")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("caché")
    (tmp_path / "_brouillons").mkdir()
    (tmp_path / "_brouillons" / "y.txt").write_text("brouillon")
    (tmp_path / ".hidden.txt").write_text("caché")
    result = load_corpus(tmp_path)
    assert result.rejected == [] and result.warnings == []
    assert [document.file_name for document in result.documents] == [
        "PLF2025_rapport_genre.pdf", "faq.md", "sub/fiche.docx"]
    assert result.pages == 4 + 1 + 1
    report, faq, fiche = result.documents
    assert (report.title, report.doc_type, report.year, report.language) == (
        "Rapport sur le budget genre", "rapport", 2025, "fr")
    assert [page.number for page in report.pages] == [1, 2, 3, 4]
    assert report.pages[0].text == ("Le chapitre sur l'éducation examine les écarts entre femmes et hommes.\n"
                                    "Pour l'éducation, la budgétisation sensible au genre concerne l'éducation.")
    assert report.doc_id == document_id([page.text for page in report.pages])
    assert report.doc_id == hashlib.sha256("\f".join(p.text for p in report.pages).encode()).hexdigest()[:16]
    assert (faq.title, faq.doc_type, faq.year) == ("FAQ sur la BSG", "autre", None)
    assert fiche.title == "Fiche pratique : analyse genre"


def test_same_content_under_two_names_is_one_document(tmp_path: Path) -> None:
    write_pdf(tmp_path / "guide.pdf", [["Guide des indicateurs sensibles au genre"]])
    shutil.copy(tmp_path / "guide.pdf", tmp_path / "guide_copie.pdf")
    result = load_corpus(tmp_path)
    (document,) = result.documents
    assert document.file_name == "guide.pdf" and document.aliases == ["guide_copie.pdf"]
    assert result.warnings == ["guide_copie.pdf: same content as guide.pdf; kept as an alias"]


def test_manifest_applies_and_bad_rows_are_warnings(tmp_path: Path) -> None:
    write_pdf(tmp_path / "a.pdf", [["Premier document de test sur le budget"]])
    write_pdf(tmp_path / "b.pdf", [["Second document de test sur le budget"]])
    (tmp_path / "manifest.csv").write_text(
        "file,title,doc_type,year,language,source,licence\n"
        "a.pdf,Titre du manifeste,loi,2015,ar,Source A,CC BY\n"
        "b.pdf,Titre B,guide,deux mille,fr,,\n", encoding="utf-8")
    result = load_corpus(tmp_path)
    assert [document.file_name for document in result.documents] == ["a.pdf", "b.pdf"]  # not the manifest
    first, second = result.documents
    assert (first.title, first.doc_type, first.year, first.language, first.source, first.licence) == (
        "Titre du manifeste", "loi", 2015, "ar", "Source A", "CC BY")
    assert (second.title, second.doc_type, second.year) == ("Titre B", "guide", None)
    assert result.warnings == ["manifest.csv row 3 (b.pdf): field 'year' 'deux mille' is not a year; inferred instead"]


def test_selected_files_and_missing_ones(tmp_path: Path) -> None:
    write_pdf(tmp_path / "a.pdf", [["Premier document"]])
    write_pdf(tmp_path / "b.pdf", [["Second document"]])
    result = load_corpus(tmp_path, files=[Path("b.pdf"), tmp_path / "absent.pdf"])
    assert [document.file_name for document in result.documents] == ["b.pdf"]
    assert [(rejected.file_name, rejected.reason) for rejected in result.rejected] == [("absent.pdf", "file not found")]


def test_wrong_extension_is_loaded_with_a_warning(tmp_path: Path) -> None:
    write_pdf(tmp_path / "x.pdf", [["Un vrai PDF mal nommé"]]).rename(tmp_path / "note.txt")
    result = load_corpus(tmp_path)
    assert [document.file_name for document in result.documents] == ["note.txt"]
    assert result.warnings == ["note.txt: named .txt but is PDF; read as PDF"]


def test_an_unexpected_reader_failure_costs_one_file(tmp_path: Path) -> None:
    (tmp_path / "a_boom.txt").write_text("Un premier texte assez long pour être lu.")
    (tmp_path / "b.txt").write_text("Un second texte assez long pour être lu.")
    result = load_corpus(tmp_path, limits=ReadLimits(reader=misbehaving_read))
    assert [document.file_name for document in result.documents] == ["b.txt"]
    assert [(r.file_name, r.reason) for r in result.rejected] == [("a_boom.txt", "unexpected error (RuntimeError: boom)")]


def test_a_file_over_the_time_budget_is_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    for name in ("a.txt", "b_slow.txt", "c.txt", "d_slow.txt", "e_crash.txt", "f.txt"):
        (tmp_path / name).write_text(f"Le fichier {name} contient un texte assez long pour être lu.")
    result = load_corpus(tmp_path, limits=ReadLimits(timeout_s=1.5, reader=misbehaving_read))
    assert [document.file_name for document in result.documents] == ["a.txt", "c.txt", "f.txt"]
    assert [(r.file_name, r.reason) for r in result.rejected] == [
        ("b_slow.txt", "timed out after 1.5 s"), ("d_slow.txt", "timed out after 1.5 s"),
        ("e_crash.txt", "reader process died (exit code 3)")]


def test_a_file_too_large_for_its_format_is_refused_before_reading(tmp_path: Path) -> None:
    page = "<!DOCTYPE html><html><body><p>" + "mot " * 300_000 + "</p></body></html>"  # 1.2 MB
    (tmp_path / "page.txt").write_text(page)  # HTML by content: the HTML limit applies, not the text one
    (tmp_path / "note.txt").write_text("mot " * 300_000)
    result = load_corpus(tmp_path, limits=ReadLimits(max_mb={"html": 1, "text": 2}))
    assert [document.file_name for document in result.documents] == ["note.txt"]
    assert [(r.file_name, r.reason) for r in result.rejected] == [
        ("page.txt", "too large for HTML: 1.1 MB (limit 1 MB)")]


def test_file_format_for_size_limits() -> None:
    assert file_format(b"%PDF-1.7\n", ".txt") == "pdf"
    assert file_format(b"PK\x03\x04rest", ".pdf") == "docx"
    assert file_format(b"<!doctype html><p>x", "") == "html"
    assert file_format(b"<p>x</p>", ".htm") == "html"
    assert file_format(b"# Titre", ".md") == "text"


def test_corpus_files_skips_manifest_hidden_and_private(tmp_path: Path) -> None:
    for name in ("a.pdf", "manifest.csv", ".b.pdf", "_c.pdf", "d/.e.pdf", "_f/g.pdf", "h/i.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [path.relative_to(tmp_path).as_posix() for path in corpus_files(tmp_path)] == ["a.pdf", "h/i.md"]


@pytest.mark.skipif(not (CORPUS / "manifest.csv").is_file(), reason="sample corpus not built")
def test_sample_corpus_loads_whole_and_matches_its_sources() -> None:
    from corpus.build_samples import source_pages

    result = load_corpus(CORPUS)
    assert result.rejected == [] and result.warnings == []
    for document in result.documents:
        if not document.file_name.endswith(".pdf"):
            continue
        expected = source_pages(Path(document.file_name).stem)
        assert [" ".join(p.text.replace("•", " ").split()) for p in document.pages] == [
            " ".join(text.split()) for text in expected], document.file_name


def test_a_missing_corpus_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="corpus folder not found"):
        load_corpus(tmp_path / "absent")


def test_ingest_limits_come_from_the_settings() -> None:
    from core.settings import Settings
    from index.indexer import read_limits

    assert read_limits(Settings()) == ReadLimits()  # the defaults agree
    limits = read_limits(Settings(max_html_mb=3, parse_timeout_s=7))
    assert limits.max_mb["html"] == 3 and limits.max_mb["pdf"] == DEFAULT_MAX_MB["pdf"] and limits.timeout_s == 7


def test_a_worker_killed_between_files_is_replaced(tmp_path: Path) -> None:
    import os
    import signal

    from ingest.worker import WorkerReader

    path = tmp_path / "a.txt"
    path.write_text("Un texte assez long pour être lu.")
    with WorkerReader(timeout_s=30) as worker:
        assert worker.read(path).pages == ["Un texte assez long pour être lu."]
        os.kill(worker._process.pid, signal.SIGKILL)  # type: ignore[union-attr]
        worker._process.join()  # type: ignore[union-attr]
        assert worker.read(path).pages == ["Un texte assez long pour être lu."]
