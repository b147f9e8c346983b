"""What every vector store of Mizan shares: the collection schema, the lock error, and the old embedded store's trace.

The backends (`index/backends/`) create collections with this schema, in Qdrant Edge or on a Qdrant server.
"""

from __future__ import annotations

from pathlib import Path

from qdrant_client import models

from core.settings import Settings

DENSE = "dense"
SPARSE = "bm25"
# Fields researchers filter on; keyword/integer indexes keep filtered queries fast.
PAYLOAD_INDEXES: dict[str, models.PayloadSchemaType] = {
    "doc_type": models.PayloadSchemaType.KEYWORD,
    "language": models.PayloadSchemaType.KEYWORD,
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "year": models.PayloadSchemaType.INTEGER,
}
LEGACY_DIRNAME = "qdrant"  # <data_dir>/qdrant: where Mizan kept qdrant-client's local mode before Qdrant Edge


class StoreLockedError(RuntimeError):
    """The embedded store is a folder that only one process may open."""


def legacy_collection(settings: Settings) -> Path | None:
    """The folder of `settings.collection` in the old embedded store (qdrant-client's local mode), if it holds one.

    Mizan no longer reads that store: `mizan ingest --rebuild` indexes the docstore's documents again instead.
    """
    folder = settings.data_dir / LEGACY_DIRNAME / "collection" / settings.collection
    return folder if (folder / "storage.sqlite").is_file() else None
