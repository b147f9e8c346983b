"""What every vector store of Mizan shares: the collection schema and the lock error.

The backends (`index/backends/`) create collections with this schema, in Qdrant Edge or on a Qdrant server.
"""

from __future__ import annotations

from qdrant_client import models

DENSE = "dense"
SPARSE = "bm25"
# Fields researchers filter on; keyword/integer indexes keep filtered queries fast.
PAYLOAD_INDEXES: dict[str, models.PayloadSchemaType] = {
    "doc_type": models.PayloadSchemaType.KEYWORD,
    "language": models.PayloadSchemaType.KEYWORD,
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "year": models.PayloadSchemaType.INTEGER,
}


class StoreLockedError(RuntimeError):
    """The embedded store is a folder that only one process may open."""
