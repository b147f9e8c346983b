"""The process-wide objects (embedder, analyzer, Qdrant client, indexer, search), built once and shared."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from qdrant_client import QdrantClient

from assistant.search import SearchService
from index.analyzer import BM25Analyzer
from index.embedder import Embedder, get_embedder
from index.indexer import Indexer
from index.store import close_client, get_client
from mizan.settings import Settings, get_settings


@dataclass
class Runtime:
    settings: Settings
    client: QdrantClient
    embedder: Embedder
    analyzer: BM25Analyzer
    indexer: Indexer
    search: SearchService


_runtime: Runtime | None = None
_lock = threading.Lock()


def build_runtime(settings: Settings) -> Runtime:
    client = get_client(settings)
    embedder = get_embedder(settings)
    analyzer = BM25Analyzer()
    indexer = Indexer(settings, client, embedder, analyzer)
    search = SearchService(settings, client, embedder, analyzer)
    if search.local_index is not None:
        indexer.on_change.append(search.local_index.invalidate)
    return Runtime(settings=settings, client=client, embedder=embedder, analyzer=analyzer, indexer=indexer, search=search)


def get_runtime(settings: Settings | None = None) -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None or (settings is not None and settings is not _runtime.settings):
            _runtime = build_runtime(settings or get_settings())
        return _runtime


def close_runtime() -> None:
    """Release the embedded store so another process (or a test) can open it."""
    global _runtime
    with _lock:
        if _runtime is not None:
            close_client(_runtime.settings)
            _runtime = None
