"""Congruence: the embedded store's inverted BM25 index must rank and score as Qdrant's own sparse query does."""

from __future__ import annotations

import pytest
from qdrant_client import models

from assistant.local_index import FieldMask, LocalIndex
from assistant.search import SearchFilters
from index.store import DENSE, SPARSE

QUERIES = [
    "indicateurs sensibles au genre ventilés par sexe",
    "loi organique 130-13 performance",
    "gender budget statement delegations",
    "الميزانية المستجيبة للنوع الاجتماعي",
]


@pytest.mark.parametrize("query", QUERIES)
def test_sparse_scores_match_qdrant(corpus_runtime, query: str) -> None:
    rt = corpus_runtime
    indices, values = rt.analyzer.encode_query(query)
    vector = models.SparseVector(indices=indices, values=values)
    native = rt.client.query_points(rt.settings.collection, query=vector, using=SPARSE, limit=20).points
    ours = LocalIndex.build(rt.client, rt.settings.collection).search(vector, 20)
    assert native, query
    assert [p.id for p in ours[:10]] == [p.id for p in native[:10]]
    for mine, theirs in zip(ours, native):
        assert mine.score == pytest.approx(theirs.score, rel=1e-4)


def test_filters_match_qdrant(corpus_runtime) -> None:
    rt = corpus_runtime
    indices, values = rt.analyzer.encode_query("budget genre rapport")
    vector = models.SparseVector(indices=indices, values=values)
    filters = SearchFilters(languages=["fr"], doc_types=["etude", "rapport"])
    native = rt.client.query_points(rt.settings.collection, query=vector, using=SPARSE, query_filter=filters.to_qdrant(), limit=50).points
    ours = LocalIndex.build(rt.client, rt.settings.collection).search(
        vector, 50, FieldMask(languages=["fr"], doc_types=["etude", "rapport"])
    )
    assert native and {p.id for p in ours} == {p.id for p in native}


def test_hybrid_matches_qdrant_native_fusion(corpus_runtime) -> None:
    rt = corpus_runtime
    query = "Comment formuler un indicateur sensible au genre ?"
    hits = rt.search.search(query, k=10)
    dense = rt.embedder.embed_queries([query])[0].tolist()
    indices, values = rt.analyzer.encode_query(query)
    limit = max(10, rt.settings.prefetch_k)
    native = rt.client.query_points(
        rt.settings.collection,
        prefetch=[
            models.Prefetch(query=dense, using=DENSE, limit=limit),
            models.Prefetch(query=models.SparseVector(indices=indices, values=values), using=SPARSE, limit=limit),
        ],
        query=models.RrfQuery(rrf=models.Rrf(k=rt.settings.rrf_k, weights=[rt.settings.dense_weight, rt.settings.sparse_weight])),
        limit=10,
    ).points
    assert [h.chunk_id for h in hits] == [str(p.id) for p in native]
    assert [h.score for h in hits] == pytest.approx([p.score for p in native], rel=1e-6)


def test_index_follows_writes(corpus_runtime, tmp_path) -> None:
    rt = corpus_runtime
    before = rt.search.search("zébrure inédite", k=5, mode="sparse")
    assert before == []
    note = tmp_path / "note.txt"
    note.write_text("Note\n\nUne zébrure inédite apparaît dans ce document de test.\n", encoding="utf-8")
    report = rt.indexer.ingest(tmp_path, files=[note])
    try:
        after = rt.search.search("zébrure inédite", k=5, mode="sparse")
        assert [h.file_name for h in after] == ["note.txt"]
    finally:
        for doc in rt.indexer.documents():
            if doc.file_name == "note.txt":
                rt.indexer.delete(doc.doc_id)
    assert report.chunks_embedded >= 1
    assert rt.search.search("zébrure inédite", k=5, mode="sparse") == []


@pytest.mark.parametrize("query", QUERIES)
def test_dense_scores_match_qdrant(corpus_runtime, query: str) -> None:
    rt = corpus_runtime
    vector = rt.embedder.embed_queries([query])[0].tolist()
    native = rt.client.query_points(rt.settings.collection, query=vector, using=DENSE, limit=20).points
    ours = LocalIndex.build(rt.client, rt.settings.collection).search_dense(vector, 20)
    assert [p.id for p in ours] == [p.id for p in native]
    assert [p.score for p in ours] == pytest.approx([p.score for p in native], rel=1e-5)


def test_dense_filters_match_qdrant(corpus_runtime) -> None:
    rt = corpus_runtime
    vector = rt.embedder.embed_queries(["budget genre"])[0].tolist()
    filters = SearchFilters(languages=["fr"], year_from=2020)
    native = rt.client.query_points(rt.settings.collection, query=vector, using=DENSE, query_filter=filters.to_qdrant(), limit=15).points
    ours = LocalIndex.build(rt.client, rt.settings.collection).search_dense(vector, 15, FieldMask(languages=["fr"], year_from=2020))
    assert native and [p.id for p in ours] == [p.id for p in native]
