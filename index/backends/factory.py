"""One vector backend per location per process: Edge in `settings.edge_location` by default, a server by URL.

An Edge folder can be opened once (it is locked to its process, and to one backend in it), so every caller in
the process must share the backend this module hands out.
"""

from __future__ import annotations

import atexit
import threading

from qdrant_client import QdrantClient

from core.settings import Settings
from index.backends.base import VectorBackend
from index.backends.edge import EdgeBackend
from index.backends.server import ServerBackend

_backends: dict[str, VectorBackend] = {}
_lock = threading.Lock()


def _location_key(settings: Settings) -> str:
    return settings.qdrant_url or str(settings.edge_location.resolve())


def open_backend(settings: Settings) -> VectorBackend:
    """The process's backend for these settings, opened on first call."""
    key = _location_key(settings)
    with _lock:
        if key not in _backends:
            _backends[key] = _open(settings)
            atexit.register(_backends[key].close)  # flush and release the folder before the interpreter tears down
        return _backends[key]


def close_backend(settings: Settings) -> None:
    """Release the Edge folder (tests and the API's shutdown need it back)."""
    with _lock:
        backend = _backends.pop(_location_key(settings), None)
    if backend is not None:
        backend.close()


def _open(settings: Settings) -> VectorBackend:
    if settings.qdrant_url:
        return ServerBackend(QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key, timeout=60))
    return EdgeBackend(settings.edge_location)
