"""The server backend: a Qdrant server or cluster by URL, through qdrant-client.

The same code runs over qdrant-client's local mode (`QdrantClient(path=...)` or `":memory:"`), which is how the
congruence tests use it as the reference of server semantics, and how a legacy embedded store is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient, models

from index.backends.base import Filter, QueryPlan, ScoredPoint, Source, StoredPoint, plan_sources
from index.store import DENSE, PAYLOAD_INDEXES, SPARSE

UPSERT_BATCH = 256


class ServerBackend:
    """Collections on a Qdrant server; the client (and so the connection) belongs to the caller."""

    def __init__(self, client: QdrantClient) -> None:
        self.client = client

    # -- collections -----------------------------------------------------------------------------------------

    def ensure_collection(self, name: str, dim: int) -> None:
        """Create the collection (dense cosine + BM25 with the server's IDF, payload indexes) or check its dimension."""
        if not self.client.collection_exists(name):
            self.client.create_collection(
                collection_name=name,
                vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
                # IDF over the stored chunks, computed by the engine at query time: documents carry only BM25's TF part.
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
            for field_name, schema in PAYLOAD_INDEXES.items():
                self.client.create_payload_index(name, field_name=field_name, field_schema=schema)
            return
        existing = self.client.get_collection(name).config.params.vectors
        size = existing[DENSE].size if isinstance(existing, dict) and DENSE in existing else None
        if size != dim:
            raise ValueError(
                f"Collection {name!r} holds {size}-dimensional vectors but the embedding model gives {dim}: "
                "use another MIZAN_COLLECTION or delete the index after changing the model."
            )

    def collection_exists(self, name: str) -> bool:
        return self.client.collection_exists(name)

    def drop_collection(self, name: str) -> None:
        self.client.delete_collection(name)

    # -- writes ----------------------------------------------------------------------------------------------

    def upsert(self, name: str, points: Sequence[StoredPoint]) -> None:
        for start in range(0, len(points), UPSERT_BATCH):
            batch = [_point_struct(p) for p in points[start : start + UPSERT_BATCH]]
            self.client.upsert(name, points=batch, wait=True)

    def delete_by_doc(self, name: str, doc_id: str) -> None:
        condition = models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))
        self.client.delete(
            name, points_selector=models.FilterSelector(filter=models.Filter(must=[condition])), wait=True
        )

    def optimize(self, name: str) -> bool:
        """Nothing to do: a server optimizes its segments in the background."""
        return False

    def flush(self) -> None:
        """Nothing to do: the server acknowledges writes once they are in its WAL (`wait=True`)."""

    def close(self) -> None:
        self.client.close()

    # -- reads -----------------------------------------------------------------------------------------------

    def query(self, name: str, plan: QueryPlan) -> list[ScoredPoint]:
        sources = plan_sources(plan)
        if not sources:
            return []
        common: dict[str, Any] = {
            "limit": plan.limit,
            "score_threshold": plan.score_threshold,
            "with_payload": True,
            "with_vectors": [DENSE] if plan.with_vectors else False,
        }
        if len(sources) == 1:
            source = sources[0]
            qfilter = _filter(plan.filter, source.language)
            response = self.client.query_points(
                name, query=_vector(source), using=source.vector_name, query_filter=qfilter, **common
            )
        else:
            prefetch = [
                models.Prefetch(
                    query=_vector(s),
                    using=s.vector_name,
                    filter=_filter(plan.filter, s.language),
                    limit=plan.prefetch_limit,
                )
                for s in sources
            ]
            response = self.client.query_points(name, prefetch=prefetch, query=_fusion(plan, sources), **common)
        return [
            ScoredPoint(str(p.id), p.score, p.payload or {}, _dense_of(p.vector) if plan.with_vectors else None)
            for p in response.points
        ]

    def retrieve(self, name: str, ids: Sequence[str], with_vectors: bool = False) -> list[StoredPoint]:
        """In the order of `ids`, skipping those not stored."""
        records = self.client.retrieve(name, list(ids), with_payload=True, with_vectors=with_vectors)
        by_id = {str(r.id): _stored_point(r) for r in records}
        return [by_id[i] for i in ids if i in by_id]

    def scroll(self, name: str, batch: int = 256) -> Iterator[StoredPoint]:
        offset: Any = None
        while True:
            records, offset = self.client.scroll(name, limit=batch, offset=offset, with_payload=True, with_vectors=True)
            yield from (_stored_point(r) for r in records)
            if offset is None:
                return

    def count(self, name: str) -> int:
        return self.client.count(name, exact=True).count


def _point_struct(point: StoredPoint) -> models.PointStruct:
    vectors: dict[str, Any] = {}
    if point.vector is not None:
        vectors[DENSE] = point.vector
    if point.sparse is not None:
        vectors[SPARSE] = models.SparseVector(indices=point.sparse[0], values=point.sparse[1])
    return models.PointStruct(id=point.id, vector=vectors, payload=point.payload)


def _vector(source: Source) -> list[float] | models.SparseVector:
    if isinstance(source.vector, tuple):
        indices, values = source.vector
        return models.SparseVector(indices=indices, values=values)
    return source.vector


def _fusion(plan: QueryPlan, sources: list[Source]) -> models.Query:
    if plan.fusion == "dbsf":
        return models.FusionQuery(fusion=models.Fusion.DBSF)
    return models.RrfQuery(rrf=models.Rrf(k=plan.rrf_k, weights=[s.weight for s in sources]))


def _filter(spec: Filter | None, language: str | None) -> models.Filter | None:
    """The plan's filter as Qdrant conditions, narrowed to one language for a balanced dense list."""
    must: list[models.Condition] = []
    if spec is not None:
        must += [
            models.FieldCondition(key=key, match=models.MatchAny(any=values))
            for key, values in spec.keyword_conditions()
        ]
        if spec.has_year_range():
            must.append(models.FieldCondition(key="year", range=models.Range(gte=spec.year_from, lte=spec.year_to)))
    if language is not None:
        must.append(models.FieldCondition(key="language", match=models.MatchValue(value=language)))
    return models.Filter(must=must) if must else None


def _dense_of(vector: Any) -> list[float] | None:
    return list(vector[DENSE]) if isinstance(vector, dict) and DENSE in vector else None


def _stored_point(record: models.Record) -> StoredPoint:
    vectors = record.vector if isinstance(record.vector, dict) else {}
    sparse = vectors.get(SPARSE)
    return StoredPoint(
        id=str(record.id),
        vector=_dense_of(vectors),
        sparse=(list(sparse.indices), list(sparse.values)) if isinstance(sparse, models.SparseVector) else None,
        payload=record.payload or {},
    )
