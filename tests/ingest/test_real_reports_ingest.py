"""The real Word reports (../shared/dev-corpus) read as users cite them: by heading path and table, rows whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.loader import load_corpus
from ingest.readers import read_file


@pytest.fixture(scope="module")
def tax_report(dev_corpus: Path):
    (document,) = load_corpus(dev_corpus, files=[dev_corpus / "rapport-depenses-fiscales-plf-2025.docx"]).documents
    return document


def test_titles_come_from_the_cover_not_the_draft_metadata(dev_corpus: Path) -> None:
    loaded = load_corpus(dev_corpus, files=[dev_corpus / "note-presentation-plf-2025.docx",
                                            dev_corpus / "rapport-depenses-fiscales-plf-2025.docx"])
    titles = {d.file_name: d.title for d in loaded.documents}
    assert titles == {"note-presentation-plf-2025.docx": "Note de presentation",
                      "rapport-depenses-fiscales-plf-2025.docx": "Rapport sur les depenses fiscales"}


def test_word_units_carry_heading_paths(tax_report) -> None:
    labels = [page.label for page in tax_report.pages]
    assert "CHAPITRE I : METHODOLOGIE ET SYSTEME FISCAL DE REFERENCE › SYSTEME FISCAL DE REFERENCE › Taxe sur la valeur ajoutée" in labels
    vat = next(p for p in tax_report.pages if p.label.endswith("Taxe sur la valeur ajoutée › Tableau 4"))
    assert "Taux de référence | 0% ; 10% ; 20%." in vat.text


def test_table_rows_read_column_value_and_are_never_split(tax_report) -> None:
    by_tax = next(p for p in tax_report.pages if p.label.endswith(
        "VENTILATION DES DEPENSES FISCALES PAR TYPE D’IMPOT › Tableau 2: Ventilation des dépenses fiscales par type d’impôt"))
    rows = by_tax.text.split("\n\n")
    # two header rows stacked per column: the year above the measure
    assert rows[0].startswith("Désignation: TVA; 2023 Mesures recensées: 89; 2023 Mesures évaluées: 85; 2023 Montant: 21 190")
    words = lambda text: text.split()  # noqa: E731
    nodes = chunk_document(tax_report, words, chunk_size=120, chunk_overlap=10)
    table_rows = [row for page in tax_report.pages if "Tableau" in page.label for row in page.text.split("\n\n")]
    texts = [node.get_content() for node in nodes]
    for row in table_rows:
        if len(row.split()) < 100:
            assert any(row in text for text in texts), row[:80]


def test_chunks_cite_the_heading_path(tax_report) -> None:
    nodes = chunk_document(tax_report, str.split, chunk_size=200, chunk_overlap=0, context_tokens=40)
    node = next(n for n in nodes if "Tableau 2:" in n.metadata["locator"])
    assert node.metadata["locator"].startswith("CHAPITRE II")
    embedded = node.get_content(metadata_mode="embed")  # type: ignore[arg-type]
    assert embedded.startswith("Rapport sur les depenses fiscales › CHAPITRE II")
    assert not node.get_content().startswith("Rapport sur")  # the quote is the text alone


def test_tables_are_cited_by_their_own_caption(tax_report) -> None:
    """The caption is a plain paragraph before the table; a table split over pages keeps it; a table of contents
    line that names a table is not a caption."""
    tables = [p.label.rsplit(" › ", 1)[-1] for p in tax_report.pages if "Tableau" in p.label]
    assert "Tableau 4: Ventilation des dépenses fiscales par secteur d'activité" in tables
    assert tables.count("Tableau 9: Mesures dérogatoires de la TVA évaluées") >= 5  # one table, a Word table a page
    assert tables[0] == "Tableau 1"  # the abbreviations, after a contents line "Tableau 24 : … \t80"


def test_rows_far_from_the_caption_are_embedded_under_it(tax_report) -> None:
    """A row says "dont Salariés; 2024 Montant: 4 246": only the caption says these are tax expenditures."""
    caption = "Tableau 5: Ventilation des dépenses fiscales par type de bénéficiaire"
    nodes = chunk_document(tax_report, str.split, chunk_size=200, chunk_overlap=0, caption_tokens=20)
    node = next(n for n in nodes if "Bénéficiaires: dont Salariés" in n.get_content() and caption not in n.get_content())
    assert node.metadata["section"] == caption
    assert node.get_content(metadata_mode="embed").startswith(caption)  # type: ignore[arg-type]
    assert node.get_content().startswith("Bénéficiaires")  # the quote is the text alone
    holding = next(n for n in nodes if caption in n.get_content())
    assert caption not in holding.metadata.get("context", "")  # not twice
    plain = chunk_document(tax_report, str.split, chunk_size=200, chunk_overlap=0)
    assert not any("context" in n.metadata for n in plain)
    assert all(len(n.get_content(metadata_mode="embed").split()) <= 200 for n in nodes)  # type: ignore[arg-type]


def test_presentation_note_keeps_its_tables(dev_corpus: Path) -> None:
    result = read_file(dev_corpus / "note-presentation-plf-2025.docx")
    assert sum("Tableau" in label for label in result.labels) == 8
