"""Index layer: embeddings and the vector store, fed by `ingest`, queried by `assistant`.

Submodules are imported by name (`from index.embedder import get_embedder`) so that importing one part of the
layer does not load torch for the others.
"""
