"""Congruence: Qdrant Edge in process and qdrant-client (the reference of server semantics, here over its local
mode) must answer every QueryPlan with the same ids and scores, on the same seeded points.

Anchors beside the pairwise checks (BM25 scores against Qdrant's IDF formula, fused scores against qdrant-client's
own weighted RRF) catch a change that would break both backends alike, e.g. in index/store.py's schema.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient, models
from qdrant_client.hybrid.fusion import reciprocal_rank_fusion

from core.settings import Settings
from index.backends.base import Filter, QueryPlan, ScoredPoint, StoredPoint, plan_sources
from index.backends.edge import EdgeBackend
from index.backends.factory import close_backend, open_backend
from index.backends.server import ServerBackend
from index.backends.vector_store import BackendVectorStore
from index.store import DENSE, SPARSE, StoreLockedError

REPO = Path(__file__).resolve().parents[2]
N, DIM, VOCAB, TERMS = 300, 384, 2000, 20
LANGUAGES, DOC_TYPES = ("fr", "en", "ar"), ("guide", "rapport", "loi", "etude")
NAME = "congruence"
# CRC-32 term indices, as index/analyzer.py makes them: they use the whole u32 range.
VOCABULARY = [zlib.crc32(f"term-{i}".encode()) for i in range(VOCAB)]

FILTERS = {
    "none": None,
    "language": Filter(languages=["fr"]),
    "doc_type": Filter(doc_types=["guide", "rapport"]),
    "years": Filter(year_from=2010, year_to=2016),
    "doc_id": Filter(doc_ids=["doc-3", "doc-7"]),
    "combined": Filter(languages=["fr", "ar"], doc_types=["rapport", "loi", "etude"], year_from=2012),
}
PLANS = {
    "dense": QueryPlan(mode="dense"),
    "sparse": QueryPlan(mode="sparse"),
    "rrf": QueryPlan(mode="hybrid"),
    "rrf-2-1": QueryPlan(mode="hybrid", weights=(2.0, 1.0)),
    "dbsf": QueryPlan(mode="hybrid", fusion="dbsf"),
}


def _unit(vector: np.ndarray) -> list[float]:
    return (vector / np.linalg.norm(vector)).astype(np.float32).tolist()


def _corpus() -> list[StoredPoint]:
    rng = np.random.default_rng(20240509)
    points = []
    for i in range(N):
        terms = sorted(set(rng.choice(VOCABULARY, size=TERMS, replace=False).tolist()))
        payload = {
            "language": LANGUAGES[int(rng.integers(3))],
            "doc_type": DOC_TYPES[int(rng.integers(4))],
            "year": int(rng.integers(2005, 2026)),
            "doc_id": f"doc-{int(rng.integers(10))}",
            "chunk_index": i,
        }
        sparse = (terms, rng.uniform(0.3, 2.2, size=len(terms)).round(4).tolist())
        point_id = str(uuid.UUID(bytes=rng.bytes(16), version=4))
        points.append(StoredPoint(point_id, _unit(rng.standard_normal(DIM)), sparse, payload))
    return points


CORPUS = _corpus()
# qdrant-client's local mode (the server reference here) warns that it ignores the payload indexes a server builds.
pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect")


def _question(seed: int) -> QueryPlan:
    """Near a stored chunk (so the lists have a real head), with two BM25 terms no chunk may share."""
    rng = np.random.default_rng(seed)
    anchor = CORPUS[seed % N]
    dense = _unit(np.array(anchor.vector) + 0.8 * rng.standard_normal(DIM) / math.sqrt(DIM))
    assert anchor.sparse is not None
    terms = list(dict.fromkeys([*anchor.sparse[0][:4], *rng.choice(VOCABULARY, size=2).tolist()]))
    return QueryPlan(dense=dense, sparse=(terms, [1.0] * len(terms)))


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EdgeBackend, ServerBackend]]:
    edge = EdgeBackend(tmp_path_factory.mktemp("edge"))
    server = ServerBackend(QdrantClient(":memory:"))
    for backend in (edge, server):
        backend.ensure_collection(NAME, DIM)
        backend.upsert(NAME, CORPUS)
    edge.optimize(NAME)
    yield edge, server
    edge.close()
    server.close()


def _plan(question: QueryPlan, shape: QueryPlan, flt: Filter | None, **changes: object) -> QueryPlan:
    fields: dict[str, object] = {"dense": question.dense, "sparse": question.sparse, "filter": flt, **changes}
    return replace(shape, **fields)  # type: ignore[arg-type]


def _assert_congruent(
    edge_hits: list[ScoredPoint], server_hits: list[ScoredPoint], reference: list[ScoredPoint]
) -> None:
    """Same scores rank by rank, and each Edge id scored as the server scores it.

    RRF gives equal scores to different points (rank r in the dense list alone and rank r in the BM25 list alone),
    and the two engines order such ties differently, so ids are compared through their scores in a deeper server
    answer (`reference`) rather than position by position: together with equal score sequences, this makes the
    id sets equal within each group of tied scores (the group cut by the limit may hold different members).
    """
    assert [h.score for h in edge_hits] == pytest.approx([h.score for h in server_hits], abs=1e-4)
    deep = {h.id: h.score for h in reference}
    for hit in edge_hits:
        assert hit.id in deep
        assert hit.score == pytest.approx(deep[hit.id], abs=1e-4)


def _assert_filtered(hits: list[ScoredPoint], flt: Filter | None) -> None:
    """Both engines ignoring a filter alike would pass the congruence check."""
    if flt is None:
        return
    for hit in hits:
        for key, values in flt.keyword_conditions():
            assert hit.payload[key] in values
        assert flt.year_from is None or hit.payload["year"] >= flt.year_from
        assert flt.year_to is None or hit.payload["year"] <= flt.year_to


@pytest.mark.parametrize("seed", [11, 42])
@pytest.mark.parametrize("filter_name", FILTERS)
@pytest.mark.parametrize("plan_name", PLANS)
def test_backends_rank_and_score_alike(backends, plan_name: str, filter_name: str, seed: int) -> None:
    edge, server = backends
    plan = _plan(_question(seed), PLANS[plan_name], FILTERS[filter_name])
    edge_hits, server_hits = edge.query(NAME, plan), server.query(NAME, plan)
    assert len(edge_hits) == len(server_hits) and edge_hits
    if plan.mode != "hybrid" or plan.fusion == "dbsf":  # continuous scores, no ties: the very same order
        assert [h.id for h in edge_hits] == [h.id for h in server_hits]
    _assert_congruent(edge_hits, server_hits, server.query(NAME, replace(plan, limit=plan.prefetch_k)))
    _assert_filtered(edge_hits, plan.filter)


@pytest.mark.parametrize(
    "changes",
    [
        {"balance_languages": ["fr", "en", "ar"]},
        {"balance_languages": ["fr", "ar"], "filter": Filter(languages=["fr", "en"])},
        {"score_threshold": 0.025},
        {"sparse": ([], [])},  # only stop words: the dense list takes the BM25 slot
        {"fusion": "dbsf", "limit": 25, "prefetch_k": 30},
    ],
    ids=["balanced", "balanced-filtered", "threshold", "no-terms", "dbsf-deeper"],
)
def test_plan_options_congruent(backends, changes: dict[str, object]) -> None:
    edge, server = backends
    plan = replace(_plan(_question(7), PLANS["rrf"], None), **changes)  # type: ignore[arg-type]
    edge_hits, server_hits = edge.query(NAME, plan), server.query(NAME, plan)
    assert edge_hits
    _assert_congruent(edge_hits, server_hits, server.query(NAME, replace(plan, limit=plan.prefetch_limit)))


def test_sparse_without_terms_finds_nothing(backends) -> None:
    plan = _plan(_question(3), PLANS["sparse"], None, sparse=([], []))
    assert all(backend.query(NAME, plan) == [] for backend in backends)


def test_plan_sources_weigh_as_search_does() -> None:
    """Both backends build their lists from plan_sources, so its weights are checked here, against search.py's rule:
    whole-index dense, per-language dense lists sharing the dense weight, then BM25 (or dense again without terms)."""
    plan = QueryPlan(dense=[1.0], sparse=([7], [1.0]), weights=(2.0, 0.5), balance_languages=["fr", "ar"])
    described = [(s.vector_name, s.language, s.weight) for s in plan_sources(plan)]
    assert described == [(DENSE, None, 2.0), (DENSE, "fr", 1.0), (DENSE, "ar", 1.0), (SPARSE, None, 0.5)]
    no_terms = plan_sources(replace(plan, sparse=([], []), balance_languages=[]))
    assert [(s.vector_name, s.weight) for s in no_terms] == [(DENSE, 2.0), (DENSE, 0.5)]
    assert [s.vector_name for s in plan_sources(replace(plan, mode="dense"))] == [DENSE]
    assert plan_sources(replace(plan, mode="sparse", sparse=None)) == []
    assert replace(plan, limit=80, prefetch_k=50).prefetch_limit == 80  # never fewer candidates than hits asked for


def test_sparse_scores_are_bm25_with_qdrant_idf(backends) -> None:
    """Score = Σ idf(t)·w(t) with idf = ln(1 + (N - n + 0.5)/(n + 0.5)), as Qdrant's IDF modifier defines it."""
    sparse = {p.id: p.sparse for p in CORPUS if p.sparse is not None}
    df = Counter(t for terms, _ in sparse.values() for t in terms)
    stored = {point_id: dict(zip(terms, weights, strict=True)) for point_id, (terms, weights) in sparse.items()}
    plan = _plan(_question(5), PLANS["sparse"], None)
    assert plan.sparse is not None
    for backend in backends:
        hits = backend.query(NAME, plan)
        assert hits
        for hit in hits:
            expected = sum(
                math.log(1 + (N - df[t] + 0.5) / (df[t] + 0.5)) * stored[hit.id].get(t, 0.0) for t in plan.sparse[0]
            )
            assert hit.score == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("weights", [(1.0, 1.0), (2.0, 1.0)])
def test_hybrid_is_qdrant_weighted_rrf(backends, weights: tuple[float, float]) -> None:
    """Each backend's fused list equals qdrant-client's RRF over that backend's own dense and BM25 lists."""
    flt = FILTERS["language"]
    question = _question(9)
    for backend in backends:
        lists = [
            [models.ScoredPoint(id=h.id, version=0, score=h.score) for h in backend.query(NAME, plan)]
            for plan in (_plan(question, PLANS[m], flt, limit=50) for m in ("dense", "sparse"))
        ]
        expected = reciprocal_rank_fusion(lists, limit=50, ranking_constant_k=60, weights=list(weights))
        fused = backend.query(NAME, _plan(question, PLANS["rrf"], flt, weights=weights, limit=50))
        assert sorted(h.score for h in fused) == pytest.approx(sorted(p.score for p in expected), abs=1e-6)
        assert {h.id: round(h.score, 6) for h in fused} == {str(p.id): round(p.score, 6) for p in expected}


def test_vectors_payloads_and_counts_read_back_alike(backends) -> None:
    edge, server = backends
    assert edge.count(NAME) == server.count(NAME) == N
    ids = [CORPUS[i].id for i in (0, 17, 299)] + [str(uuid.uuid4())]
    for backend in backends:
        got = backend.retrieve(NAME, ids, with_vectors=True)
        assert [p.id for p in got] == ids[:3]
        for point, original in zip(got, (CORPUS[0], CORPUS[17], CORPUS[299]), strict=True):
            assert point.payload == original.payload
            assert point.vector == pytest.approx(original.vector, abs=1e-6)
            assert point.sparse is not None and original.sparse is not None
            assert dict(zip(*point.sparse, strict=True)) == pytest.approx(dict(zip(*original.sparse, strict=True)))
    scrolled = {backend: {p.id: p.payload for p in backend.scroll(NAME, batch=64)} for backend in backends}
    assert scrolled[edge] == scrolled[server] == {p.id: p.payload for p in CORPUS}
    plan = _plan(_question(2), PLANS["dense"], None, with_vectors=True)
    for hit in edge.query(NAME, plan):
        assert hit.vector == pytest.approx(next(p.vector for p in CORPUS if p.id == hit.id), abs=1e-6)


def _fresh_pair(tmp_path: Path) -> tuple[EdgeBackend, ServerBackend]:
    edge, server = EdgeBackend(tmp_path / "edge"), ServerBackend(QdrantClient(":memory:"))
    for backend in (edge, server):
        backend.ensure_collection(NAME, DIM)
        backend.upsert(NAME, CORPUS)
    return edge, server


def test_delete_by_doc_removes_exactly_that_document(tmp_path: Path) -> None:
    edge, server = _fresh_pair(tmp_path)
    try:
        kept = {p.id for p in CORPUS if p.payload["doc_id"] != "doc-4"}
        assert len(kept) < N
        for backend in (edge, server):
            backend.delete_by_doc(NAME, "doc-4")
            assert {p.id for p in backend.scroll(NAME)} == kept
        # Dense only: BM25 scores part ways after a delete. Edge, like a Qdrant server, keeps deleted points in
        # its IDF statistics until optimize() vacuums the segment (>= 20 % deleted and >= 1,000 vectors);
        # qdrant-client's local mode counts live points only.
        plan = _plan(_question(4), PLANS["dense"], None)
        _assert_congruent(edge.query(NAME, plan), server.query(NAME, plan), server.query(NAME, replace(plan, limit=50)))
    finally:
        edge.close()
        server.close()


def test_edge_folder_survives_reopen_and_checks_dimension(tmp_path: Path) -> None:
    edge = EdgeBackend(tmp_path / "edge")
    edge.ensure_collection(NAME, DIM)
    edge.upsert(NAME, CORPUS)
    plan = _plan(_question(8), PLANS["rrf"], FILTERS["combined"])
    before, deep = edge.query(NAME, plan), edge.query(NAME, replace(plan, limit=plan.prefetch_k))
    edge.close()
    reopened = EdgeBackend(tmp_path / "edge")
    try:
        assert reopened.collection_exists(NAME)
        assert reopened.count(NAME) == N
        _assert_congruent(reopened.query(NAME, plan), before, deep)  # tied RRF scores may come back in another order
        with pytest.raises(ValueError, match="384-dimensional"):
            reopened.ensure_collection(NAME, 768)
        reopened.drop_collection(NAME)
        assert not reopened.collection_exists(NAME)
    finally:
        reopened.close()


def test_second_process_gets_store_locked_error(tmp_path: Path) -> None:
    edge = EdgeBackend(tmp_path / "edge")
    try:
        code = (
            "import sys; from pathlib import Path\n"
            "from index.backends.edge import EdgeBackend\n"
            "from index.store import StoreLockedError\n"
            "try:\n"
            f"    EdgeBackend(Path({str(tmp_path / 'edge')!r}))\n"
            "except StoreLockedError as exc:\n"
            "    print(exc); sys.exit(3)\n"
        )
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 3, done.stderr
        assert "open in another process" in done.stdout
        with pytest.raises(StoreLockedError):  # one backend per folder within a process too (see factory.py)
            EdgeBackend(tmp_path / "edge")
    finally:
        edge.close()
    EdgeBackend(tmp_path / "edge").close()  # released on close


def test_factory_hands_out_one_backend_per_location(tmp_path: Path) -> None:
    embedded = Settings(data_dir=tmp_path, qdrant_url=None)  # type: ignore[call-arg]
    backend = open_backend(embedded)
    try:
        assert isinstance(backend, EdgeBackend) and backend.folder == tmp_path / "edge"
        assert open_backend(embedded) is backend
    finally:
        close_backend(embedded)
    EdgeBackend(tmp_path / "edge").close()  # the folder was released


def test_edge_writes_survive_a_killed_process(tmp_path: Path) -> None:
    """Acknowledged upserts and deletes are in Edge's WAL: an ingest killed before flush or close loses nothing."""
    code = (
        "import os, sys; from pathlib import Path\n"
        "sys.path.insert(0, 'tests/index')\n"
        "import test_backends_congruence as t\n"
        "from index.backends.edge import EdgeBackend\n"
        f"b = EdgeBackend(Path({str(tmp_path / 'edge')!r}))\n"
        "b.ensure_collection(t.NAME, t.DIM); b.upsert(t.NAME, t.CORPUS); b.delete_by_doc(t.NAME, 'doc-1')\n"
        "os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    edge = EdgeBackend(tmp_path / "edge")
    try:
        assert edge.count(NAME) == sum(p.payload["doc_id"] != "doc-1" for p in CORPUS)
    finally:
        edge.close()


def _nodes() -> list[BaseNode]:
    rng = np.random.default_rng(3)
    nodes: list[BaseNode] = []
    for i, (doc, lang) in enumerate([("doc-a", "fr"), ("doc-a", "fr"), ("doc-b", "ar")]):
        node = TextNode(
            text=f"Budget sensible au genre, indicateur {i}.",
            metadata={
                "file_name": f"{doc}.pdf",
                "title": doc,
                "doc_type": "guide",
                "year": 2020,
                "language": lang,
                "page_start": i + 1,
                "page_end": i + 1,
                "section": "",
                "char_start": 0,
                "char_end": 30,
                "chunk_index": i,
            },
            embedding=_unit(rng.standard_normal(DIM)),
        )
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=doc)
        nodes.append(node)
    return nodes


def _sparse_doc_fn(texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
    encoded = [sorted({zlib.crc32(w.encode()) for w in t.lower().split()}) for t in texts]
    return encoded, [[1.0] * len(e) for e in encoded]


def test_vector_store_writes_what_qdrant_vector_store_writes(tmp_path: Path) -> None:
    """Same payload and vectors as LlamaIndex's QdrantVectorStore, readable the way assistant/search/service.py reads hits."""
    nodes = _nodes()
    legacy = QdrantClient(":memory:")
    QdrantVectorStore(
        collection_name=NAME,
        client=legacy,
        enable_hybrid=True,
        dense_vector_name=DENSE,
        sparse_vector_name=SPARSE,
        sparse_doc_fn=_sparse_doc_fn,
        sparse_query_fn=_sparse_doc_fn,
    ).add(nodes)
    reference = {p.id: p for p in ServerBackend(legacy).scroll(NAME)}
    edge = EdgeBackend(tmp_path / "edge")
    try:
        store = BackendVectorStore(edge, NAME, _sparse_doc_fn)
        assert store.add(nodes) == [n.node_id for n in nodes]
        written = {p.id: p for p in edge.scroll(NAME)}
        assert written.keys() == reference.keys()
        for point_id, point in written.items():
            assert point.payload == reference[point_id].payload
            assert point.sparse == reference[point_id].sparse
            node = json.loads(point.payload["_node_content"])
            assert node["text"].startswith("Budget sensible au genre")
            assert node["metadata"]["language"] == point.payload["language"]
            assert point.payload["doc_id"] == point.payload["ref_doc_id"] in {"doc-a", "doc-b"}
        store.delete("doc-a")
        assert [p.payload["doc_id"] for p in edge.scroll(NAME)] == ["doc-b"]
    finally:
        edge.close()
