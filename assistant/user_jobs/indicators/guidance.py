"""Guidance passages cited by the workbench, checked against the indexed page text at the time they are cited.

A rule's source is written in the data file as (file, page, quote). Before it is shown, it is looked up in the
index: the document's id and title, the page's heading path for Word files, and the quote's character span in the
page text — so a citation links to the source viewer like an answer's does, and a quote the page no longer
holds (the document was edited, or is not indexed here) is marked `verified: false` instead of passing silently.
"""

from __future__ import annotations

import threading
import time
import unicodedata

from pydantic import BaseModel, Field

from assistant.library.document_source import DocumentSource
from assistant.user_jobs.indicators.criteria import SourceRef
from ingest.types import SourceDocument

RESCAN_S = 30.0  # a file name that is not in the index is looked for again after this long


class GuidanceCitation(BaseModel):
    file: str
    page: int
    quote: str = Field(description="The cited words, exactly as on the page (whitespace collapsed).")
    quote_language: str = Field("", description="fr, en or ar: the language of the cited document.")
    doc_id: str = Field("", description="Empty when the document is not in this index.")
    title: str = ""
    locator: str = Field("", description="A Word file's heading path, cited instead of the page when set.")
    quote_span: tuple[int, int] | None = Field(None, description="Character span of the quote in the page text.")
    verified: bool = Field(False, description="The indexed page holds the quote.")


def find_quote(page_text: str, quote: str) -> tuple[int, int] | None:
    """Span of `quote` in `page_text`, comparing with whitespace collapsed (PDF lines wrap inside sentences)."""
    text = unicodedata.normalize("NFC", page_text)
    wanted = " ".join(unicodedata.normalize("NFC", quote).split())
    collapsed, positions = [], []  # positions[i]: index in `text` of collapsed[i]
    previous_space = True
    for i, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                collapsed.append(" ")
                positions.append(i)
            previous_space = True
        else:
            collapsed.append(char)
            positions.append(i)
            previous_space = False
    start = "".join(collapsed).find(wanted)
    if start < 0 or not wanted:
        return None
    return positions[start], positions[start + len(wanted) - 1] + 1


class GuidanceLocator:
    """Resolves data-file sources against the index; created once per process over the runtime's indexer."""

    def __init__(self, documents: DocumentSource) -> None:
        self.documents = documents
        self._ids: dict[str, str] = {}  # file name -> doc id, refreshed when a lookup misses
        self._scanned = float("-inf")  # when `_ids` was built (monotonic seconds)
        self._lock = threading.Lock()

    def cite(self, ref: SourceRef) -> GuidanceCitation:
        document = self._document(ref.file)
        if document is None:
            return GuidanceCitation(file=ref.file, page=ref.page, quote=" ".join(ref.quote.split()))
        return self._cited(document, ref)

    def cite_at(self, doc_id: str, page: int, quote: str) -> GuidanceCitation:
        """A passage found by the search (document id, page, words), checked against its page like the data file's."""
        document = self.documents.document(doc_id)
        if document is None:
            return GuidanceCitation(file="", page=page, quote=" ".join(quote.split()), doc_id=doc_id)
        return self._cited(document, SourceRef(file=document.file_name, page=page, quote=quote))

    def _cited(self, document: SourceDocument, ref: SourceRef) -> GuidanceCitation:
        page = next((p for p in document.pages if p.number == ref.page), None)
        span = find_quote(page.text, ref.quote) if page is not None else None
        return GuidanceCitation(
            file=document.file_name, page=ref.page, quote=" ".join(ref.quote.split()), quote_language=document.language,
            doc_id=document.doc_id, title=document.title, locator=page.label if page is not None else "",
            quote_span=span, verified=span is not None,
        )

    def _document(self, file_name: str) -> SourceDocument | None:
        """The indexed document of that file name (or base name). The catalogue is re-read when a known document
        is gone (replaced or deleted), or when a name is missing and the last reading is RESCAN_S old: an index
        without the sample guides must not be read in full at every citation."""
        with self._lock:
            doc_id = self._ids.get(file_name)
            fresh = time.monotonic() - self._scanned < RESCAN_S
        document = self.documents.document(doc_id) if doc_id else None
        if document is not None or (doc_id is None and fresh):
            return document
        ids: dict[str, str] = {}
        for doc in self.documents.documents():
            for name in (doc.file_name, *doc.aliases):
                ids.setdefault(name, doc.doc_id)
                ids.setdefault(name.rsplit("/", 1)[-1], doc.doc_id)
        with self._lock:
            self._ids, self._scanned = ids, time.monotonic()
        return self.documents.document(ids[file_name]) if file_name in ids else None
