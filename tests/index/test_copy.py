"""`copy_collection`, what `mizan migrate --to URL` runs: an Edge collection copied to a server answers alike."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from qdrant_client import QdrantClient
from test_backends_congruence import CORPUS, DIM, FILTERS, NAME, PLANS, _assert_congruent, _plan, _question

from index.backends.copy import TargetNotEmpty, copy_collection
from index.backends.edge import EdgeBackend
from index.backends.server import ServerBackend

pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect")  # the server here: the local mode


def test_a_copied_collection_answers_as_its_source(tmp_path: Path) -> None:
    edge, server = EdgeBackend(tmp_path / "edge"), ServerBackend(QdrantClient(":memory:"))
    try:
        edge.ensure_collection(NAME, DIM)
        edge.upsert(NAME, CORPUS)
        progress: list[tuple[int, int]] = []
        assert copy_collection(edge, server, NAME, lambda done, total: progress.append((done, total))) == len(CORPUS)
        assert progress[-1] == (len(CORPUS), len(CORPUS))
        assert server.count(NAME) == len(CORPUS)
        assert {p.id: p.payload for p in server.scroll(NAME)} == {p.id: p.payload for p in CORPUS}
        for shape in ("rrf", "sparse"):
            plan = _plan(_question(21), PLANS[shape], FILTERS["combined"])
            deep = server.query(NAME, replace(plan, limit=plan.prefetch_limit))
            _assert_congruent(edge.query(NAME, plan), server.query(NAME, plan), deep)
        with pytest.raises(TargetNotEmpty, match=f"{len(CORPUS)} chunks"):  # never mixed into another index
            copy_collection(edge, server, NAME)
    finally:
        edge.close()
        server.close()
