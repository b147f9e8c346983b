"""A collection copied from one backend to another, as stored: `mizan migrate --to URL` moves Edge to a server.

Points keep their ids, vectors and payloads; the BM25 weights are copied as they are and the target engine applies
its own IDF, so the copy answers every query plan as the source does (the congruence tests hold both engines to it).
"""

from __future__ import annotations

from collections.abc import Callable

from index.backends.base import StoredPoint, VectorBackend

BATCH = 512


class TargetNotEmpty(RuntimeError):
    """The target already holds chunks under that name: a copy would mix two indexes."""


def copy_collection(
    source: VectorBackend, target: VectorBackend, name: str, on_batch: Callable[[int, int], None] | None = None
) -> int:
    """Copy every point of `name` into `target` (created with the source's dimension); the number copied.

    `on_batch(done, total)` is called after each batch.
    """
    total = source.count(name)
    if target.collection_exists(name) and target.count(name):
        raise TargetNotEmpty(f"the target already holds {target.count(name)} chunks in the collection {name!r}")
    done = 0
    batch: list[StoredPoint] = []
    for point in source.scroll(name, batch=BATCH):
        if point.vector is None:
            raise ValueError(f"point {point.id} of {name!r} has no dense vector")
        if not done and not batch:
            target.ensure_collection(name, len(point.vector))
        batch.append(point)
        if len(batch) == BATCH:
            done = _write(target, name, batch, done, total, on_batch)
            batch = []
    if batch:
        done = _write(target, name, batch, done, total, on_batch)
    target.flush()
    return done


def _write(
    target: VectorBackend, name: str, batch: list[StoredPoint], done: int, total: int,
    on_batch: Callable[[int, int], None] | None,
) -> int:
    target.upsert(name, batch)
    if on_batch is not None:
        on_batch(done + len(batch), total)
    return done + len(batch)
