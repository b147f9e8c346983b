"""The tiny source markup of the sample corpus (see corpus/sources/README.md) and its logical text.

One parser serves both the renderers and the tests: what a test expects to find in an extracted page is
derived from the very blocks that were drawn on that page, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SOURCES_DIR = Path(__file__).resolve().parent / "sources"

PAGE_BREAK = "=== page ==="
HYPHEN_MARK = "{-}"  # a word split across a forced line break: "budgéti{-}sation"
META_KEYS = ("output", "doc_type", "year", "language", "source", "licence", "header", "footer")

BlockKind = Literal["title", "note", "heading", "subheading", "para", "bullet", "table"]


@dataclass
class Block:
    kind: BlockKind
    text: str = ""  # with HYPHEN_MARK still in place; renderers decide how to show it
    rows: list[list[str]] = field(default_factory=list)  # table only; rows[0] is the header row


@dataclass
class Source:
    stem: str
    title: str
    meta: dict[str, str]
    pages: list[list[Block]]

    @property
    def output(self) -> str:
        return self.meta["output"]

    @property
    def fmt(self) -> str:
        return Path(self.output).suffix.lstrip(".").lower()


def logical(text: str) -> str:
    """The text a reader means: hyphenation marks removed (the cleaner must rejoin such words)."""
    return text.replace(HYPHEN_MARK, "")


def _table_row(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse_source(path: Path) -> Source:
    """Parse one source file; fails loudly on anything the markup does not define."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"{path.name}: first line must be '# Title'")
    title = lines[0][2:].strip()
    meta: dict[str, str] = {}
    pages: list[list[Block]] = [[Block("title", title)]]
    table: Block | None = None
    in_meta = True

    def flush() -> None:
        nonlocal table
        if table is not None:
            pages[-1].append(table)
            table = None

    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if in_meta:
            if not line:
                continue
            match = re.fullmatch(r"@(\w+):\s*(.*)", line)
            if match:
                key, value = match.groups()
                if key not in META_KEYS:
                    raise ValueError(f"{path.name}:{number}: unknown directive @{key}")
                meta[key] = value
                continue
            in_meta = False
        if line.startswith("|"):
            if table is None:
                table = Block("table")
            table.rows.append(_table_row(line))
            continue
        flush()  # any other line ends a table
        if not line:
            continue
        if line == PAGE_BREAK:
            pages.append([])
        elif line.startswith("### "):
            pages[-1].append(Block("subheading", line[4:].strip()))
        elif line.startswith("## "):
            pages[-1].append(Block("heading", line[3:].strip()))
        elif line.startswith("> "):
            pages[-1].append(Block("note", line[2:].strip()))
        elif line.startswith("- "):
            pages[-1].append(Block("bullet", line[2:].strip()))
        elif line.startswith("@"):
            raise ValueError(f"{path.name}:{number}: directives belong right after the title")
        else:
            pages[-1].append(Block("para", line))  # one line, one paragraph
    flush()
    missing = [key for key in ("output", "doc_type", "year", "language", "source", "licence") if key not in meta]
    if missing:
        raise ValueError(f"{path.name}: missing directives {missing}")
    if any(not page for page in pages):
        raise ValueError(f"{path.name}: empty page (two page breaks in a row?)")
    return Source(stem=path.stem, title=title, meta=meta, pages=pages)


def block_text(block: Block, keep_marks: bool = False) -> str:
    """Logical text of one block; table cells joined by one space, one row per line."""
    clean = (lambda text: text) if keep_marks else logical
    if block.kind == "table":
        return "\n".join(" ".join(clean(cell) for cell in row) for row in block.rows)
    return clean(block.text)


def page_texts(source: Source, keep_marks: bool = False) -> list[str]:
    """Logical text per page. DOCX and Markdown have no pages, so they are one page."""
    texts = ["\n".join(block_text(block, keep_marks) for block in page) for page in source.pages]
    return texts if source.fmt == "pdf" else ["\n".join(texts)]


def load_sources(folder: Path = SOURCES_DIR) -> list[Source]:
    return [parse_source(path) for path in sorted(folder.glob("*.txt"))]
