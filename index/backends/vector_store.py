"""LlamaIndex's door to a `VectorBackend`: the ingestion pipeline writes through it to Edge or a server alike.

Points carry exactly the payload LlamaIndex's `QdrantVectorStore` writes (`node_to_metadata_dict`: the node as
`_node_content` JSON, `_node_type`, `doc_id`/`document_id`/`ref_doc_id`, the metadata fields flat beside them), so
stores written by either are read by the same search code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.schema import BaseNode, MetadataMode
from llama_index.core.vector_stores.types import BasePydanticVectorStore, VectorStoreQuery, VectorStoreQueryResult
from llama_index.core.vector_stores.utils import node_to_metadata_dict
from pydantic import PrivateAttr

from index.backends.base import StoredPoint, VectorBackend

# The shape of BM25Analyzer.sparse_doc_fn (and LlamaIndex's SparseEncoderCallable): texts -> (indices, values).
SparseDocFn = Callable[[list[str]], tuple[list[list[int]], list[list[float]]]]


class BackendVectorStore(BasePydanticVectorStore):
    """Writes and deletes nodes of one collection; searching goes through `VectorBackend.query` instead."""

    stores_text: bool = True
    collection_name: str

    _backend: VectorBackend = PrivateAttr()
    _sparse_doc_fn: SparseDocFn = PrivateAttr()

    def __init__(self, backend: VectorBackend, collection_name: str, sparse_doc_fn: SparseDocFn) -> None:
        super().__init__(collection_name=collection_name)
        self._backend = backend
        self._sparse_doc_fn = sparse_doc_fn

    @property
    def client(self) -> VectorBackend:
        return self._backend

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Store embedded nodes (dense from the node, BM25 from `sparse_doc_fn` on the text as embedded)."""
        if not nodes:
            return []
        # Created on first write, as QdrantVectorStore does.
        if not self._backend.collection_exists(self.collection_name):
            self._backend.ensure_collection(self.collection_name, len(nodes[0].get_embedding()))
        indices, values = self._sparse_doc_fn([n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes])
        points = [
            StoredPoint(
                id=node.node_id,
                vector=node.get_embedding(),
                sparse=(terms, weights),
                payload=node_to_metadata_dict(node, remove_text=False, flat_metadata=False),
            )
            for node, terms, weights in zip(nodes, indices, values, strict=True)
        ]
        self._backend.upsert(self.collection_name, points)
        return [p.id for p in points]

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Remove every chunk of one document (payload `doc_id` is the node's `ref_doc_id`)."""
        if self._backend.collection_exists(self.collection_name):
            self._backend.delete_by_doc(self.collection_name, ref_doc_id)

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        raise NotImplementedError(
            "Mizan searches through VectorBackend.query with a QueryPlan (one prefetch + fusion call), "
            "not through LlamaIndex's retriever."
        )
