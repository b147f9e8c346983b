"""Build the sample corpus: corpus/sources/*.txt -> corpus/documents/ (PDF, DOCX, Markdown) + manifest.csv.

Run `python -m corpus.build_samples`. The build checks itself (every PDF reopens with pypdf, has the
intended page count and extractable text on each page) and, when the dev question set exists, that every
evidence quote really occurs on the page it names: a quote that drifts from its page would silently turn
a retrieval success into a failure in evaluation.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from functools import lru_cache
from pathlib import Path

from core.contract import DOC_TYPES
from corpus.markup import SOURCES_DIR, Source, load_sources, page_texts, parse_source

CORPUS_DIR = Path(__file__).resolve().parent
DOCUMENTS_DIR = CORPUS_DIR / "documents"
QUESTIONS_FILE = CORPUS_DIR.parent / "evaluation" / "questions" / "sample.jsonl"
MANIFEST_COLUMNS = ("file", "title", "doc_type", "year", "language", "source", "licence")


@lru_cache(maxsize=None)
def _source(stem: str) -> Source:
    return parse_source(SOURCES_DIR / f"{stem}.txt")


def source_pages(stem: str) -> list[str]:
    """Plain logical text of each page of a source: no markup, no running header/footer, hyphenated
    words rejoined, Arabic in logical order. DOCX and Markdown outputs count as one page."""
    return page_texts(_source(stem))


def render(source: Source) -> bytes:
    if source.fmt == "pdf":
        from corpus.pdf_render import render_pdf

        return render_pdf(source)
    if source.fmt == "docx":
        from corpus.office_render import render_docx

        return render_docx(source)
    if source.fmt == "md":
        from corpus.office_render import render_markdown

        return render_markdown(source)
    raise ValueError(f"{source.stem}: unsupported output format {source.fmt!r}")


def manifest_row(source: Source) -> dict[str, str]:
    meta = source.meta
    if meta["doc_type"] not in DOC_TYPES:
        raise ValueError(f"{source.stem}: doc_type {meta['doc_type']!r} not in {DOC_TYPES}")
    if meta["language"] not in ("fr", "ar", "en"):
        raise ValueError(f"{source.stem}: language {meta['language']!r}")
    if meta["year"] and not meta["year"].isdigit():
        raise ValueError(f"{source.stem}: year must be an integer or empty")
    return {"file": source.output, "title": source.title, "doc_type": meta["doc_type"], "year": meta["year"],
            "language": meta["language"], "source": meta["source"], "licence": meta["licence"]}


def write_manifest(sources: list[Source], folder: Path) -> None:
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for source in sorted(sources, key=lambda s: s.output):
            writer.writerow(manifest_row(source))


def check_pdf(source: Source, data: bytes) -> list[str]:
    """Problems with one built PDF: wrong page count (content overflowed a page) or a page without text."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    problems: list[str] = []
    if len(reader.pages) != len(source.pages):
        problems.append(f"{source.output}: {len(reader.pages)} pages, source has {len(source.pages)}")
    for number, page in enumerate(reader.pages, start=1):
        if len((page.extract_text() or "").strip()) < 40:
            problems.append(f"{source.output}: page {number} has almost no extractable text")
    if (reader.metadata or {}).get("/Title") != source.title:
        problems.append(f"{source.output}: title missing from PDF metadata")
    return problems


def build(folder: Path = DOCUMENTS_DIR) -> list[str]:
    """Build every document and the manifest; returns the problems found (empty when all is well)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = load_sources()
    outputs = [source.output for source in sources]
    if len(set(outputs)) != len(outputs):
        raise ValueError("two sources share an output name")
    problems: list[str] = []
    for source in sources:
        data = render(source)
        (folder / source.output).write_bytes(data)
        if source.fmt == "pdf":
            problems.extend(check_pdf(source, data))
    write_manifest(sources, folder)
    return problems


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _segments(source: Source, page: int) -> list[str]:
    """Text runs a quote may come from: one block or one table cell, hyphenation marks kept, so a quote
    that only matches across a forced line break, a block boundary or a cell boundary is caught."""
    blocks = source.pages[page - 1] if source.fmt == "pdf" else [b for p in source.pages for b in p]
    return [cell for block in blocks for cell in ([c for row in block.rows for c in row] or [block.text])]


def check_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """Problems with the dev question set: format contract, and each quote found on its page."""
    by_output = {source.output: source for source in load_sources()}
    problems: list[str] = []
    ids: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        q = json.loads(line)
        where = f"{path.name}:{number} ({q.get('id')})"
        if list(q) != ["id", "lang", "user", "question", "answerable", "evidence", "answer"]:
            problems.append(f"{where}: keys {list(q)}")
        if q["id"] in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(q["id"])
        if q["lang"] not in ("fr", "en", "ar") or q["user"] not in ("staff", "researcher", "delegation"):
            problems.append(f"{where}: bad lang/user")
        if not isinstance(q["answerable"], bool) or bool(q["evidence"]) != q["answerable"]:
            problems.append(f"{where}: answerable and evidence disagree")
        for ev in q["evidence"]:
            source = by_output.get(ev["doc"])
            if source is None:
                problems.append(f"{where}: unknown doc {ev['doc']}")
                continue
            pages = page_texts(source)
            if not 1 <= ev["page"] <= len(pages):
                problems.append(f"{where}: page {ev['page']} out of range")
                continue
            quote = _norm(ev["quote"])
            if not 5 <= len(quote.split()) <= 20:
                problems.append(f"{where}: quote has {len(quote.split())} words")
            if quote not in _norm(pages[ev["page"] - 1]):
                problems.append(f"{where}: quote not on {ev['doc']} p.{ev['page']}: {ev['quote']!r}")
            elif not any(quote in _norm(segment) for segment in _segments(source, ev["page"])):
                problems.append(f"{where}: quote spans two blocks, two table cells or a hyphenated word")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCUMENTS_DIR)
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    args = parser.parse_args(argv)
    problems = build(args.out)
    if args.questions.exists():
        problems.extend(check_questions(args.questions))
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    print(f"built {len(load_sources())} documents into {args.out}; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
