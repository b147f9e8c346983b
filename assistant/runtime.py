"""The process-wide objects (embedder, analyzer, vector backend, indexer, search), built once and shared."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.search import SearchService
from core.settings import Settings, get_settings
from index.analyzer import BM25Analyzer
from index.backends.base import VectorBackend
from index.backends.factory import close_backend, open_backend
from index.embedder import Embedder, get_embedder
from index.indexer import Indexer
from index.sentence_store import SentenceVectorStore


@dataclass
class Runtime:
    settings: Settings
    backend: VectorBackend  # Qdrant Edge in a folder, or a Qdrant server: chosen once, from the settings
    embedder: Embedder
    analyzer: BM25Analyzer
    indexer: Indexer
    search: SearchService
    sentences: SentenceVectorStore


_runtime: Runtime | None = None
_lock = threading.Lock()


def build_runtime(settings: Settings) -> Runtime:
    backend = open_backend(settings)
    embedder = get_embedder(settings)
    analyzer = BM25Analyzer()
    indexer = Indexer(settings, backend, embedder, analyzer)
    sentences = _sentence_store(settings.data_dir, embedder)
    search = SearchService(settings, backend, embedder, analyzer, sentences)
    if settings.warm_sentences:
        indexer.on_nodes.append(lambda nodes: sentences.warm(
            [(n.metadata.get("section") or "", n.get_content()) for n in nodes]))
    return Runtime(settings=settings, backend=backend, embedder=embedder, analyzer=analyzer, indexer=indexer,
                   search=search, sentences=sentences)


_stores: dict[tuple[Path, str], SentenceVectorStore] = {}
_stores_lock = threading.Lock()  # build_runtime runs under _lock already


def _sentence_store(data_dir: Path, embedder: Embedder) -> SentenceVectorStore:
    """One per data dir, embedder and process: it is a file the API's threads share (its rows are keyed by the
    embedder's key, so two backends can share the file without sharing vectors)."""
    key = (data_dir.resolve(), embedder.key)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = SentenceVectorStore(key[0] / "cache" / "sentence-vectors.sqlite", embedder)
        return _stores[key]


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
            close_backend(_runtime.settings)
            _runtime = None
