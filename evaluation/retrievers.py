"""What the evaluation runner compares: named retrievers, question -> ranked passages.

A retriever is built once per run from an `EvalContext` by a factory registered under its mode name, so later
modes (reranked, query rewriting, answer generation) plug in with one `@register("name")` and are measured by
the same runner, metrics and reports.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.search.service import Mode
from evaluation.context import EvalContext, Passage, Retriever

RetrieverFactory = Callable[[EvalContext], Retriever]
RETRIEVERS: dict[str, RetrieverFactory] = {}


def register(name: str) -> Callable[[RetrieverFactory], RetrieverFactory]:
    def add(factory: RetrieverFactory) -> RetrieverFactory:
        RETRIEVERS[name] = factory
        return factory

    return add


class SearchRetriever:
    """Mizan's own search service in one of its modes, on the evaluated collection."""

    def __init__(self, context: EvalContext, mode: Mode, rerank: bool = False) -> None:
        self.search = context.runtime.search
        self.collection = context.collection
        self.mode = mode
        self.rerank = rerank

    def retrieve(self, question: str, k: int) -> list[Passage]:
        hits = self.search.search(question, k=k, mode=self.mode, collection=self.collection, rerank=self.rerank)
        return [Passage(hit.file_name, hit.page, hit.text) for hit in hits]


@register("hybrid")
def _hybrid(context: EvalContext) -> Retriever:
    return SearchRetriever(context, "hybrid")


@register("dense")
def _dense(context: EvalContext) -> Retriever:
    return SearchRetriever(context, "dense")


@register("reranked")
def _reranked(context: EvalContext) -> Retriever:
    """Hybrid, then the MIZAN_RERANKER cross-encoder over the fused candidates."""
    if not context.runtime.settings.reranker:
        raise ValueError("mode 'reranked' needs MIZAN_RERANKER (a sentence-transformers CrossEncoder name or path)")
    return SearchRetriever(context, "hybrid", rerank=True)


@register("sparse")
def _sparse(context: EvalContext) -> Retriever:
    return SearchRetriever(context, "sparse")


@register("naive")
def _naive(context: EvalContext) -> Retriever:
    from evaluation.naive import NaiveRetriever  # LlamaIndex's readers and index: loaded only when asked for

    return NaiveRetriever.build(context)
