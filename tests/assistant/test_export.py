"""The researcher's export: documents with their cited pages as CSV, BibTeX (parsed back) and RIS."""

from __future__ import annotations

import csv
import io
import re

import pytest

from assistant.user_jobs.export import UnknownReference, export, resolve

# One BibTeX entry: @type{key, field = {value}, ...}; values hold no unescaped braces (the exporter escapes them).
ENTRY = re.compile(r"@(\w+)\{([^,\s]+),\n(.*?)\n\}", re.DOTALL)
FIELD = re.compile(r"^\s*(\w+) = \{((?:[^{}\\]|\\.)*)\},?$", re.MULTILINE)


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    entries = []
    for kind, key, body in ENTRY.findall(text):
        fields = {name: re.sub(r"\\(.)", r"\1", value) for name, value in FIELD.findall(body)}
        assert len(fields) == body.count(" = {"), body  # every field line parsed
        entries.append((kind, key, fields))
    return entries


@pytest.fixture(scope="module")
def ids(corpus_runtime) -> dict[str, str]:
    return {d.file_name: d.doc_id for d in corpus_runtime.indexer.documents()}


def test_bibtex_entries_parse_back_with_title_year_and_cited_pages(corpus_runtime, ids: dict[str, str]) -> None:
    guide, fiche = ids["guide_indicateurs_genre.pdf"], ids["fiche_analyse_genre_programme.docx"]
    cited = resolve(corpus_runtime.indexer, [f"{guide}@2", f"{guide}@4", f"{guide}@2", f"{fiche}@6",
                                             ids["rapport_budget_genre_plf2025.pdf"]])
    entries = parse_bibtex(export(cited, "bib"))
    assert [kind for kind, _, _ in entries] == ["manual", "manual", "techreport"]
    _, key, fields = entries[0]
    assert key == f"guide2026{guide[:4]}"
    assert fields["title"] == "Guide pratique : rédiger des indicateurs de performance sensibles au genre"
    assert fields["year"] == "2026" and fields["pages"] == "2, 4" and fields["langid"] == "french"
    assert fields["howpublished"] == "guide_indicateurs_genre.pdf"
    assert "§ 6 Étape 4 : formuler des objectifs et des indicateurs" in entries[1][2]["note"]
    assert "pages" not in entries[2][2] and entries[2][2]["institution"].startswith("Projet Mizan")
    assert len({key for _, key, _ in entries}) == 3


def test_csv_and_ris_carry_the_same_references(corpus_runtime, ids: dict[str, str]) -> None:
    note = ids["note_bsg_maroc_ar.pdf"]
    cited = resolve(corpus_runtime.indexer, [f"{note}@2", f"{note}@3"])
    rows = list(csv.DictReader(io.StringIO(export(cited, "csv"))))
    assert len(rows) == 1 and rows[0]["doc_id"] == note and rows[0]["pages"] == "2 3" and rows[0]["language"] == "ar"
    ris = export(cited, "ris")
    assert ris.startswith("TY  - GEN\nTI  - ورقة موجزة") and "SP  - 2\nEP  - 3\n" in ris and ris.endswith("ER  - \n")


@pytest.mark.parametrize("reference", ["not-an-id", "0000000000000000", "{guide}@99"])
def test_a_bad_reference_is_refused_with_its_reason(corpus_runtime, ids: dict[str, str], reference: str) -> None:
    with pytest.raises(UnknownReference):
        resolve(corpus_runtime.indexer, [reference.format(guide=ids["guide_indicateurs_genre.pdf"])])
