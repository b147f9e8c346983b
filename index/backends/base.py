"""The one vector-store contract that indexing and search speak, whichever Qdrant engine holds the vectors.

Two engines serve it: Qdrant Edge in this process (a folder, the default) and a Qdrant server or cluster by URL.
A search is one `QueryPlan` run as one engine call (prefetch + fusion), so both rank with Qdrant's own code;
`tests/index/test_backends_congruence.py` holds them to the same ids and scores.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from core.contract import Mode
from index.store import DENSE, SPARSE

FusionName = Literal["rrf", "dbsf"]
Sparse = tuple[list[int], list[float]]  # (term indices, weights), as index/analyzer.py encodes them


@dataclass
class Filter:
    """What researchers narrow a search by; an empty list narrows nothing, as in the search API."""

    languages: list[str] | None = None
    doc_types: list[str] | None = None
    doc_ids: list[str] | None = None
    year_from: int | None = None
    year_to: int | None = None

    def keyword_conditions(self) -> list[tuple[str, list[str]]]:
        """(payload field, accepted values) for each list given."""
        fields = (("language", self.languages), ("doc_type", self.doc_types), ("doc_id", self.doc_ids))
        return [(key, values) for key, values in fields if values]

    def has_year_range(self) -> bool:
        return self.year_from is not None or self.year_to is not None


@dataclass
class QueryPlan:
    """One search, engine-neutral: the vectors of the question and how to fuse their candidate lists."""

    dense: list[float] | None = None
    sparse: Sparse | None = None
    mode: Mode = "hybrid"
    fusion: FusionName = "rrf"
    rrf_k: int = 60
    weights: tuple[float, float] = (1.0, 1.0)  # (dense, sparse), for weighted RRF
    prefetch_k: int = 50
    limit: int = 10
    filter: Filter | None = None
    score_threshold: float | None = None
    with_vectors: bool = False
    # Extra dense lists, one per language (settings.balance_languages), sharing the dense weight.
    balance_languages: list[str] = field(default_factory=list)

    @property
    def prefetch_limit(self) -> int:
        return max(self.prefetch_k, self.limit)


@dataclass(frozen=True)
class Source:
    """One candidate list of a plan: which named vector, narrowed to which language, weighing how much in RRF."""

    vector_name: str
    vector: list[float] | Sparse
    language: str | None
    weight: float


def plan_sources(plan: QueryPlan) -> list[Source]:
    """The candidate lists in weight order; one list means a plain query, several mean prefetch + fusion.

    A question with no BM25 term (only stop words) gets the dense list in the sparse slot, so the weights stay
    aligned and a hybrid search still answers; a sparse search with no term has no evidence and no list.
    """
    terms = plan.sparse if plan.sparse is not None and plan.sparse[0] else None
    if plan.mode == "sparse":
        return [Source(SPARSE, terms, None, 1.0)] if terms is not None else []
    if plan.dense is None:
        raise ValueError(f"a {plan.mode} search needs the question's dense vector")
    whole = Source(DENSE, plan.dense, None, plan.weights[0])
    if plan.mode == "dense":
        return [whole]
    share = plan.weights[0] / len(plan.balance_languages) if plan.balance_languages else 0.0
    balanced = [Source(DENSE, plan.dense, lang, share) for lang in plan.balance_languages]
    last = (
        Source(SPARSE, terms, None, plan.weights[1])
        if terms is not None
        else Source(DENSE, plan.dense, None, plan.weights[1])
    )
    return [whole, *balanced, last]


@dataclass
class StoredPoint:
    """A chunk as stored: id (a UUID string), its two vectors and the LlamaIndex payload."""

    id: str
    vector: list[float] | None
    sparse: Sparse | None
    payload: dict[str, Any]


@dataclass
class ScoredPoint:
    id: str
    score: float
    payload: dict[str, Any]
    vector: list[float] | None = None  # the dense vector, when the plan asks for vectors


class VectorBackend(Protocol):
    """A set of named collections of chunks, each with the schema of index/store.py (dense cosine + BM25/IDF)."""

    def ensure_collection(self, name: str, dim: int) -> None: ...

    def collection_exists(self, name: str) -> bool: ...

    def drop_collection(self, name: str) -> None: ...

    def upsert(self, name: str, points: Sequence[StoredPoint]) -> None: ...

    def delete_by_doc(self, name: str, doc_id: str) -> None: ...

    def query(self, name: str, plan: QueryPlan) -> list[ScoredPoint]: ...

    def retrieve(self, name: str, ids: Sequence[str], with_vectors: bool = False) -> list[StoredPoint]: ...

    def scroll(self, name: str, batch: int = 256) -> Iterator[StoredPoint]: ...

    def count(self, name: str) -> int: ...

    def optimize(self, name: str) -> bool:
        """Make the collection's segments ready for search after a large write; whether anything changed."""
        ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
