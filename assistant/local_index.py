"""In-process search indexes for the *embedded* Qdrant store.

qdrant-client's local mode scores sparse vectors by a Python loop over every point (measured: ~0.5 s per
query at 10k chunks on 2 cores) and re-normalises every dense vector on each query, while a Qdrant server keeps
an inverted index and answers in milliseconds. This module gives the embedded store the same footing: a sparse
matrix of the stored BM25 vectors with Qdrant's own IDF formula, and a matrix of the stored (unit) dense vectors,
both built once from the collection and rebuilt when it changes. Fusion stays Qdrant's
(`qdrant_client.hybrid.fusion`), and congruence tests check scores and rankings against Qdrant's native queries.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from qdrant_client import QdrantClient, models
from scipy import sparse

from index.store import DENSE, SPARSE

FILTER_FIELDS = ("language", "doc_type", "year", "doc_id")


@dataclass
class FieldMask:
    """What a search may keep, in the terms of the chunk payload (None: no condition on that field)."""

    languages: list[str] | None = None
    doc_types: list[str] | None = None
    doc_ids: list[str] | None = None
    year_from: int | None = None
    year_to: int | None = None


class LocalIndex:
    def __init__(self, ids: list[models.ExtendedPointId], matrix: sparse.csc_matrix, columns: dict[int, int],
                 payload: dict[str, np.ndarray], dense: np.ndarray) -> None:
        self.ids = ids
        self.dense = dense  # points x dimension, unit rows (Qdrant normalises vectors of a cosine collection)
        self.matrix = matrix  # points x terms, BM25 term weights as stored
        self.columns = columns  # term hash -> column
        document_frequency = np.diff(matrix.indptr)
        n = len(ids)
        self.idf = np.log((n - document_frequency + 0.5) / (document_frequency + 0.5) + 1)  # as Qdrant computes it
        self.payload = payload

    @classmethod
    def build(cls, client: QdrantClient, collection: str) -> LocalIndex:
        ids: list[models.ExtendedPointId] = []
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        columns: dict[int, int] = {}
        fields: dict[str, list] = {f: [] for f in FILTER_FIELDS}
        dense: list[list[float]] = []
        offset = None
        while True:
            points, offset = client.scroll(
                collection, limit=2048, offset=offset, with_payload=list(FILTER_FIELDS), with_vectors=[SPARSE, DENSE]
            )
            for point in points:
                row = len(ids)
                ids.append(point.id)
                vectors = point.vector if isinstance(point.vector, dict) else {}
                vector = vectors.get(SPARSE)
                dense.append(vectors[DENSE])  # type: ignore[arg-type]
                if vector is not None:
                    for index, value in zip(vector.indices, vector.values):
                        rows.append(row)
                        cols.append(columns.setdefault(index, len(columns)))
                        values.append(value)
                payload = point.payload or {}
                for f in FILTER_FIELDS:
                    fields[f].append(payload.get(f))
            if offset is None:
                break
        matrix = sparse.csc_matrix((values, (rows, cols)), shape=(len(ids), max(len(columns), 1)), dtype=np.float32)
        payload = {f: np.array(v, dtype=object) for f, v in fields.items()}
        payload["year"] = np.array([y if isinstance(y, int) else math.nan for y in fields["year"]], dtype=float)
        dense_matrix = np.asarray(dense, dtype=np.float32).reshape(len(ids), -1)
        norms = np.linalg.norm(dense_matrix, axis=1, keepdims=True)
        return cls(ids, matrix, columns, payload, dense_matrix / np.where(norms == 0, 1, norms))

    def search(self, query: models.SparseVector, limit: int, mask: FieldMask | None = None) -> list[models.ScoredPoint]:
        known = [(self.columns[i], v) for i, v in zip(query.indices, query.values) if i in self.columns]
        if not known or not self.ids:
            return []
        cols = np.array([c for c, _ in known])
        weights = np.array([v for _, v in known], dtype=np.float32) * self.idf[cols]
        scores = np.asarray(self.matrix[:, cols] @ weights).ravel()
        candidates = np.flatnonzero(scores > 0)
        if mask is not None:
            candidates = candidates[self._allowed(mask)[candidates]]
        if candidates.size == 0:
            return []
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:limit]]
        return [models.ScoredPoint(id=self.ids[i], version=0, score=float(scores[i])) for i in top]

    def search_dense(self, query: list[float], limit: int, mask: FieldMask | None = None) -> list[models.ScoredPoint]:
        """Cosine similarity, as Qdrant computes it for a cosine collection."""
        if not self.ids:
            return []
        vector = np.asarray(query, dtype=np.float32)
        scores = self.dense @ (vector / (np.linalg.norm(vector) or 1.0))
        candidates = np.flatnonzero(self._allowed(mask)) if mask is not None else np.arange(len(self.ids))
        if candidates.size == 0:
            return []
        if candidates.size > limit:
            top = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        else:
            top = candidates
        top = top[np.argsort(-scores[top], kind="stable")]
        return [models.ScoredPoint(id=self.ids[i], version=0, score=float(scores[i])) for i in top]

    def _allowed(self, mask: FieldMask) -> np.ndarray:
        keep = np.ones(len(self.ids), dtype=bool)
        for field, wanted in (("language", mask.languages), ("doc_type", mask.doc_types), ("doc_id", mask.doc_ids)):
            if wanted:
                keep &= np.isin(self.payload[field], wanted)
        years = self.payload["year"]
        if mask.year_from is not None:
            keep &= years >= mask.year_from
        if mask.year_to is not None:
            keep &= years <= mask.year_to
        return keep


class LocalIndexCache:
    """One index per collection, rebuilt when the collection's point count changes (every ingest or delete does)."""

    def __init__(self, client: QdrantClient) -> None:
        self.client = client
        self._indexes: dict[str, tuple[int, LocalIndex]] = {}
        self._lock = threading.Lock()

    def get(self, collection: str) -> LocalIndex:
        count = self.client.count(collection, exact=True).count
        with self._lock:
            cached = self._indexes.get(collection)
            if cached is None or cached[0] != count:
                cached = (count, LocalIndex.build(self.client, collection))
                self._indexes[collection] = cached
            return cached[1]

    def invalidate(self, collection: str | None = None) -> None:
        with self._lock:
            if collection is None:
                self._indexes.clear()
            else:
                self._indexes.pop(collection, None)
