"""Hybrid retrieval: the one search API shared by the CLI, the HTTP service, the evaluation runner and the tests.

Dense (E5) and sparse (BM25 with Qdrant's IDF) candidates are fetched in one Qdrant call and fused server-side
(RRF, weighted RRF or DBSF), so the same code runs against the embedded store and a cluster.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from qdrant_client import QdrantClient, models
from qdrant_client.hybrid.fusion import distribution_based_score_fusion, reciprocal_rank_fusion

from index.analyzer import BM25Analyzer
from index.embedder import Embedder
from index.glossary import FOREIGN, get_glossary
from ingest.language import detect_language
from assistant.local_index import FieldMask, LocalIndexCache
from assistant.rerank import rerank_scores
from index.store import DENSE, SPARSE, is_local
from mizan.settings import Settings

Mode = Literal["hybrid", "dense", "sparse"]


@dataclass
class SearchFilters:
    languages: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    doc_ids: list[str] = field(default_factory=list)

    def to_qdrant(self) -> models.Filter | None:
        must: list[models.Condition] = []
        if self.languages:
            must.append(models.FieldCondition(key="language", match=models.MatchAny(any=self.languages)))
        if self.doc_types:
            must.append(models.FieldCondition(key="doc_type", match=models.MatchAny(any=self.doc_types)))
        if self.doc_ids:
            must.append(models.FieldCondition(key="doc_id", match=models.MatchAny(any=self.doc_ids)))
        if self.year_from is not None or self.year_to is not None:
            must.append(models.FieldCondition(key="year", range=models.Range(gte=self.year_from, lte=self.year_to)))
        return models.Filter(must=must) if must else None


@dataclass
class Hit:
    rank: int
    score: float
    chunk_id: str
    doc_id: str
    file_name: str
    title: str
    doc_type: str
    year: int | None
    language: str
    page: int
    page_end: int
    section: str
    text: str
    quote_span: tuple[int, int]  # chunk's start in the text of `page`, end in the text of `page_end`
    locator: str = ""  # a Word file's heading path ("Titre II › Recettes › Tableau 3"), cited instead of a page
    page_breaks: list[tuple[int, int]] = field(default_factory=list)  # (page, where it starts in `text`) after the first

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DocumentHits:
    """Hits grouped per document, for researchers who look for studies rather than passages."""

    doc_id: str
    file_name: str
    title: str
    doc_type: str
    year: int | None
    score: float
    pages: list[int]
    hits: list[Hit]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hit_from_point(rank: int, point: models.ScoredPoint) -> Hit:
    payload = point.payload or {}
    node = json.loads(payload.get("_node_content", "{}"))
    meta = node.get("metadata", payload)
    return Hit(
        rank=rank,
        score=float(point.score),
        chunk_id=str(point.id),
        doc_id=meta.get("doc_id", payload.get("doc_id", "")),
        file_name=meta.get("file_name", ""),
        title=meta.get("title", ""),
        doc_type=meta.get("doc_type", ""),
        year=meta.get("year"),
        language=meta.get("language", ""),
        page=int(meta.get("page_start", 0)),
        page_end=int(meta.get("page_end", meta.get("page_start", 0))),
        section=meta.get("section") or "",
        text=node.get("text", ""),
        quote_span=(int(meta.get("char_start", 0)), int(meta.get("char_end", 0))),
        locator=meta.get("locator") or "",
        page_breaks=[(int(page), int(offset)) for page, offset in meta.get("page_breaks") or []],
    )


def group_by_document(hits: list[Hit]) -> list[DocumentHits]:
    groups: OrderedDict[str, DocumentHits] = OrderedDict()
    for hit in hits:
        group = groups.get(hit.doc_id)
        if group is None:
            group = groups[hit.doc_id] = DocumentHits(
                hit.doc_id, hit.file_name, hit.title, hit.doc_type, hit.year, hit.score, [], []
            )
        group.hits.append(hit)
        if hit.page not in group.pages:
            group.pages.append(hit.page)
    return list(groups.values())


class SearchService:
    """Created once per process: holds the embedder, the analyzer and the Qdrant client."""

    def __init__(self, settings: Settings, client: QdrantClient, embedder: Embedder, analyzer: BM25Analyzer) -> None:
        self.settings = settings
        self.client = client
        self.embedder = embedder
        self.analyzer = analyzer
        self.last_timing: dict[str, float] = {}
        # The embedded store scores sparse vectors by brute force; give it an inverted index (see local_index).
        self.local_index = LocalIndexCache(client) if is_local(client) else None

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        collection: str | None = None,
        rerank: bool | None = None,
    ) -> list[Hit]:
        """Ranked passages; `rerank` (default: on when MIZAN_RERANKER is set) re-scores the fused candidates."""
        reranker = self.settings.reranker if rerank is not False else None
        if rerank and not reranker:
            raise ValueError("reranking asked for but no reranker is configured (MIZAN_RERANKER)")
        if reranker:
            hits = self.search(query, k=max(k, self.settings.rerank_candidates), mode=mode, filters=filters, collection=collection, rerank=False)
            scores = rerank_scores(reranker, query, [h.text for h in hits])
            ranked = sorted(zip(scores, hits), key=lambda pair: -pair[0])[:k]
            return [replace(hit, rank=i + 1, score=score) for i, (score, hit) in enumerate(ranked)]
        started = time.perf_counter()
        qfilter = filters.to_qdrant() if filters else None
        name = collection or self.settings.collection
        if not self.client.collection_exists(name):
            return []
        limit = max(k, self.settings.prefetch_k)
        lang = detect_language(query)
        expansion = get_glossary(self.analyzer).expansion(query, lang) if self.settings.glossary and lang in FOREIGN else ""
        dense = self._dense(f"{query} ({expansion})" if expansion and self.settings.glossary_dense else query) \
            if mode in ("hybrid", "dense") else None
        sparse = self._sparse(f"{query} {expansion}") if mode in ("hybrid", "sparse") else None
        encoded = time.perf_counter()
        if mode == "dense" and self.local_index is not None:
            points = self._with_payload(name, self.local_index.get(name).search_dense(dense, k, _field_mask(filters)))
        elif mode == "dense":
            points = self.client.query_points(name, query=dense, using=DENSE, query_filter=qfilter, limit=k, with_payload=True).points
        elif sparse is not None and not sparse.indices and mode == "sparse":
            points = []  # nothing but stop words: no lexical evidence
        elif self.local_index is not None:
            points = self._search_embedded(name, dense, sparse, filters, k, limit, self._weights(lang))
        elif mode == "sparse":
            points = self.client.query_points(name, query=sparse, using=SPARSE, query_filter=qfilter, limit=k, with_payload=True).points
        else:
            prefetch = [models.Prefetch(query=q, using=DENSE, filter=f, limit=limit) for q, f in self._dense_sources(dense, qfilter)]
            if sparse is not None and sparse.indices:
                prefetch.append(models.Prefetch(query=sparse, using=SPARSE, filter=qfilter, limit=limit))
            else:
                prefetch.append(prefetch[0])  # keeps the weights aligned: the last source is the sparse one
            weights = self._weights(lang)
            points = self.client.query_points(name, prefetch=prefetch, query=self._fusion(weights), limit=k, with_payload=True).points
        self.last_timing = {"encode_s": encoded - started, "query_s": time.perf_counter() - encoded}
        return [hit_from_point(i + 1, p) for i, p in enumerate(points)]

    def _dense_sources(self, dense: list[float] | None, qfilter: models.Filter | None) -> list[tuple[list[float], models.Filter | None]]:
        """The dense candidate lists: the whole index, plus one per balanced language when configured."""
        assert dense is not None
        return [(dense, qfilter)] + [(dense, _and(qfilter, "language", lang)) for lang in self.settings.balance_languages]

    def _search_embedded(
        self,
        name: str,
        dense: list[float] | None,
        sparse: models.SparseVector | None,
        filters: SearchFilters | None,
        k: int,
        limit: int,
        weights: list[float],
    ) -> list[models.ScoredPoint]:
        """The same candidate lists and fusion functions as Qdrant's, the lists coming from the in-process indexes."""
        assert self.local_index is not None
        index = self.local_index.get(name)
        mask = _field_mask(filters)
        sparse_hits = index.search(sparse, limit, mask) if sparse is not None else []
        if dense is None:
            return self._with_payload(name, sparse_hits[:k])
        lists = [index.search_dense(dense, limit, mask)]
        for lang in self.settings.balance_languages:
            narrowed = _with_language(mask, lang)
            lists.append(index.search_dense(dense, limit, narrowed) if narrowed else [])
        lists.append(sparse_hits if sparse_hits else lists[0])
        if self.settings.fusion == "dbsf":
            fused = distribution_based_score_fusion(lists, limit=k)
        else:
            fused = reciprocal_rank_fusion(lists, limit=k, ranking_constant_k=self.settings.rrf_k, weights=weights)
        return self._with_payload(name, fused)

    def _with_payload(self, name: str, points: list[models.ScoredPoint]) -> list[models.ScoredPoint]:
        if not points:
            return []
        records = {r.id: r for r in self.client.retrieve(name, [p.id for p in points], with_payload=True)}
        return [p.model_copy(update={"payload": records[p.id].payload}) for p in points if p.id in records]

    def _dense(self, query: str) -> list[float]:
        return self.embedder.embed_queries([query])[0].tolist()

    def _sparse(self, query: str) -> models.SparseVector:
        indices, values = self.analyzer.encode_query(query)
        return models.SparseVector(indices=indices, values=values)

    def _fusion(self, weights: list[float]) -> models.Query:
        if self.settings.fusion == "dbsf":
            return models.FusionQuery(fusion=models.Fusion.DBSF)
        return models.RrfQuery(rrf=models.Rrf(k=self.settings.rrf_k, weights=weights))

    def _weights(self, lang: str = "") -> list[float]:
        """RRF weights in prefetch order: the whole-index dense list, the per-language dense lists (sharing one
        weight, so balancing adds candidates rather than votes), then BM25 — weighed by `foreign_sparse_weight`
        for an English or Arabic question, whose words the mostly French passages rarely spell."""
        s = self.settings
        balanced = [s.dense_weight / len(s.balance_languages)] * len(s.balance_languages) if s.balance_languages else []
        sparse = s.sparse_weight * (s.foreign_sparse_weight if lang in FOREIGN else 1.0)
        return [s.dense_weight, *balanced, sparse]


def _and(base: models.Filter | None, key: str, value: str) -> models.Filter:
    condition = models.FieldCondition(key=key, match=models.MatchValue(value=value))
    return models.Filter(must=[*(base.must or [] if base else []), condition])  # type: ignore[list-item]


def _field_mask(filters: SearchFilters | None) -> FieldMask | None:
    if filters is None:
        return None
    return FieldMask(
        languages=filters.languages or None,
        doc_types=filters.doc_types or None,
        doc_ids=filters.doc_ids or None,
        year_from=filters.year_from,
        year_to=filters.year_to,
    )


def _with_language(mask: FieldMask | None, language: str) -> FieldMask | None:
    """The mask narrowed to one language; None when the search's own filter excludes that language."""
    base = mask or FieldMask()
    if base.languages and language not in base.languages:
        return None
    return replace(base, languages=[language])
