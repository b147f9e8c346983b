"""`mizan eval verify`: is every quote of a question file really on its page, in the text retrieval will see?

Quotes are checked against the ingest loader's cleaned pages (what gets chunked), normalised as the evaluation
matches them, so a quote that passes here can be hit by a chunk, and one that fails would silently count as a
retrieval miss in every mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evaluation.matching import normalize
from evaluation.questions import QuestionSet
from ingest.loader import LoadResult, load_corpus
from ingest.types import SourceDocument


@dataclass(frozen=True)
class Miss:
    question_id: str
    doc: str
    page: int
    quote: str
    reason: str


def verify(questions: QuestionSet, corpus: Path, progress: Callable[[str], None] | None = None) -> tuple[list[Miss], LoadResult]:
    """Every evidence item whose quote is not on its page, with why; and the loaded corpus (for its rejections)."""
    loaded = load_corpus(corpus, progress=progress)
    by_name = {name: doc for doc in loaded.documents for name in (doc.file_name, *doc.aliases)}
    pages = {doc.doc_id: {p.number: normalize(p.text) for p in doc.pages} for doc in loaded.documents}
    misses = []
    for question in questions.questions:
        for item in question.evidence:
            document = by_name.get(item.doc)
            reason = "document not in the corpus" if document is None else _where(document, pages[document.doc_id], item.page, normalize(item.quote))
            if reason:
                misses.append(Miss(question.id, item.doc, item.page, item.quote, reason))
    return misses, loaded


def _where(document: SourceDocument, pages: dict[int, str], page: int, quote: str) -> str:
    """'' when the quote is on `page`, else what is wrong."""
    if quote in pages.get(page, ""):
        return ""
    elsewhere = [number for number, text in pages.items() if quote in text]
    if elsewhere:
        return f"on page {', '.join(map(str, elsewhere))}, not {page}"
    if page not in pages:
        return f"page {page} beyond the document's {len(document.pages)} page(s)"
    return "not in the extracted text"
