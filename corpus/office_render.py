"""Render a parsed source as DOCX (python-docx) or Markdown: the two non-PDF formats ingestion must handle.

A .docx is a zip whose entries carry the time they were written; they are rewritten with a fixed
timestamp so that rebuilding the corpus gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.shared import Pt

from corpus.markup import Source, logical

FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _stable_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(source: Source) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.title = source.title
    props.author = source.meta["source"]
    props.last_modified_by = source.meta["source"]
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    props.language = source.meta["language"]
    for page in source.pages:
        for block in page:
            text = logical(block.text)
            if block.kind == "title":
                doc.add_heading(text, level=0)
            elif block.kind == "note":
                run = doc.add_paragraph().add_run(text)
                run.italic = True
                run.font.size = Pt(9)
            elif block.kind == "heading":
                doc.add_heading(text, level=1)
            elif block.kind == "subheading":
                doc.add_heading(text, level=2)
            elif block.kind == "bullet":
                doc.add_paragraph(text, style="List Bullet")
            elif block.kind == "para":
                doc.add_paragraph(text)
            elif block.kind == "table":
                ncols = max(len(row) for row in block.rows)
                table = doc.add_table(rows=0, cols=ncols)
                table.style = "Table Grid"
                for r, row in enumerate(block.rows):
                    cells = table.add_row().cells
                    for c, value in enumerate(row):
                        cells[c].text = logical(value)
                        if r == 0:
                            for run in cells[c].paragraphs[0].runs:
                                run.bold = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue())


def render_markdown(source: Source) -> bytes:
    out: list[str] = []
    previous = ""
    for page in source.pages:
        for block in page:
            text = logical(block.text)
            if previous == "bullet" and block.kind != "bullet":
                out.append("")  # a blank line closes the list
            previous = block.kind
            if block.kind == "title":
                out.append(f"# {text}\n")
            elif block.kind == "note":
                out.append(f"> {text}\n")
            elif block.kind == "heading":
                out.append(f"## {text}\n")
            elif block.kind == "subheading":
                out.append(f"### {text}\n")
            elif block.kind == "bullet":
                out.append(f"- {text}")
            elif block.kind == "para":
                out.append(f"{text}\n")
            elif block.kind == "table":
                rows = [[logical(cell) for cell in row] for row in block.rows]
                out.append("| " + " | ".join(rows[0]) + " |")
                out.append("|" + "---|" * len(rows[0]))
                out.extend("| " + " | ".join(row) + " |" for row in rows[1:])
                out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
