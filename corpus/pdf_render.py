"""Draw a parsed source as a PDF with reportlab: embedded DejaVu fonts, one PDF page per source page.

Arabic is drawn the way real Arabic PDFs are: shaped into presentation forms (arabic-reshaper) and put
in visual order (python-bidi), line by line, right-aligned. Lines are wrapped in logical order *before*
reordering, otherwise the first visual line would carry the end of the sentence.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from corpus.markup import HYPHEN_MARK, Block, Source

rl_config.invariant = 1  # fixed dates and document id: rebuilding gives the same bytes

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")

PAGE_W, PAGE_H = A4
MARGIN = 2.2 * cm


def register_fonts() -> None:
    """Embedded TrueType fonts: the base-14 PDF fonts have neither Arabic nor reliable accents."""
    for name, file in FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans-Oblique")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-BoldOblique")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="DejaVuSans", fontSize=10, leading=14.2, alignment=TA_JUSTIFY,
                          spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName="DejaVuSans-Bold", fontSize=16, leading=21,
                                alignment=TA_LEFT, spaceAfter=8),
        "note": ParagraphStyle("note", parent=base, fontName="DejaVuSans-Oblique", fontSize=8.5, leading=11,
                               textColor=colors.HexColor("#555555"), alignment=TA_LEFT, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=base, fontName="DejaVuSans-Bold", fontSize=12.5, leading=16,
                                  alignment=TA_LEFT, spaceBefore=8, spaceAfter=5),
        "subheading": ParagraphStyle("subheading", parent=base, fontName="DejaVuSans-Bold", fontSize=10.5,
                                     leading=14, alignment=TA_LEFT, spaceBefore=5, spaceAfter=3),
        "para": base,
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=14, bulletIndent=3, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.6, leading=11, alignment=TA_LEFT, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName="DejaVuSans-Bold", fontSize=8.6,
                                    leading=11, alignment=TA_LEFT, spaceAfter=0),
    }


def _markup(text: str) -> str:
    """Paragraph markup; a hyphenation mark becomes a hyphen plus a forced line break."""
    return escape(text).replace(escape(HYPHEN_MARK), "-<br/>")


def visual_arabic(text: str) -> str:
    """Logical Arabic (with digits) to the shaped, visually ordered string a PDF draws left to right, as browsers and
    office suites draw it (the bidi algorithm as it is: "130-13" after Arabic letters is drawn "13-130")."""
    return get_display(arabic_reshaper.reshape(text), base_dir="R")


class RtlLine(Flowable):
    """One already-wrapped right-to-left line, drawn right-aligned."""

    def __init__(self, text: str, font: str, size: float, leading: float, space_after: float = 0) -> None:
        super().__init__()
        self.visual, self.font, self.size, self.leading = visual_arabic(text), font, size, leading
        self.space_after = space_after

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.leading + self.space_after

    def draw(self) -> None:
        self.canv.setFont(self.font, self.size)
        self.canv.drawRightString(self.width, self.space_after + self.leading * 0.25, self.visual)


def _rtl_lines(text: str, style: ParagraphStyle, width: float, bullet: bool) -> list[Flowable]:
    # DejaVu's oblique faces have no Arabic glyphs: Arabic is always upright
    font = "DejaVuSans-Bold" if "Bold" in style.fontName else "DejaVuSans"
    words = text.replace(HYPHEN_MARK, "").split()
    prefix = "• " if bullet else ""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(visual_arabic(prefix + candidate), font,
                                              style.fontSize) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    out: list[Flowable] = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        shown = (prefix if i == 0 else "") + line
        out.append(RtlLine(shown, font, style.fontSize, style.leading,
                           style.spaceAfter if last else 0))
    if style.spaceBefore:
        out.insert(0, Spacer(1, style.spaceBefore))
    return out


def _table(block: Block, styles: dict[str, ParagraphStyle], width: float) -> Table:
    ncols = max(len(row) for row in block.rows)
    data = [
        [Paragraph(_markup(cell), styles["cell_head" if r == 0 else "cell"]) for cell in row]
        + [""] * (ncols - len(row))
        for r, row in enumerate(block.rows)
    ]
    first = width * 0.24 if ncols > 2 else width * 0.32
    col_widths = [first] + [(width - first) / (ncols - 1)] * (ncols - 1)
    table = Table(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    table.spaceAfter = 8
    return table


def _flowables(source: Source) -> list[Flowable]:
    styles = _styles()
    width = PAGE_W - 2 * MARGIN
    story: list[Flowable] = []
    for index, page in enumerate(source.pages):
        if index:
            story.append(PageBreak())
        for block in page:
            if block.kind == "table":
                story.append(_table(block, styles, width))
                continue
            style = styles[block.kind]
            if ARABIC.search(block.text):
                story.extend(_rtl_lines(block.text, style, width, block.kind == "bullet"))
            elif block.kind == "bullet":
                story.append(Paragraph(_markup(block.text), style, bulletText="•"))
            else:
                story.append(Paragraph(_markup(block.text), style))
    return story


def _decorate(source: Source) -> Callable[..., None]:
    """onPage callback: running header and footer, when the source asks for them."""
    header, footer, total = source.meta.get("header", ""), source.meta.get("footer", ""), len(source.pages)

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("DejaVuSans", 8)
        canvas.setFillColor(colors.HexColor("#444444"))
        if header:
            canvas.drawCentredString(PAGE_W / 2, PAGE_H - 1.3 * cm, header)
            canvas.setLineWidth(0.4)
            canvas.line(MARGIN, PAGE_H - 1.45 * cm, PAGE_W - MARGIN, PAGE_H - 1.45 * cm)
        if footer:
            text = footer.replace("{page}", str(doc.page)).replace("{pages}", str(total))
            canvas.drawCentredString(PAGE_W / 2, 1.2 * cm, text)
        canvas.restoreState()

    return on_page


def render_pdf(source: Source) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=source.title, author=source.meta["source"], subject=source.meta["doc_type"],
        creator="Mizan corpus/build_samples.py", lang=source.meta["language"], invariant=1,
    )
    on_page = _decorate(source)
    doc.build(_flowables(source), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
