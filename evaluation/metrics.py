"""Retrieval metrics over rankings already reduced to "which evidence items does each rank hit".

Keeping the metrics on that reduced form makes them independent of how hits are decided (see matching.py) and
easy to check by hand in tests.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RECALL_KS = (1, 3, 5, 10)
CUTOFF = 10  # MRR@10 and nDCG@10


@dataclass(frozen=True)
class Ranking:
    """One answerable question as retrieved: the evidence indexes each ranked passage hits, best rank first."""

    hits: tuple[frozenset[int], ...]
    items: frozenset[int]  # the evidence items the question has (or the subset under study)

    def restrict(self, keep: Iterable[int]) -> Ranking:
        """The same ranking judged on some of its evidence only (per-document breakdowns)."""
        kept = self.items & frozenset(keep)
        return Ranking(tuple(h & kept for h in self.hits), kept)


def first_hit(ranking: Ranking) -> int | None:
    """1-based rank of the first passage hitting any evidence item, None if none does."""
    return next((rank for rank, hit in enumerate(ranking.hits, start=1) if hit & ranking.items), None)


def recall_at(ranking: Ranking, k: int) -> float:
    """1.0 when at least one evidence item is hit in the top k: the user finds the answer there."""
    rank = first_hit(ranking)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(ranking: Ranking, k: int = CUTOFF) -> float:
    rank = first_hit(ranking)
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def ndcg(ranking: Ranking, k: int = CUTOFF) -> float:
    """Binary gain per distinct evidence item, earned at the first rank that hits it; later hits of it add nothing.

    The ideal puts each item in its own passage at ranks 1..n. One passage holding two items can beat that
    ideal (two gains at rank 1), hence the cap at 1.
    """
    if not ranking.items:
        return 0.0
    first: dict[int, int] = {}
    for rank, hit in enumerate(ranking.hits[:k], start=1):
        for item in hit & ranking.items:
            first.setdefault(item, rank)
    dcg = sum(1.0 / math.log2(rank + 1) for rank in first.values())
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(ranking.items), k) + 1))
    return min(1.0, dcg / ideal)


def summarize(rankings: Sequence[Ranking], ks: Sequence[int] = RECALL_KS) -> dict[str, float]:
    """Means over questions: Recall@k for each k, MRR@10, nDCG@10, and the question count `n`."""
    summary: dict[str, float] = {"n": len(rankings)}
    if not rankings:
        return summary
    for k in ks:
        summary[f"recall@{k}"] = statistics.fmean(recall_at(r, k) for r in rankings)
    summary[f"mrr@{CUTOFF}"] = statistics.fmean(reciprocal_rank(r) for r in rankings)
    summary[f"ndcg@{CUTOFF}"] = statistics.fmean(ndcg(r) for r in rankings)
    return summary


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median and nearest-rank p95, in milliseconds."""
    if not seconds:
        return {"p50": 0.0, "p95": 0.0}
    ordered = sorted(seconds)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"p50": statistics.median(ordered) * 1000, "p95": p95 * 1000}
