"""Reading ahead of the embedder: a thread drives the reader process and hands finished files over a bounded queue.

Embedding is the slow stage of ingestion and parsing the next one; run one after the other, the model idles
while files are read. Here a thread pulls items from an iterator (the loader's stream, whose reading, cleaning
and chunking happen in its worker process) and queues them while the caller embeds the previous ones. The queue
holds at most `maxsize` items, so a fast reader waits for the model instead of filling memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")
_POLL_S = 0.2  # how often a blocked reader thread looks whether the caller has stopped


class _Done:
    """Put last on the queue: the iterator ended, or raised `error`."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Feeder(Generic[T]):
    """Items of `items`, produced by a thread at most `maxsize` ahead of the caller.

    Leaving the `with` block stops the thread between two items and closes the iterator in it (a generator's
    `finally` and `with` blocks then run: the reader process is shut down), even when the caller fails.
    """

    def __init__(self, items: Iterator[T], maxsize: int) -> None:
        self._items = items
        self._queue: queue.Queue[T | _Done] = queue.Queue(maxsize=maxsize)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="mizan-feeder", daemon=True)
        self._finished = False

    def __enter__(self) -> Feeder[T]:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def runs(self, weight: Callable[[T], int], limit: int) -> Iterator[list[T]]:
        """Lists of items: waits for the first, then takes those already queued while their total `weight`
        stays under `limit`. The model is never kept waiting for a full run, and gets one when the reader is
        ahead. An error raised by the iterator is raised here, after the items before it."""
        while not self._finished:
            run = [first] if (first := self._next(block=True)) is not None else []
            total = sum(weight(item) for item in run)
            while run and total < limit and (item := self._next(block=False)) is not None:
                run.append(item)
                total += weight(item)
            if run:
                yield run

    def _next(self, *, block: bool) -> T | None:
        if self._finished:
            return None
        try:
            item = self._queue.get(block=block)
        except queue.Empty:
            return None
        if isinstance(item, _Done):
            self._finished = True
            if item.error is not None:
                raise item.error
            return None
        return item

    def _produce(self) -> None:
        end = _Done()
        try:
            for item in self._items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the caller, who raises it
            end = _Done(exc)
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()
        self._put(end)

    def _put(self, item: T | _Done) -> bool:
        """Queue `item` when there is room; False once the caller has stopped."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False
