"""The researcher's overview: what kinds of documents a topic is covered by (facets), and which documents are like
a given one (similar documents).

Facets count documents, not passages: a researcher asks "how many reports, from which years, in which
languages speak of this?", and a 120-page report with forty matching passages is still one report. Similarity is
taken between documents' mean chunk vectors, the cheapest summary that needs no new model and no new index: the
vectors are in the store already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import Field

from assistant.library.document_source import DocumentSource
from assistant.search.service import SearchFilters, SearchService, hit_from_point
from index.backends.base import Filter, QueryPlan
from ingest.types import SourceDocument

FACET_PASSAGES = 100  # passages a query's facets are counted over (grouped into documents)
MAX_CHUNKS = 5_000  # a document's chunks read for its mean vector (a 1,000-page report has ~3,000)
SIMILAR_CANDIDATES = 300  # passages searched with the mean vector, then grouped into documents


@dataclass(frozen=True)
class Facets:
    """Also the API's answer (POST /facets): the descriptions are its documentation."""

    documents: Annotated[int, Field(description="Documents counted: those holding the topic's best passages, or all.")]
    doc_type: Annotated[dict[str, int], Field(description="Documents per type (guide, loi, rapport, etude, autre).")]
    year: Annotated[dict[str, int], Field(description="Documents per year, newest first (\"none\": no year known).")]
    language: Annotated[dict[str, int], Field(description="Documents per dominant language.")]
    source: Annotated[dict[str, int], Field(
        description="Documents per publisher or source (\"none\": not recorded).")]


@dataclass(frozen=True)
class SimilarDocument:
    """Also the API's answer (GET /documents/{doc_id}/similar)."""

    doc_id: str
    title: str
    file_name: str
    doc_type: str
    year: int | None
    language: str
    score: Annotated[float, Field(description="Cosine between this document's mean passage vector and the closest "
                                  "passage of the other document (E5: ~0.8 unrelated, ~0.9 same subject).")]


class UnknownDocument(LookupError):
    """No indexed document has this id."""


def facet_counts(documents: Iterable[SourceDocument]) -> Facets:
    docs = list(documents)
    years = Counter(str(d.year) if d.year else "none" for d in docs)
    return Facets(
        documents=len(docs),
        doc_type=dict(Counter(d.doc_type for d in docs).most_common()),
        year={year: years[year] for year in sorted(years, reverse=True)},
        language=dict(Counter(d.language for d in docs).most_common()),
        source=dict(Counter(d.source or "none" for d in docs).most_common()),
    )


class Research:
    """Created once per process over the search service (its backend and embedder) and the catalogue."""

    def __init__(self, search: SearchService, documents: DocumentSource, collection: str) -> None:
        self.search = search
        self.documents = documents
        self.collection = collection

    def facets(self, query: str = "", filters: SearchFilters | None = None) -> Facets:
        """Counts over the documents holding the query's best passages, or over the whole catalogue (no query)."""
        if not query.strip():
            docs = self.documents.documents()
            return facet_counts(d for d in docs if _kept(d, filters))
        hits = self.search.search(query, k=FACET_PASSAGES, filters=filters)
        found = [self.documents.document(doc_id) for doc_id in dict.fromkeys(h.doc_id for h in hits)]
        return facet_counts(d for d in found if d is not None)

    def similar(self, doc_id: str, k: int = 5) -> list[SimilarDocument]:
        """The `k` documents closest to this one's mean passage vector, best first (never itself)."""
        document = self.documents.document(doc_id)
        if document is None:
            raise UnknownDocument(doc_id)
        backend, embedder = self.search.backend, self.search.embedder
        probe = embedder.embed_queries([document.title or document.file_name])[0].tolist()
        own = backend.query(self.collection, QueryPlan(
            dense=probe, mode="dense", limit=MAX_CHUNKS, filter=Filter(doc_ids=[doc_id]), with_vectors=True))
        vectors = np.array([p.vector for p in own if p.vector is not None], dtype=np.float32)
        if not len(vectors):
            return []
        mean = vectors.mean(axis=0)
        mean /= float(np.linalg.norm(mean)) or 1.0
        points = backend.query(self.collection, QueryPlan(dense=mean.tolist(), mode="dense", limit=SIMILAR_CANDIDATES))
        best: dict[str, SimilarDocument] = {}
        for point in points:
            hit = hit_from_point(0, point)
            if hit.doc_id != doc_id and hit.doc_id not in best:
                best[hit.doc_id] = SimilarDocument(hit.doc_id, hit.title, hit.file_name, hit.doc_type, hit.year,
                                                   hit.language, round(float(point.score), 4))
        return sorted(best.values(), key=lambda d: -d.score)[:k]


def _kept(document: SourceDocument, filters: SearchFilters | None) -> bool:
    if filters is None:
        return True
    if filters.languages and document.language not in filters.languages:
        return False
    if filters.doc_types and document.doc_type not in filters.doc_types:
        return False
    if filters.year_from is not None and (document.year is None or document.year < filters.year_from):
        return False
    return not (filters.year_to is not None and (document.year is None or document.year > filters.year_to))
