"""A seeded random run of uploads, duplicate uploads, replacements and deletions through the real API, with the
library audited after every step: the uploads folder, the store's points, the docstore on disk and the catalogue
agree (tests/support/library_audit.py), and every name in the catalogue holds what was last sent under it.

The real app on a real uvicorn server (in this process, so the test can read the store the server holds), the
real model, an index of its own.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest
from conftest import scratch_settings
from fastapi import FastAPI
from test_api_server import live_server
from test_api_upload_integrity import _finished

from assistant.api.app import create_app
from core.settings import Settings
from tests.support.library_audit import audit, uploaded_files

KEY = "library-key-51d0"
SEED = 20261202
STEPS = 32
NAMES = ("note-a.md", "note-b.md", "Note C.md", "note-d.txt")  # few names, so they collide
WORDS = ("ambrelinu", "borquetal", "cimbrasol", "dorvaline", "estrugo", "fenbraque", "galdurine")


def content(index: int) -> bytes:
    word = WORDS[index]
    return (f"# Note {word}\n\nLa note {word} décrit un programme de crèches communales financé en 202{index} et suivi "
            f"par un indicateur sensible au genre, ventilé par sexe.\n").encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[tuple[FastAPI, httpx.Client,
                                                                                                   Settings]]:
    settings = scratch_settings(tmp_path_factory.mktemp("library"), embed_model_path, api_key=KEY)
    app = create_app(settings)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield app, client, settings


def test_a_random_run_of_uploads_and_deletions_keeps_the_library_consistent(server) -> None:
    app, api, settings = server
    rng = random.Random(SEED)
    holds: dict[str, int] = {}  # catalogue name -> index of the content last sent under it (while it is listed)
    doc_of: dict[int, str] = {}  # content index -> its document id
    chunks_of: dict[int, int] = {}  # content index -> passages it was indexed as
    log: list[str] = []
    for step in range(STEPS):
        documents = api.get("/documents").json()["documents"]
        if documents and rng.random() < 0.25:
            doc = rng.choice(documents)
            assert api.delete(f"/documents/{doc['doc_id']}", headers={"X-API-Key": KEY}).status_code == 204
            for name in (doc["file_name"], *doc["aliases"]):
                holds.pop(name, None)
            log.append(f"{step}: delete {doc['file_name']} {doc['aliases']}")
        else:
            name, index = rng.choice(NAMES), rng.randrange(len(WORDS))
            job = _finished(api, api.post("/documents", files={"file": (name, content(index), "text/markdown")},
                                          headers={"X-API-Key": KEY}))
            log.append(f"{step}: upload {name} <- {WORDS[index]}: {job['detail']}")
            assert job["status"] == "done", log
            assert len(job["doc_ids"]) == 1, (job, "\n".join(log))  # one document per name
            [doc_id] = job["doc_ids"]
            assert doc_of.setdefault(index, doc_id) == doc_id, log
            if job["report"]["passages_embedded"]:
                chunks_of[index] = job["report"]["passages_embedded"]
            holds[job["file_name"]] = index
        documents = api.get("/documents").json()["documents"]
        problems = audit(settings, app.state.services.backend, documents)
        assert not problems, "\n".join(problems + log)
        for doc in documents:  # every name a document has holds that document's content
            for name in (doc["file_name"], *doc["aliases"]):
                assert doc_of.get(holds.get(name, -1)) == doc["doc_id"], (name, doc, "\n".join(log))
            if doc["file_name"] in holds and (settings.data_dir / doc["file_name"]).is_file():
                file = api.get(f"/documents/{doc['doc_id']}/file")
                assert file.content == content(holds[doc["file_name"]]), (doc, "\n".join(log))
        listed = {name for doc in documents for name in (doc["file_name"], *doc["aliases"])}
        assert listed == set(holds), ("\n".join(log), listed, holds)
    assert not any(name.startswith(".incoming") for name in uploaded_files(settings))
    print("\n" + "\n".join(log))

    points = app.state.services.backend
    for doc in api.get("/documents").json()["documents"]:  # each document still found by its own word
        index = holds[doc["file_name"]]
        hits = api.post("/search", json={"query": WORDS[index], "k": 3}).json()["hits"]
        assert hits[0]["doc_id"] == doc["doc_id"], (doc, hits)
        stored = sum(1 for p in points.scroll(settings.collection) if p.payload["doc_id"] == doc["doc_id"])
        assert stored == chunks_of[index]
