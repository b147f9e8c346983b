"""Manifest reading (bad rows reported, not fatal), inference from names and text, section headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.metadata import (
    ManifestEntry,
    heading_of,
    headings,
    infer_doc_type,
    manifest_entry,
    read_manifest,
    title_from_name,
    title_from_text,
    usable_title,
    year_from_text,
)

HEADER = "file,title,doc_type,year,language,source,licence\n"


def _manifest(folder: Path, rows: str, files: tuple[str, ...] = ("a.pdf", "b.pdf", "c.pdf")) -> None:
    for name in files:
        (folder / name).write_bytes(b"%PDF-1.4")
    (folder / "manifest.csv").write_text(HEADER + rows, encoding="utf-8")


def test_manifest_rows(tmp_path: Path) -> None:
    _manifest(tmp_path, 'a.pdf,Rapport genre,rapport,2025,fr,"DEPF, MEF",CC BY\n'
                        "b.pdf,Guide,Étude,,AR,,\n")
    entries, problems = read_manifest(tmp_path)
    assert problems == []
    assert entries["a.pdf"] == ManifestEntry("a.pdf", "Rapport genre", "rapport", 2025, "fr", "DEPF, MEF", "CC BY")
    assert entries["b.pdf"] == ManifestEntry("b.pdf", "Guide", "etude", None, "ar", "", "")


def test_bad_fields_are_reported_by_row_and_field_and_the_rest_applies(tmp_path: Path) -> None:
    _manifest(tmp_path, "a.pdf,Titre A,rapport,20x5,fr,,\n"
                        "b.pdf,Titre B,brochure,2020,fr,,\n"
                        "c.pdf,Titre C,guide,2021,es,,\n"
                        "missing.pdf,Absent,guide,2021,fr,,\n"
                        "a.pdf,Encore A,guide,2022,fr,,\n"
                        ",Sans fichier,guide,2021,fr,,\n")
    entries, problems = read_manifest(tmp_path)
    assert problems == [
        "manifest.csv row 2 (a.pdf): field 'year' '20x5' is not a year; inferred instead",
        "manifest.csv row 3 (b.pdf): field 'doc_type' 'brochure' is not one of guide, loi, rapport, etude, "
        "autre; inferred instead",
        "manifest.csv row 4 (c.pdf): field 'language' 'es' is not one of fr, ar, en; detected instead",
        "manifest.csv row 5: file 'missing.pdf' not found in the corpus",
        "manifest.csv row 6: file 'a.pdf' listed twice; first row kept",
        "manifest.csv row 7: field 'file' is empty; row ignored",
    ]
    assert entries["a.pdf"].year is None and entries["a.pdf"].title == "Titre A"
    assert entries["b.pdf"].doc_type is None and entries["b.pdf"].year == 2020
    assert entries["c.pdf"].language is None and entries["c.pdf"].doc_type == "guide"


def test_manifest_without_file_column_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("name,title\na.pdf,A\n", encoding="utf-8")
    assert read_manifest(tmp_path) == ({}, ["manifest.csv: no 'file' column; ignored"])


def test_no_manifest_is_no_problem(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == ({}, [])


def test_entry_found_by_bare_name_for_a_file_in_a_subfolder() -> None:
    entries = {"rapport.pdf": ManifestEntry("rapport.pdf", title="R")}
    assert manifest_entry(entries, "2025/rapport.pdf") is entries["rapport.pdf"]
    assert manifest_entry(entries, "autre.pdf") is None


@pytest.mark.parametrize(("name", "year"), [
    ("PLF2025_rapport_genre", 2025), ("rapport-2019-2020", 2020), ("loi_130-13", None), ("scan_123456", None),
])
def test_year_from_name(name: str, year: int | None) -> None:
    assert year_from_text(name) == year


@pytest.mark.parametrize(("texts", "doc_type"), [
    (("rapport_budget_genre_plf2025", ""), "rapport"),
    (("note", "Loi organique n° 130-13 relative à la loi de finances"), "loi"),
    (("guide_indicateurs", "Guide de la loi organique"), "guide"),
    (("etude_outils", ""), "etude"), (("x", "Étude sur le genre"), "etude"), (("x", "A study of GRB"), "etude"),
    (("brochure_cebsg", "Organisation du centre"), "autre"),
    (("note_ar", "تقرير الميزانية"), "rapport"),
])
def test_doc_type_from_keywords(texts: tuple[str, str], doc_type: str) -> None:
    assert infer_doc_type(*texts) == doc_type


def test_titles() -> None:
    assert usable_title("Microsoft Word - Rapport genre 2025") == "Rapport genre 2025"
    for junk in (None, "", "Untitled", "rapport_final.docx", "Document", "1"):
        assert usable_title(junk) is None
    pages = ["ROYAUME DU MAROC\nMinistère de l'Economie et des Finances\nRapport sur le budget genre\nTexte."]
    assert title_from_text(pages) == "Rapport sur le budget genre"
    assert title_from_text(["# FAQ BSG\n\nQuestion ?"]) == "FAQ BSG"


def test_working_file_names_are_not_titles_and_cut_cover_titles_are_joined() -> None:
    for draft in ("Microsoft Word - NP PLF 2025 Fr 18.10.2024 12h CM - Copie", "Rapport genre v3", "Note draft",
                  "Rapport 12.05.2023"):
        assert usable_title(draft) is None, draft
    cover = ["Projet de Loi de Finances pour l'année budgétaire 2025\n\nRAPPORT SUR\n\nLES DEPENSES FISCALES\n\nSommaire"]
    assert title_from_text(cover) == "Rapport sur les depenses fiscales"
    assert title_from_text(["", "  "]) is None
    assert title_from_name("sub/guide_indicateurs-genre.pdf") == "guide indicateurs genre"


@pytest.mark.parametrize(("line", "heading"), [
    ("## Quelle est la base juridique ?", "Quelle est la base juridique ?"),
    ("1.2 Les indicateurs de performance", "1.2 Les indicateurs de performance"),
    ("II. Contexte", "II. Contexte"),
    ("3) Objectifs du programme", "3) Objectifs du programme"),
    ("1. مقدمة عامة", "1. مقدمة عامة"),
    ("CADRE MÉTHODOLOGIQUE", "CADRE MÉTHODOLOGIQUE"),
    ("1. Les femmes représentent la moitié de la population.", None),
    ("12 Femmes 345 678", None),
    ("2015 130 145", None),
    ("ÉTAPE | QUESTION", None),
    ("Le budget est voté chaque année", None),
    ("TOTAL 2024 : 12 345 678", None),
])
def test_heading_of(line: str, heading: str | None) -> None:
    assert heading_of(line) == heading


def test_sentence_case_headings_between_paragraphs() -> None:
    text = ("Le rapport regroupe les départements en grands domaines.\nLes secteurs sociaux\n"
            "Pour l'éducation, la santé et la protection sociale, l'analyse porte sur l'égalité d'accès\n"
            "aux services et sur la qualité des prestations reçues.\nOutil\nFinalité\nRapport genre\n"
            "Rendre compte au")
    assert headings(text) == [(57, "Les secteurs sociaux")]
