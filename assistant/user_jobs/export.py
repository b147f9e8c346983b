"""The researcher's export: chosen documents, with the pages cited, as CSV, BibTeX or RIS for a reference manager.

A reference is named `doc_id` (the whole document) or `doc_id@page` (one page cited; repeat it for several), as
search hits and citations give them. Word files cite their sections: the page number is the section number and
its heading path is written beside it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from assistant.library.document_source import DocumentSource
from ingest.types import SourceDocument

Format = Literal["csv", "bib", "ris"]
FORMATS: tuple[Format, ...] = ("csv", "bib", "ris")
MEDIA_TYPES = {"csv": "text/csv", "bib": "application/x-bibtex", "ris": "application/x-research-info-systems"}
CSV_COLUMNS = ("doc_id", "title", "doc_type", "year", "language", "file", "source", "licence", "pages", "sections")
BIBTEX_TYPES = {"guide": "manual", "loi": "misc", "rapport": "techreport", "etude": "techreport", "autre": "misc"}
RIS_TYPES = {"guide": "GEN", "loi": "STAT", "rapport": "RPRT", "etude": "RPRT", "autre": "GEN"}
LANGUAGE_NAMES = {"fr": "french", "en": "english", "ar": "arabic"}
_REFERENCE = re.compile(r"^([0-9a-f]{6,64})(?:@(\d{1,5}))?$")
_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


class UnknownReference(ValueError):
    """A reference that names no indexed document or page."""


class MalformedReference(UnknownReference):
    """A reference that is neither `doc_id` nor `doc_id@page`."""


@dataclass
class Cited:
    document: SourceDocument
    pages: list[int] = field(default_factory=list)  # the cited pages, in order; empty: the whole document

    def sections(self) -> list[str]:
        """The heading path of each cited Word section (empty for a paginated file)."""
        labels = {p.number: p.label for p in self.document.pages}
        return [f"§ {n} {labels[n]}" for n in self.pages if labels.get(n)]


def resolve(documents: DocumentSource, references: list[str]) -> list[Cited]:
    """The documents named by `references` in order of first mention, each with its cited pages."""
    cited: dict[str, Cited] = {}
    for reference in references:
        match = _REFERENCE.match(reference.strip())
        if match is None:
            raise MalformedReference(f"{reference!r}: write a document id, or doc_id@page")
        doc_id, page = match[1], int(match[2]) if match[2] else None
        if doc_id not in cited:
            document = documents.document(doc_id)
            if document is None:
                raise UnknownReference(f"{doc_id}: no such document in the index")
            cited[doc_id] = Cited(document)
        entry = cited[doc_id]
        if page is not None:
            if page not in {p.number for p in entry.document.pages}:
                raise UnknownReference(f"{doc_id}@{page}: the document has {len(entry.document.pages)} pages")
            if page not in entry.pages:
                entry.pages.append(page)
    return list(cited.values())


def export(cited: list[Cited], fmt: Format) -> str:
    return {"csv": to_csv, "bib": to_bibtex, "ris": to_ris}[fmt](cited)


def to_csv(cited: list[Cited]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in cited:
        d = c.document
        writer.writerow([d.doc_id, d.title, d.doc_type, d.year or "", d.language, d.file_name, d.source, d.licence,
                         " ".join(map(str, c.pages)), " | ".join(c.sections())])
    return out.getvalue()


def to_bibtex(cited: list[Cited]) -> str:
    entries = []
    for c in cited:
        d = c.document
        fields = [("title", d.title), ("year", str(d.year) if d.year else ""), ("publisher", d.source),
                  ("institution", d.source if BIBTEX_TYPES.get(d.doc_type) == "techreport" else ""),
                  ("pages", ", ".join(map(str, c.pages))),
                  ("note", "; ".join(filter(None, [*c.sections(), d.licence]))),
                  ("langid", LANGUAGE_NAMES.get(d.language, "")), ("howpublished", d.file_name)]
        body = ",\n".join(f"  {name} = {{{bibtex_escape(value)}}}" for name, value in fields if value)
        entries.append(f"@{BIBTEX_TYPES.get(d.doc_type, 'misc')}{{{bibtex_key(d)},\n{body}\n}}\n")
    return "\n".join(entries)


def to_ris(cited: list[Cited]) -> str:
    records = []
    for c in cited:
        d = c.document
        lines = [("TY", RIS_TYPES.get(d.doc_type, "GEN")), ("TI", d.title), ("PY", str(d.year) if d.year else ""),
                 ("PB", d.source), ("LA", d.language), ("SP", str(min(c.pages)) if c.pages else ""),
                 ("EP", str(max(c.pages)) if c.pages else ""),
                 ("N1", "; ".join(filter(None, [f"p. {', '.join(map(str, c.pages))}" if c.pages else "", *c.sections(),
                                               d.licence]))),
                 ("M1", d.file_name), ("ID", d.doc_id)]
        records.append("\n".join(f"{tag}  - {' '.join(value.split())}" for tag, value in lines if value) + "\nER  - \n")
    return "\n".join(records)


def bibtex_key(document: SourceDocument) -> str:
    """A stable, ASCII key: first title word, year, and the id's start ("rapport2024cb32")."""
    ascii_title = unicodedata.normalize("NFKD", document.title).encode("ascii", "ignore").decode()
    word = next((w.lower() for w in re.findall(r"[A-Za-z]{3,}", ascii_title)), "doc")
    return f"{word}{document.year or ''}{document.doc_id[:4]}"


def bibtex_escape(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", " ".join(value.split()))
