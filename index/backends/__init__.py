"""Vector-store backends behind one interface: Qdrant Edge in process, or a Qdrant server by URL."""

from index.backends.base import Filter, QueryPlan, ScoredPoint, StoredPoint, VectorBackend

__all__ = ["Filter", "QueryPlan", "ScoredPoint", "StoredPoint", "VectorBackend"]
