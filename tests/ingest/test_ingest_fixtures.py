"""Real files for the ingestion tests, written into a test's tmp_path: PDFs drawn with reportlab (Latin and
shaped right-to-left Arabic, as real Arabic PDFs are drawn), Word documents with python-docx.

Named test_* so that it sits with the ingestion tests it serves; it holds no test itself.
"""

from __future__ import annotations

import re
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def visual_arabic(text: str) -> str:
    """Logical Arabic -> the shaped, visually ordered string a PDF draws left to right (no mirroring), by the bidi
    algorithm as browsers apply it: "130-13" after Arabic letters is drawn "13-130"."""
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def write_pdf(path: Path, pages: list[list[str]], title: str | None = None, arabic: bool = False,
              encrypt_user_password: str | None = None) -> Path:
    """One PDF page per list of lines; Arabic lines are shaped, reordered and drawn right-aligned."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    encrypt = None
    if encrypt_user_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(encrypt_user_password, ownerPassword="owner-secret", strength=128)
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    width, height = A4
    for lines in pages:
        pdf.setFont("DejaVuSans", 11)
        y = height - 60
        for line in lines:
            if arabic and re.search(r"[\u0600-\u06FF]", line):
                pdf.drawRightString(width - 60, y, visual_arabic(line))
            else:
                pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None,
               page_break_after: int | None = None, title: str | None = None) -> Path:
    """Paragraphs (an explicit page break after paragraph `page_break_after`), then an optional table."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for index, text in enumerate(paragraphs):
        paragraph = document.add_paragraph(text)
        if index == page_break_after:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table):
            for cell, value in zip(row.cells, values):
                cell.text = value
    document.save(str(path))
    return path
