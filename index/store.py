"""The Qdrant side of the index: one client per process, one collection schema, clear lock errors.

The same `QdrantClient` API serves the embedded store (a folder, the default) and a server or cluster (by URL),
so nothing above this module knows which one it talks to.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from qdrant_client import QdrantClient, models

from mizan.settings import Settings

DENSE = "dense"
SPARSE = "bm25"
# Fields researchers filter on; keyword/integer indexes keep filtered queries fast on a server.
PAYLOAD_INDEXES: dict[str, models.PayloadSchemaType] = {
    "doc_type": models.PayloadSchemaType.KEYWORD,
    "language": models.PayloadSchemaType.KEYWORD,
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "year": models.PayloadSchemaType.INTEGER,
}


class StoreLockedError(RuntimeError):
    """The embedded store is a folder that only one process may open."""


_clients: dict[str, QdrantClient] = {}
_lock = threading.Lock()


def _location_key(settings: Settings) -> str:
    return settings.qdrant_url or str(Path(settings.qdrant_location).resolve())


def get_client(settings: Settings) -> QdrantClient:
    """One client per location per process: the embedded store cannot be opened twice, even by us."""
    key = _location_key(settings)
    with _lock:
        if key not in _clients:
            _clients[key] = _open(settings)
            atexit.register(_clients[key].close)  # release the folder lock before the interpreter tears down
        return _clients[key]


def _open(settings: Settings) -> QdrantClient:
    if settings.qdrant_url:
        return QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key, timeout=60)
    path = Path(settings.qdrant_location)
    path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as exc:
        if "already accessed" not in str(exc):
            raise
        raise StoreLockedError(
            f"The local index at {path} is open in another process (probably `mizan serve`). "
            "Stop that process, or send this command to the running API with `--api URL`, "
            "or use a Qdrant server (MIZAN_QDRANT_URL) which any number of processes can share."
        ) from exc


def close_client(settings: Settings) -> None:
    """Release the embedded store's folder lock (tests and the API's shutdown need it back)."""
    with _lock:
        client = _clients.pop(_location_key(settings), None)
    if client is not None:
        client.close()


def ensure_collection(client: QdrantClient, name: str, dimension: int) -> None:
    """Create the collection with Qdrant's IDF modifier on the sparse vector, so BM25 needs no corpus stats here."""
    if not client.collection_exists(name):
        client.create_collection(
            collection_name=name,
            vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
    else:
        existing = client.get_collection(name).config.params.vectors
        size = existing[DENSE].size if isinstance(existing, dict) and DENSE in existing else None
        if size != dimension:
            raise ValueError(
                f"Collection {name!r} holds {size}-dimensional vectors but the embedding model gives {dimension}: "
                "use another MIZAN_COLLECTION or delete the index after changing the model."
            )
    if not is_local(client):  # the embedded store ignores payload indexes (and warns each time)
        for field, schema in PAYLOAD_INDEXES.items():
            client.create_payload_index(name, field_name=field, field_schema=schema)


def is_local(client: QdrantClient) -> bool:
    return type(getattr(client, "_client", None)).__name__ == "QdrantLocal"
