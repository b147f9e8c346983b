"""Hybrid retrieval: the one search API shared by the CLI, the HTTP service, the evaluation runner and the tests.

A question becomes one `QueryPlan` (its dense vector, its BM25 terms, weights, filters) answered by one call to the
vector backend: dense and sparse candidates are fetched and fused (weighted RRF or DBSF) by Qdrant's own engine,
in this process (Qdrant Edge) or on a server alike.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.search.rerank import rerank_scores
from core.contract import DocumentHits, Filters, Hit
from core.settings import Settings
from index.analyzer import BM25Analyzer
from index.backends.base import Filter, Mode, QueryPlan, ScoredPoint, VectorBackend
from index.embedder import Embedder
from index.glossary import FOREIGN, get_glossary
from index.lexical import coverage, passage_terms, terms_of
from index.sentence_store import SentenceVectorStore
from ingest.language import detect_language


class QueryTranslator(Protocol):
    """Puts a question into French (assistant/answers/translation.py, built by assistant/services.py with the LLM)."""

    def to_french(self, question: str) -> str | None: ...


TIE_MARGIN = 10  # hits fetched past the re-ranked ones, so that ties at the boundary are all seen

__all__ = ["DocumentHits", "Hit", "Mode", "SearchFilters", "SearchService", "group_by_document", "hit_from_point",
           "search_filters"]

# What researchers narrow a search by (languages, types, document ids, years): the backends' own filter.
SearchFilters = Filter


def search_filters(filters: Filters) -> SearchFilters:
    """The contract's filters (API, CLI, UI) as the backends read them."""
    return SearchFilters(languages=list(filters.languages), doc_types=list(filters.doc_types),
                         year_from=filters.year_from, year_to=filters.year_to)


def hit_from_point(rank: int, point: ScoredPoint) -> Hit:
    payload = point.payload or {}
    node = json.loads(payload.get("_node_content", "{}"))
    meta = node.get("metadata", payload)
    return Hit.model_construct(  # our own payload: validating its 384 floats per hit cost 3.7 ms per 60-hit search
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
        ocr=bool(meta.get("ocr")),
        vector=point.vector,
    )


def group_by_document(hits: list[Hit]) -> list[DocumentHits]:
    groups: OrderedDict[str, DocumentHits] = OrderedDict()
    for hit in hits:
        group = groups.get(hit.doc_id)
        if group is None:
            group = groups[hit.doc_id] = DocumentHits(
                doc_id=hit.doc_id, file_name=hit.file_name, title=hit.title, doc_type=hit.doc_type, year=hit.year,
                score=hit.score, pages=[], hits=[],
            )
        group.hits.append(hit)
        if hit.page not in group.pages:
            group.pages.append(hit.page)
    return list(groups.values())


class SearchService:
    """Created once per process: holds the embedder, the analyzer and the vector backend."""

    def __init__(self, settings: Settings, backend: VectorBackend, embedder: Embedder, analyzer: BM25Analyzer,
                 sentences: SentenceVectorStore | None = None, translator: QueryTranslator | None = None) -> None:
        """`sentences`: the sentence-vector store that hybrid results are re-ranked with (none: no re-ranking).
        `translator`: puts English and Arabic questions into French (MIZAN_QUERY_TRANSLATION with an LLM)."""
        self.settings = settings
        self.backend = backend
        self.embedder = embedder
        self.analyzer = analyzer
        self.sentences = sentences
        self.translator = translator
        self.last_timing: dict[str, float] = {}

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        collection: str | None = None,
        rerank: bool | None = None,
        query_vector: Sequence[float] | None = None,
        with_vectors: bool = False,
    ) -> list[Hit]:
        """Ranked passages, from one backend query.

        Args:
            rerank: re-score the fused candidates with MIZAN_RERANKER (default: on when it is set).
            query_vector: the question's embedding, when the caller has it already (the answer service does); it
                is used unless the glossary changes the text to embed (`glossary_dense`).
            with_vectors: each hit carries its passage's dense vector (`Hit.vector`).
        """
        reranker = self.settings.reranker if rerank is not False else None
        if rerank and not reranker:
            raise ValueError("reranking asked for but no reranker is configured (MIZAN_RERANKER)")
        if reranker:
            hits = self.search(
                query, k=max(k, self.settings.rerank_candidates), mode=mode, filters=filters, collection=collection,
                rerank=False, query_vector=query_vector, with_vectors=with_vectors,
            )
            scores = rerank_scores(reranker, query, [h.text for h in hits])
            ranked = sorted(zip(scores, hits), key=lambda pair: -pair[0])[:k]
            return [hit.model_copy(update={"rank": i + 1, "score": score}) for i, (score, hit) in enumerate(ranked)]
        started = time.perf_counter()
        name = collection or self.settings.collection
        if not self.backend.collection_exists(name):
            return []
        lang = detect_language(query)
        expansion = self.expansion(query, lang)
        s = self.settings
        translation = self.translator.to_french(query) if self.translator is not None and lang in FOREIGN else None
        by_sentence = mode == "hybrid" and s.sentence_candidates > 0 and self.sentences is not None
        if by_sentence and query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0].tolist()
        plan = QueryPlan(
            dense=self._dense(query, expansion, query_vector, translation) if mode in ("hybrid", "dense") else None,
            sparse=self.analyzer.encode_query(self._sparse_text(query, expansion, translation))
            if mode in ("hybrid", "sparse") else None,
            mode=mode,
            fusion=s.fusion,
            rrf_k=s.rrf_k,
            weights=self._weights(lang),
            prefetch_k=s.prefetch_k,
            limit=max(k, s.sentence_candidates + TIE_MARGIN) if by_sentence else k,
            filter=filters,
            with_vectors=with_vectors,
            balance_languages=list(s.balance_languages),
        )
        encoded = time.perf_counter()
        points = self.backend.query(name, plan)
        queried = time.perf_counter()
        hits = [hit_from_point(i + 1, p) for i, p in enumerate(points)]
        if by_sentence:
            assert query_vector is not None
            hits = self._by_sentence(hits, query, query_vector, lang)[:k]
        self.last_timing = {"encode_s": encoded - started, "query_s": queried - encoded,
                            "sentences_s": time.perf_counter() - queried}
        return hits

    def _by_sentence(self, hits: list[Hit], query: str, query_vector: Sequence[float], lang: str) -> list[Hit]:
        """The first `sentence_candidates` hits re-ranked by RRF of their fused rank and their best sentence's rank.

        A passage is ranked by its one vector and its words; the sentence that answers is often drowned in the
        rest of a 500-token passage of a real report. Its sentence vectors are on disk (computed at ingest), so
        matching on sentences costs a lookup. Real reports: R@5 0.757 -> 0.797, MRR@10 0.568 -> 0.645; sample set
        R@5 0.870 -> 0.870, MRR 0.726 -> 0.730 (evaluation/RESULTS.md).

        A sentence's score is its cosine plus a share of the question's words it holds (under its heading), and the
        passage's best adds a share of the question's words the passage and its title hold: in E5's narrow band a
        sentence on the subject and the one that names what was asked sit a few thousandths apart, and the words
        tell them apart (as in extraction). With 11 candidates, real R@5 0.865 -> 0.905, MRR 0.681 -> 0.697; sample
        0.870 -> 0.926, 0.732 -> 0.756 (evaluation/RESULTS.md).
        """
        s = self.settings
        assert self.sentences is not None
        # RRF gives equal scores to mirrored ranks (3rd dense and 5th BM25, 5th and 3rd) and the engine returns ties in
        # any order: one order is fixed, and tied hits share their fused rank, so the result never depends on it.
        hits = sorted(hits, key=lambda h: (-h.score, h.chunk_id))
        head, tail = hits[:s.sentence_candidates], hits[s.sentence_candidates:]
        fused_rank = [next(j for j, other in enumerate(head) if other.score == hit.score) + 1 for hit in head]
        words = terms_of(self.analyzer, query)
        best = []
        for hit, (contexts, cosines) in zip(head, self.sentences.cosines([(h.section, h.text) for h in head],
                                                                          np.asarray(query_vector))):
            sentence = max((float(c) + s.sentence_lexical_weight * coverage(words, terms_of(self.analyzer, text))
                            for c, text in zip(cosines, contexts)), default=0.0)
            best.append(sentence + s.passage_lexical_weight * coverage(words, passage_terms(self.analyzer, hit.title, hit.text))
                        + (s.sentence_cross_language_bonus if hit.language not in ("", lang) else 0.0))
        by_sentence = {i: r for r, i in enumerate(sorted(range(len(head)), key=lambda i: (-best[i], head[i].chunk_id)), 1)}
        fused = sorted(range(len(head)), key=lambda i: (-(1 / (s.sentence_rrf_k + fused_rank[i])
                                                         + s.sentence_weight / (s.sentence_rrf_k + by_sentence[i])),
                                                       head[i].chunk_id))
        ranked = [head[i] for i in fused] + tail
        return [hit.model_copy(update={"rank": i + 1}) for i, hit in enumerate(ranked)]

    def expansion(self, query: str, lang: str | None = None) -> str:
        """The French forms of the glossary terms in an English or Arabic question ('' for French, or with the
        glossary off): what search adds to the question's words, and what extraction counts as its words too."""
        lang = detect_language(query) if lang is None else lang
        return get_glossary(self.analyzer).expansion(query, lang) if self.settings.glossary and lang in FOREIGN else ""

    def _sparse_text(self, query: str, expansion: str, translation: str | None) -> str:
        if translation is None:
            return f"{query} {expansion}"
        if self.settings.query_translation == "replace":
            return f"{translation} {expansion}"
        return f"{query} {expansion} {translation}"

    def _dense(self, query: str, expansion: str, given: Sequence[float] | None, translation: str | None = None,
               ) -> list[float]:
        if translation and self.settings.query_translation_dense:
            return self.embedder.embed_queries([f"{query} ({translation}; {expansion})" if expansion and
                                                self.settings.glossary_dense else f"{query} ({translation})"])[0].tolist()
        if expansion and self.settings.glossary_dense:
            return self.embedder.embed_queries([f"{query} ({expansion})"])[0].tolist()
        return list(given) if given is not None else self.embedder.embed_queries([query])[0].tolist()

    def _weights(self, lang: str = "") -> tuple[float, float]:
        """RRF weights (dense, BM25). The per-language dense lists of `balance_languages` share the dense weight
        (see index.backends.base.plan_sources), so balancing adds candidates rather than votes; BM25 is weighed by
        `foreign_sparse_weight` for an English or Arabic question, whose words the mostly French passages rarely
        spell."""
        s = self.settings
        return s.dense_weight, s.sparse_weight * (s.foreign_sparse_weight if lang in FOREIGN else 1.0)
