"""The Qdrant server query path without a server: a stand-in for `QdrantClient.query_points` records the exact query
ServerBackend sends for a QueryPlan (the plan the embedded backend executes too), and the test spells out what that
query must be: prefetch lists, their vectors, filters and limits, the fusion and its weights."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from qdrant_client import models

from index.backends.base import Filter, QueryPlan
from index.backends.server import ServerBackend
from index.store import SPARSE as SPARSE_NAME

DENSE_VECTOR = [0.6, 0.8, 0.0]
SPARSE = ([3, 17], [0.5, 1.25])


class RecordingClient:
    """What ServerBackend.query calls of QdrantClient, recording each call and answering with no points."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query_points(self, collection_name: str, **kwargs: Any) -> SimpleNamespace:
        self.calls.append((collection_name, kwargs))
        return SimpleNamespace(points=[])  # what ServerBackend reads of a QueryResponse


def _query(plan: QueryPlan) -> dict[str, Any]:
    client = RecordingClient()
    assert ServerBackend(client).query("chunks", plan) == []  # type: ignore[arg-type]
    [(name, kwargs)] = client.calls
    assert name == "chunks"
    return kwargs


def _plan(**overrides: Any) -> QueryPlan:
    values: dict[str, Any] = dict(dense=DENSE_VECTOR, sparse=SPARSE, mode="hybrid", rrf_k=60, weights=(1.0, 0.7),
                                  prefetch_k=50, limit=10, filter=Filter(doc_types=["loi"], year_from=2015))
    return QueryPlan(**{**values, **overrides})


def _conditions(query_filter: models.Filter | None) -> list[tuple[str, Any]]:
    assert query_filter is not None
    found = []
    for c in query_filter.must or []:
        assert isinstance(c, models.FieldCondition)
        found.append((c.key, c.match if c.match is not None else c.range))
    return found


PLAN_FILTER = [("doc_type", models.MatchAny(any=["loi"])), ("year", models.Range(gte=2015, lte=None))]


def test_hybrid_rrf_is_two_prefetches_fused_with_the_plans_weights() -> None:
    kwargs = _query(_plan())
    dense, sparse = kwargs["prefetch"]
    assert (dense.using, dense.query, dense.limit) == ("dense", DENSE_VECTOR, 50)
    assert (sparse.using, sparse.limit) == (SPARSE_NAME, 50)
    assert sparse.query == models.SparseVector(indices=[3, 17], values=[0.5, 1.25])
    assert _conditions(dense.filter) == PLAN_FILTER and _conditions(sparse.filter) == PLAN_FILTER
    assert kwargs["query"] == models.RrfQuery(rrf=models.Rrf(k=60, weights=[1.0, 0.7]))
    assert kwargs["limit"] == 10 and kwargs["with_payload"] is True and kwargs["with_vectors"] is False
    assert kwargs.get("score_threshold") is None


def test_prefetch_limit_is_at_least_the_plans_limit() -> None:
    kwargs = _query(_plan(limit=80, prefetch_k=50))
    assert [p.limit for p in kwargs["prefetch"]] == [80, 80] and kwargs["limit"] == 80


def test_dbsf_fusion() -> None:
    kwargs = _query(_plan(fusion="dbsf", filter=None, with_vectors=True))
    assert kwargs["query"] == models.FusionQuery(fusion=models.Fusion.DBSF)
    assert [p.filter for p in kwargs["prefetch"]] == [None, None]
    assert kwargs["with_vectors"] == ["dense"]


def test_balance_languages_adds_one_dense_list_per_language_sharing_the_dense_weight() -> None:
    kwargs = _query(_plan(balance_languages=["fr", "ar"], weights=(1.0, 0.5)))
    whole, fr, ar, sparse = kwargs["prefetch"]
    assert [p.using for p in (whole, fr, ar, sparse)] == ["dense", "dense", "dense", SPARSE_NAME]
    assert whole.query == fr.query == ar.query == DENSE_VECTOR
    assert _conditions(whole.filter) == PLAN_FILTER
    assert _conditions(fr.filter) == [*PLAN_FILTER, ("language", models.MatchValue(value="fr"))]
    assert _conditions(ar.filter) == [*PLAN_FILTER, ("language", models.MatchValue(value="ar"))]
    assert kwargs["query"] == models.RrfQuery(rrf=models.Rrf(k=60, weights=[1.0, 0.5, 0.5, 0.5]))


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_one_list_is_a_plain_query_without_fusion(mode: str) -> None:
    kwargs = _query(_plan(mode=mode, score_threshold=0.3))
    assert "prefetch" not in kwargs
    if mode == "dense":
        assert (kwargs["using"], kwargs["query"]) == ("dense", DENSE_VECTOR)
    else:
        assert (kwargs["using"], kwargs["query"]) == (SPARSE_NAME, models.SparseVector(indices=[3, 17], values=[0.5, 1.25]))
    assert _conditions(kwargs["query_filter"]) == PLAN_FILTER
    assert kwargs["limit"] == 10 and kwargs["score_threshold"] == 0.3


def test_a_question_of_stop_words_keeps_two_lists_with_the_dense_one_in_the_sparse_slot() -> None:
    kwargs = _query(_plan(sparse=([], [])))
    assert [(p.using, p.query) for p in kwargs["prefetch"]] == [("dense", DENSE_VECTOR), ("dense", DENSE_VECTOR)]
    assert kwargs["query"] == models.RrfQuery(rrf=models.Rrf(k=60, weights=[1.0, 0.7]))
