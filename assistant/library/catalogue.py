"""The documents in the index as people browse them: a filtered list, one document's pages, its file, page images.

What the indexer stores per document (title, type, year, language, page texts, path) is the catalogue; the
files themselves stay where they were ingested from, so an image or a download needs the file to still be there.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.library.jobs import WriteLock
from assistant.library.uploads import uploads_dir
from core.settings import Settings
from core.text import fold
from index.indexer import Indexer
from ingest.types import Page, SourceDocument

# pdfium keeps global state and is not thread-safe: every call into it, from any request, goes through this lock.
_PDFIUM = threading.Lock()
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


class NotRenderable(Exception):
    """The page cannot be drawn: the document is not a PDF, its file is gone, or the PDF lacks that page."""


@dataclass
class DocumentQuery:
    doc_type: str | None = None
    language: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    text: str | None = None  # words of the title or the file name, accents and case ignored

    def matches(self, doc: SourceDocument) -> bool:
        if self.doc_type and doc.doc_type != self.doc_type:
            return False
        if self.language and doc.language != self.language:
            return False
        if self.year_from is not None and (doc.year is None or doc.year < self.year_from):
            return False
        if self.year_to is not None and (doc.year is None or doc.year > self.year_to):
            return False
        if self.text:
            haystack = fold(" ".join((doc.title, doc.file_name, *doc.aliases)))
            return all(word in haystack for word in fold(self.text).split())
        return True


class Catalogue:
    def __init__(self, settings: Settings, indexer: Indexer, lock: WriteLock) -> None:
        self.settings = settings
        self.indexer = indexer
        self.lock = lock

    def documents(self, query: DocumentQuery | None = None) -> list[SourceDocument]:
        query = query or DocumentQuery()
        found = [doc for doc in self.indexer.documents() if query.matches(doc)]
        return sorted(found, key=lambda doc: fold(doc.title or doc.file_name))

    def count(self) -> int:
        return self.indexer.document_count()

    def passages(self) -> int:
        """Indexed chunks, counted by the store (also while an upload is being indexed: reads never wait)."""
        backend, name = self.indexer.backend, self.settings.collection
        return backend.count(name) if backend.collection_exists(name) else 0

    def document(self, doc_id: str) -> SourceDocument | None:
        return self.indexer.document(doc_id)

    @staticmethod
    def page(doc: SourceDocument, number: int) -> Page | None:
        return next((page for page in doc.pages if page.number == number), None)

    @staticmethod
    def file(doc: SourceDocument) -> Path | None:
        """The file the document was read from, if it is still there (relative paths are the server's working dir)."""
        return doc.path if doc.path.is_file() else None

    @staticmethod
    def file_kind(path: Path) -> str:
        """pdf, docx, html, md or txt, from the content first, as ingestion decided it, then the name."""
        with path.open("rb") as handle:
            head = handle.read(1024)
        if b"%PDF-" in head:
            return "pdf"
        if head.startswith(b"PK\x03\x04"):
            return "docx"
        suffix = path.suffix.lower()
        return {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}.get(suffix, "txt")

    def render_page(self, doc: SourceDocument, number: int, scale: float) -> bytes:
        """The page drawn as a PNG, `scale` times its size at 72 dpi."""
        import pypdfium2 as pdfium

        path = self.file(doc)
        if path is None:
            raise NotRenderable(f"the file of {doc.file_name} is no longer at {doc.path}")
        if self.file_kind(path) != "pdf":
            raise NotRenderable(f"{doc.file_name} is not a PDF: it has page text but no page images")
        with _PDFIUM:
            pdf = pdfium.PdfDocument(path)
            try:
                if not 1 <= number <= len(pdf):
                    raise NotRenderable(f"{doc.file_name} has no page {number}")
                page = pdf[number - 1]
                image = page.render(scale=scale).to_pil()
                page.close()
            finally:
                pdf.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()

    def delete(self, doc_id: str) -> bool:
        """Remove a document from the index; an uploaded file goes too, a corpus file stays where it is."""
        with self.lock:  # the file too: an upload of the same name must not slip in between
            doc = self.indexer.document(doc_id)
            if doc is None or not self.indexer.delete(doc_id):
                return False
            if doc.path.resolve().parent == uploads_dir(self.settings).resolve():
                doc.path.unlink(missing_ok=True)
        return True


