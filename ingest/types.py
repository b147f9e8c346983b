"""The data that flows out of ingestion: documents made of pages, and the files that were turned away."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.contract import DOC_TYPES, DocType
from core.contract import LANGUAGES as LANGS

__all__ = ["DOC_TYPES", "LANGS", "PAGE_BREAK", "DocType"]  # with the dataclasses below; the value lists are the contract's

# Between pages wherever a document's whole text is kept or hashed (its id, the docstore's copy): cleaned page text
# never holds a form feed, so a page break is part of the content and the text splits back into its pages.
# (Chunking joins pages with ingest.chunking.PAGE_SEPARATOR instead, a paragraph break the splitter may cut at.)
PAGE_BREAK = "\f"


@dataclass
class Page:
    number: int  # 1-based, as printed by a PDF viewer
    text: str  # cleaned text; chunk char spans point into it
    label: str = ""  # how to cite a unit that is not a printed page: a Word section's heading path
    ocr: bool = False  # its text was recognised by OCR from a scanned image, not taken from a text layer


@dataclass
class SourceDocument:
    doc_id: str  # hash of the extracted content: the same content under two names is one document
    path: Path
    file_name: str  # path relative to the corpus folder, '/' separated
    title: str
    doc_type: str
    year: int | None
    language: str  # dominant language of the document: fr, ar, en or und
    pages: list[Page]
    source: str = ""
    licence: str = ""
    aliases: list[str] = field(default_factory=list)  # other file names with the same content


@dataclass
class Rejected:
    file_name: str
    reason: str
    # The reading failed, not the file (a timeout on a busy machine, a reader process that died): what the index
    # holds for this file is kept, where a file that now reads as broken retires its old version.
    transient: bool = False
