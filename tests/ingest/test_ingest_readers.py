"""Readers on real files: text per page, type from content, and one clear reason for each unreadable file."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ingest_fixtures import write_docx, write_pdf

from ingest.readers import IngestError, decode_text, read_bytes, read_file, sniff
from tests.support.htmlgen import DEEP_TEXT, nested_divs


def _reason(path: Path) -> str:
    with pytest.raises(IngestError) as caught:
        read_file(path)
    return caught.value.reason


# -- PDF -------------------------------------------------------------------------------------------------------


def test_pdf_text_page_by_page_with_its_title(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", [["Premiere page du rapport"], ["Deuxieme page", "avec deux lignes"]],
                     title="Rapport genre 2025")
    result = read_file(path)
    assert result.kind == "pdf"
    assert len(result.pages) == 2
    assert "Premiere page du rapport" in result.pages[0]
    assert "Deuxieme page" in result.pages[1] and "avec deux lignes" in result.pages[1]
    assert "Deuxieme" not in result.pages[0]
    assert result.title == "Rapport genre 2025"
    assert result.notes == []


def test_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "open.pdf", [["Texte lisible sans mot de passe"]], encrypt_user_password="")
    assert "Texte lisible sans mot de passe" in read_file(path).pages[0]


def test_aes_encrypted_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    pytest.importorskip("cryptography", reason="pypdf needs cryptography for AES")
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(tmp_path / "plain.pdf", [["Chiffrement AES sans mot de passe"]])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    path = tmp_path / "aes.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert "Chiffrement AES" in read_file(path).pages[0]


def test_pdf_with_a_password_is_refused(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "locked.pdf", [["Secret"]], encrypt_user_password="motdepasse")
    assert _reason(path) == "encrypted PDF (password required)"


def test_image_only_pdf_says_ocr_is_not_enabled(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(72, 300, 400, 150, fill=1)
    pdf.showPage()
    pdf.save()
    assert _reason(path).startswith("no extractable text; OCR not enabled")


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    good = write_pdf(tmp_path / "good.pdf", [["Texte"]]).read_bytes()
    path = tmp_path / "broken.pdf"
    path.write_bytes(good[: len(good) // 3])
    assert _reason(path).startswith("corrupt PDF")


def test_pdf_page_without_text_is_noted(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", [["Texte de la premiere page"], []])
    result = read_file(path)
    assert result.pages[1].strip() == ""
    assert result.notes == ["1 of 2 pages have no extractable text (images only?)"]


# -- DOCX, HTML, Markdown, text --------------------------------------------------------------------------------


def test_docx_units_are_sections_and_tables_with_their_heading_path(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Fiche pratique"
    document.add_paragraph("Page de garde")
    document.add_heading("Titre II - Données chiffrées", level=1)
    document.add_paragraph("Les données du projet.")
    document.add_heading("Recettes", level=2)
    document.add_paragraph("Les recettes progressent.")
    grid = document.add_table(rows=3, cols=3)
    for row, values in zip(grid.rows, [["Désignation", "2023", "2024"], ["TVA", "21 190", "15 183"], ["IS", "2 137", "2 843"]]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("Après le tableau.")
    document.add_heading("Dépenses", level=2)
    document.add_paragraph("Les dépenses aussi.")
    path = tmp_path / "fiche.docx"
    document.save(str(path))

    result = read_file(path)
    assert result.kind == "docx" and result.title == "Fiche pratique"
    assert result.labels == ["", "Titre II - Données chiffrées", "Titre II - Données chiffrées › Recettes",
                             "Titre II - Données chiffrées › Recettes › Tableau 1", "Titre II - Données chiffrées › Recettes",
                             "Titre II - Données chiffrées › Dépenses"]
    assert result.pages[1] == "Titre II - Données chiffrées\n\nLes données du projet."
    # every row is its own paragraph, under its column names, so the chunker never cuts one
    assert result.pages[3] == "Désignation: TVA; 2023: 21 190; 2024: 15 183\n\nDésignation: IS; 2023: 2 137; 2024: 2 843"
    assert result.pages[4] == "Après le tableau."


def test_docx_heading_split_over_two_paragraphs_is_one_heading(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Méthode d'évaluation de certaines dépenses fiscales relatives aux", level=3)
    document.add_heading("exonérations de TVA sans droit à déduction", level=3)
    document.add_paragraph("Le texte de la méthode.")
    path = tmp_path / "m.docx"
    document.save(str(path))
    result = read_file(path)
    assert result.labels == ["Méthode d'évaluation de certaines dépenses fiscales relatives aux "
                             "exonérations de TVA sans droit à déduction"]


def test_docx_table_without_header_row_joins_cells(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "sigles.docx", ["Liste des sigles"],
                      table=[["ADII", "Administration des Douanes et Impôts Indirects"], ["IS", "Impôt sur les sociétés"]])
    result = read_file(path)
    assert result.pages[-1] == "ADII | Administration des Douanes et Impôts Indirects\n\nIS | Impôt sur les sociétés"
    assert result.labels[-1] == "Tableau 1"


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Programme"
    table.cell(0, 2).text = "Credits"
    path = tmp_path / "t.docx"
    document.save(str(path))
    assert read_file(path).pages == ["Programme | Credits"]


def test_html_visible_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>BSG au Maroc</title><style>p{color:red}</style></head><body>"
        "<script>var x = 'invisible';</script><h1>Titre   principal</h1><p>Premier\n paragraphe</p>"
        "<div hidden>cache</div><table><tr><td>A</td><td>B</td></tr></table><p>Ligne<br>suivante</p>"
        "</body></html>", encoding="utf-8")
    result = read_file(path)
    assert result.kind == "html" and result.title == "BSG au Maroc"
    text = result.pages[0]
    for seen in ("Titre principal", "Premier paragraphe", "A | B", "Ligne\nsuivante"):
        assert seen in text
    for hidden in ("invisible", "color", "cache"):
        assert hidden not in text


def test_plain_text_pages_split_on_form_feed(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("page un\fpage deux", encoding="utf-8")
    result = read_file(path)
    assert result.kind == "txt" and result.pages == ["page un", "page deux"]


def test_markdown_is_one_page(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text("# FAQ\n\nQuestion ?\n", encoding="utf-8")
    assert read_file(path).pages == ["# FAQ\n\nQuestion ?\n"]


# -- type from content, not name -------------------------------------------------------------------------------


def test_pdf_named_txt_is_read_as_pdf_and_noted(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "x.pdf", [["Contenu PDF mal nomme"]])
    path = tmp_path / "rapport.txt"
    path.write_bytes(pdf.read_bytes())
    result = read_file(path)
    assert result.kind == "pdf" and "Contenu PDF mal nomme" in result.pages[0]
    assert result.notes[0] == "named .txt but is PDF; read as PDF"


def test_docx_named_pdf_is_read_as_docx(tmp_path: Path) -> None:
    docx_path = write_docx(tmp_path / "x.docx", ["Un document Word"])
    path = tmp_path / "guide.pdf"
    path.write_bytes(docx_path.read_bytes())
    result = read_file(path)
    assert result.kind == "docx" and result.pages == ["Un document Word"]
    assert "named .pdf but is Word document (DOCX)" in result.notes[0]


def test_html_named_txt_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("<!DOCTYPE html><html><body><p>Bonjour</p><script>x()</script></body></html>")
    result = read_file(path)
    assert result.kind == "html" and "Bonjour" in result.pages[0] and "x()" not in result.pages[0]


def test_text_named_pdf_is_refused_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_text("<html>404 Not Found</html>")
    reason = _reason(path)
    assert reason.startswith("corrupt PDF") and "plain text" in reason


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("empty.pdf", b"", "empty file"),
    ("empty.txt", b"", "empty file"),
    ("picture.pdf", b"\x89PNG\r\n\x1a\n" + bytes(32), "unsupported type: PNG image"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "unsupported type: legacy Microsoft Office"),
    ("data.csv", b"a,b\n1,2\n", "unsupported type: .csv file (text content)"),
    ("archive.zip", b"PK\x03\x04" + bytes(40), "unsupported type: .zip file (broken ZIP content)"),
    ("broken.docx", b"PK\x03\x04" + bytes(40), "corrupt Word document"),
    ("blank.txt", b"  \n\t\n", "no text (file holds only whitespace)"),
])
def test_unreadable_files_have_a_clear_reason(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert _reason(path).startswith(expected)


def test_excel_workbook_is_named(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "budget.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert _reason(path) == "unsupported type: Excel workbook (XLSX)"


# -- decoding --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_text_encodings(encoding: str) -> None:
    text = "Budgétisation sensible au genre – l’égalité « réelle » entre femmes et hommes."
    assert decode_text(text.encode(encoding)) == text


def test_legacy_encodings_are_read_as_the_corpus_languages_write_them() -> None:
    """Short French text in cp1252 is not read as cp1250 ("à" would be "ŕ"); Arabic in Windows-1256 is read too."""
    french = "Le budget à l'égard des femmes, où l'État prévoit des crédits ; ça coûte très cher à la région."
    arabic = "الميزانية المستجيبة للنوع الاجتماعي في المغرب والمساواة بين النساء والرجال"
    assert decode_text(french.encode("cp1252")) == french and decode_text("ça".encode("cp1252")) == "ça"
    assert decode_text(arabic.encode("cp1256")) == arabic
    assert decode_text(arabic.encode("utf-16-le")) == arabic


def test_utf16_without_bom() -> None:
    text = "Égalité entre les femmes et les hommes"
    assert decode_text(text.encode("utf-16-le")) == text


def test_cp1252_only_when_plausible() -> None:
    garbage = bytes(range(0x80, 0x100)) * 4  # decodes in cp1252 (mostly), but reads as nothing
    with pytest.raises(IngestError) as caught:
        decode_text(garbage.replace(b"\x81", b"").replace(b"\x8d", b"").replace(b"\x8f", b"")
                    .replace(b"\x90", b"").replace(b"\x9d", b""))
    assert caught.value.reason.startswith("cannot decode text")


def test_binary_noise_cannot_be_decoded() -> None:
    with pytest.raises(IngestError) as caught:
        decode_text(bytes([0, 1, 2, 200, 7, 0, 0, 5] * 50))
    assert caught.value.reason.startswith("cannot decode text")


def test_deeply_nested_html_reads_whole(tmp_path: Path) -> None:
    """25,000 nested <div>s (about 1 MB) made the old tree-building reader quadratic: it took minutes."""
    path = tmp_path / "imbrique.html"
    path.write_text(nested_divs(25_000), encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    result = read_file(path)
    text = result.pages[0]
    assert result.kind == "html" and result.title == "Imbrication"
    assert DEEP_TEXT in text and "mot00000" in text and "mot24999" in text


def test_html_doctype_comments_and_pre(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<!DOCTYPE html><html><body><!-- note --><p>Avant</p><pre>  a\n    b</pre>"
                    "<ul><li>un</li><li>deux</li></ul></body></html>", encoding="utf-8")
    text = read_file(path).pages[0]
    assert text.split() == ["Avant", "a", "b", "un", "deux"]
    assert "a\nb" in text and "note" not in text  # <pre> keeps its line breaks


def test_a_zip_bomb_named_docx_is_refused_before_it_is_parsed() -> None:
    """256 MB of XML in a few hundred KB: refused from the sizes its entries declare (python-docx would take
    tens of seconds and gigabytes to parse it), at upload (sniff) as at ingestion."""
    from tests.support.hostile import BOMB_MB, zip_bomb_docx

    bomb = zip_bomb_docx(BOMB_MB)
    with pytest.raises(IngestError, match="zip bomb"):
        read_bytes(bomb, ".docx")
    with pytest.raises(IngestError, match="zip bomb"):
        sniff(bomb, ".docx")


def test_docx_tables_are_cited_by_their_caption(tmp_path: Path) -> None:
    """The caption paragraph before a table names it; a table continued after a running header keeps it; a table
    of contents line naming a table is not a caption, nor is anything before a new heading."""
    import docx

    def table(document, values: list[list[str]]) -> None:
        grid = document.add_table(rows=len(values), cols=len(values[0]))
        for row, cells in zip(grid.rows, values):
            for cell, value in zip(row.cells, cells):
                cell.text = value

    document = docx.Document()
    document.add_paragraph("Tableau 9 : Dépenses par bénéficiaire\t14")  # a contents line
    table(document, [["ADII", "Administration des Douanes"], ["IS", "Impôt sur les sociétés"]])
    document.add_heading("Ventilation", level=1)
    document.add_paragraph("Par secteur, les dépenses se présentent comme suit :")
    document.add_paragraph("Tableau 4: Ventilation des dépenses fiscales par secteur")
    document.add_paragraph("En millions de dirhams")
    table(document, [["Secteur", "Montant"], ["Agriculture", "5 450"]])
    document.add_paragraph("13RAPPORT SUR LES DEPENSES FISCALES")  # the running header between two pages of it
    table(document, [["Secteur", "Montant"], ["Pêche", "1 061"]])
    document.add_heading("Annexe", level=1)
    table(document, [["Code", "Mesure"], ["40.092.05", "Exonération"]])
    path = tmp_path / "rapport.docx"
    document.save(str(path))

    tables = [label for label in read_file(path).labels if "Tableau" in label]
    assert tables == ["Tableau 1",
                      "Ventilation › Tableau 4: Ventilation des dépenses fiscales par secteur",
                      "Ventilation › Tableau 4: Ventilation des dépenses fiscales par secteur",
                      "Annexe › Tableau 4"]
