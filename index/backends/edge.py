"""The embedded backend: Qdrant Edge, Qdrant's own engine in this process, one shard per collection in a folder.

qdrant-client's local mode re-implements Qdrant in Python (sparse scoring loops over every point, no payload
index); Edge runs the server's Rust code, so the embedded store answers the same query plan as a server, with
HNSW, payload indexes and native prefetch + fusion, in milliseconds.

The folder belongs to one process, held by a lock file for as long as the backend is open (Edge's own WAL lock
only bites when a shard is first touched, which would let two processes share a folder until then).

Threads: the engine lets a query run beside an upsert, and this class only serialises shard opening. But
qdrant-edge-py 0.9.0 holds the GIL for the whole of each call, so Python threads take turns: upserts go in
batches of `UPSERT_BATCH` (about 10 ms each at 384 dimensions), so a search waits at most one batch, while
`optimize()` holds the whole process for seconds per 10k chunks (measured: 6 s at 10k, 41 s at 50k).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import portalocker
import qdrant_edge as edge

from index.backends.base import Filter, QueryPlan, ScoredPoint, Source, StoredPoint, plan_sources
from index.store import DENSE, PAYLOAD_INDEXES, SPARSE, StoreLockedError

UPSERT_BATCH = 256  # points per engine call: each call holds the GIL (see above), so small enough to share it
CONFIG_FILE = "edge_config.json"  # written by EdgeShard.create; marks a collection folder
_EDGE_INDEX = {"keyword": edge.PayloadSchemaType.Keyword, "integer": edge.PayloadSchemaType.Integer}


class EdgeBackend:
    """Collections as Edge shards in `folder/<name>/`, created or loaded on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._lock_file = _lock_folder(folder)
        self._shards: dict[str, edge.EdgeShard] = {}
        self._opening = threading.Lock()

    # -- collections -----------------------------------------------------------------------------------------

    def ensure_collection(self, name: str, dim: int) -> None:
        """Create the shard (dense cosine + BM25 with the engine's IDF, payload indexes) or check its dimension."""
        path = self._path(name)
        with self._opening:
            self._check_open()
            if (path / CONFIG_FILE).exists():
                stored = _stored_dimension(path)
                if stored != dim:
                    raise ValueError(
                        f"Collection {name!r} holds {stored}-dimensional vectors but the embedding model gives {dim}: "
                        "use another MIZAN_COLLECTION or delete the index after changing the model."
                    )
                return
            shard = edge.EdgeShard.create(str(path), _config(dim))
            for field_name, schema in PAYLOAD_INDEXES.items():
                shard.update(edge.UpdateOperation.create_field_index(field_name, _EDGE_INDEX[schema.value]))
            self._shards[name] = shard

    def collection_exists(self, name: str) -> bool:
        return name in self._shards or (self._path(name) / CONFIG_FILE).exists()

    def drop_collection(self, name: str) -> None:
        """Close and delete the shard; a query running on it at that moment fails, as on a server."""
        with self._opening:
            shard = self._shards.pop(name, None)
            if shard is not None:
                shard.close()
            shutil.rmtree(self._path(name), ignore_errors=True)

    # -- writes ----------------------------------------------------------------------------------------------

    def upsert(self, name: str, points: Sequence[StoredPoint]) -> None:
        shard = self._shard(name)
        for start in range(0, len(points), UPSERT_BATCH):
            batch = [_edge_point(p) for p in points[start : start + UPSERT_BATCH]]
            shard.update(edge.UpdateOperation.upsert_points(batch))

    def delete_by_doc(self, name: str, doc_id: str) -> None:
        condition = edge.FieldCondition(key="doc_id", match=edge.MatchValue(doc_id))
        self._shard(name).update(edge.UpdateOperation.delete_points_by_filter(edge.Filter(must=[condition])))

    def optimize(self, name: str) -> bool:
        """Merge segments, build HNSW and vacuum deletions, blocking; returns whether anything changed.

        Edge runs no background optimizer, so without this new chunks stay in plain segments searched by full
        scan (still fast here: hybrid p50 4 ms at 50k chunks), and deleted chunks keep counting in BM25's IDF
        until their segment is vacuumed here (once 20 % of a segment of at least 1,000 chunks is deleted).
        It holds the GIL throughout (6 s at 10k chunks), so call it from a command after a large ingest, never
        while a server in this process answers requests.
        """
        return self._shard(name).optimize()

    def flush(self) -> None:
        for shard in list(self._shards.values()):
            shard.flush()

    def close(self) -> None:
        """Flush and close every shard, then release the folder for other processes."""
        with self._opening:
            for shard in self._shards.values():
                shard.flush()
                shard.close()
            self._shards.clear()
            if not self._lock_file.closed:
                portalocker.unlock(self._lock_file)
                self._lock_file.close()

    # -- reads -----------------------------------------------------------------------------------------------

    def query(self, name: str, plan: QueryPlan) -> list[ScoredPoint]:
        sources = plan_sources(plan)
        if not sources:
            return []
        with_vector = [DENSE] if plan.with_vectors else False
        if len(sources) == 1:
            request = edge.QueryRequest(
                limit=plan.limit,
                query=_nearest(sources[0]),
                filter=_filter(plan.filter, sources[0].language),
                score_threshold=plan.score_threshold,
                with_payload=True,
                with_vector=with_vector,
            )
        else:
            request = edge.QueryRequest(
                limit=plan.limit,
                prefetches=[
                    edge.Prefetch(limit=plan.prefetch_limit, query=_nearest(s), filter=_filter(plan.filter, s.language))
                    for s in sources
                ],
                query=_fusion(plan, sources),
                score_threshold=plan.score_threshold,
                with_payload=True,
                with_vector=with_vector,
            )
        return [
            ScoredPoint(str(p.id), p.score, p.payload or {}, _dense_of(p.vector) if plan.with_vectors else None)
            for p in self._shard(name).query(request)
        ]

    def retrieve(self, name: str, ids: Sequence[str], with_vectors: bool = False) -> list[StoredPoint]:
        """In the order of `ids`, skipping those not stored."""
        records = self._shard(name).retrieve(list(ids), with_payload=True, with_vector=with_vectors)
        by_id = {str(r.id): _stored_point(r) for r in records}
        return [by_id[i] for i in ids if i in by_id]

    def scroll(self, name: str, batch: int = 256) -> Iterator[StoredPoint]:
        shard = self._shard(name)
        offset: Any = None
        while True:
            records, offset = shard.scroll(
                edge.ScrollRequest(offset=offset, limit=batch, with_payload=True, with_vector=True)
            )
            yield from (_stored_point(r) for r in records)
            if offset is None:
                return

    def count(self, name: str) -> int:
        return self._shard(name).count(edge.CountRequest(exact=True))

    # -- internals -------------------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        if not name or Path(name).name != name or name.startswith("."):
            raise ValueError(f"collection name {name!r} must be a plain folder name")
        return self.folder / name

    def _check_open(self) -> None:
        """After close() the folder is no longer ours: opening a shard then would bypass the lock."""
        if self._lock_file.closed:
            raise RuntimeError(f"the Edge backend on {self.folder} is closed")

    def _shard(self, name: str) -> edge.EdgeShard:
        """The open shard; loaded on first use (the lock only guards opening, never a read or a write)."""
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        with self._opening:
            self._check_open()
            if name not in self._shards:
                path = self._path(name)
                if not (path / CONFIG_FILE).exists():
                    raise KeyError(f"collection {name!r} does not exist in {self.folder}")
                self._shards[name] = edge.EdgeShard.load(str(path))
            return self._shards[name]


def _lock_folder(folder: Path) -> IO[str]:
    handle = open(folder / ".lock", "a")  # noqa: SIM115 - held open for the backend's lifetime
    try:
        portalocker.lock(handle, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
    except portalocker.exceptions.LockException as exc:
        handle.close()
        raise StoreLockedError(
            f"The local index at {folder} is open in another process (probably `mizan serve`): one process at a time "
            "may open it. A Qdrant server (MIZAN_QDRANT_URL) can be shared by any number of processes."
        ) from exc
    return handle


def _config(dim: int) -> edge.EdgeConfig:
    return edge.EdgeConfig(
        vectors={DENSE: edge.EdgeVectorParams(size=dim, distance=edge.Distance.Cosine)},
        # IDF over the stored chunks, computed by the engine at query time: documents carry only BM25's TF part.
        sparse_vectors={SPARSE: edge.EdgeSparseVectorParams(modifier=edge.Modifier.Idf)},
    )


def _stored_dimension(path: Path) -> int:
    """Edge has no getter for a shard's config; its persisted config is this JSON file."""
    return int(json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))["vectors"][DENSE]["size"])


def _edge_point(point: StoredPoint) -> edge.Point:
    vectors: dict[str, Any] = {}
    if point.vector is not None:
        vectors[DENSE] = point.vector
    if point.sparse is not None:
        vectors[SPARSE] = edge.SparseVector(indices=point.sparse[0], values=point.sparse[1])
    return edge.Point(id=point.id, vector=vectors, payload=point.payload)


def _nearest(source: Source) -> edge.Query:
    if isinstance(source.vector, tuple):
        indices, values = source.vector
        return edge.Query.Nearest(edge.SparseVector(indices=indices, values=values), using=source.vector_name)
    return edge.Query.Nearest(source.vector, using=source.vector_name)


def _fusion(plan: QueryPlan, sources: list[Source]) -> Any:  # the stub leaves Fusion's variants out of its query types
    if plan.fusion == "dbsf":
        return edge.Fusion.Dbsf()
    return edge.Fusion.Rrf(k=plan.rrf_k, weights=[s.weight for s in sources])


def _filter(spec: Filter | None, language: str | None) -> edge.Filter | None:
    """The plan's filter as Edge conditions, narrowed to one language for a balanced dense list."""
    must: list[Any] = []
    if spec is not None:
        must += [edge.FieldCondition(key=key, match=edge.MatchAny(values)) for key, values in spec.keyword_conditions()]
        if spec.has_year_range():
            # Edge has one numeric range type; integer payload indexes accept it.
            year = edge.RangeFloat(
                gte=None if spec.year_from is None else float(spec.year_from),
                lte=None if spec.year_to is None else float(spec.year_to),
            )
            must.append(edge.FieldCondition(key="year", range=year))
    if language is not None:
        must.append(edge.FieldCondition(key="language", match=edge.MatchValue(language)))
    return edge.Filter(must=must) if must else None


def _dense_of(vector: Any) -> list[float] | None:
    return list(vector[DENSE]) if isinstance(vector, dict) and DENSE in vector else None


def _stored_point(record: Any) -> StoredPoint:
    vectors = record.vector if isinstance(record.vector, dict) else {}
    sparse = vectors.get(SPARSE)
    return StoredPoint(
        id=str(record.id),
        vector=_dense_of(vectors),
        sparse=(list(sparse.indices), list(sparse.values)) if sparse is not None else None,
        payload=record.payload or {},
    )
