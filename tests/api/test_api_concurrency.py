"""A real uvicorn server under overlapping requests: searches and /chat while an upload is being indexed, two uploads
at once, a delete while a job waits in the queue; and after a delete, /health and each search mode agree.

Nothing here times anything: each test checks that every answer is right (no 5xx, the right hits, a whole chat)
and that the library is consistent afterwards (/health, /documents, dense-only and sparse-only searches).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import scratch_settings
from test_api_server import live_server

from assistant.api.app import create_app
from core.settings import Settings
from ui.api_client import ChatFinal, ChatToken, MizanClient

pytestmark = pytest.mark.slow

KEY = "concurrency-key"
QUERY = "coopératives féminines d'argan à Tiznit"


def _note(place: str, people: int) -> str:
    return (f"# Programme {place}-Argan\n\nLe programme {place}-Argan finance des coopératives féminines d'huile "
            f"d'argan dans la province de {place}.\nEn 2025, {people} coopératrices ont reçu une formation en gestion "
            "budgétaire sensible au genre.\n")


def _long_report(name: str, paragraphs: int = 30) -> str:
    """Long enough that its indexing (a few hundred passages on a shared CPU) outlasts the requests sent meanwhile."""
    body = "\n\n".join(
        f"Section {n} du rapport {name}. La commune rurale numéro {n} a ouvert {n * 3} places de crèche et formé "
        f"{n * 7} femmes aux métiers du numérique ; l'indicateur {n} suit la part des bénéficiaires par sexe, par âge "
        f"et par milieu de résidence, avec une valeur de référence, une cible et une source administrative." * 3
        for n in range(paragraphs))
    return f"# Rapport {name}\n\n{body}\n"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, corpus_runtime, embed_model_path: str) -> Settings:
    folder = tmp_path_factory.mktemp("concurrency-data")
    shutil.copytree(corpus_runtime.settings.data_dir, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".lock", "cache"))
    return scratch_settings(folder, embed_model_path, api_key=KEY)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=300) as client:
        yield client


def _upload(api: httpx.Client, name: str, text: str) -> str:
    response = api.post("/documents", files={"file": (name, text.encode(), "text/markdown")},
                        headers={"X-API-Key": KEY})
    assert response.status_code == 202, response.text
    return response.json()["job_id"]


def _finished(api: httpx.Client, job_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while (job := api.get(f"/jobs/{job_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    return job


def _doc_ids(api: httpx.Client, query: str, mode: str, k: int = 50) -> set[str]:
    response = api.post("/search", json={"query": query, "k": k, "mode": mode})
    assert response.status_code == 200, response.text
    return {h["doc_id"] for h in response.json()["hits"]}


def _library(api: httpx.Client) -> tuple[int, int, set[str]]:
    """(documents, passages) from /health, and the ids /documents lists; they must agree on the count."""
    health = api.get("/health").json()
    listed = {d["doc_id"] for d in api.get("/documents").json()["documents"]}
    assert health["documents"] == len(listed), (health, len(listed))
    return health["documents"], health["passages"], listed


def test_after_a_delete_health_and_every_search_mode_agree(api: httpx.Client) -> None:
    documents, passages, _ = _library(api)
    job = _finished(api, _upload(api, "Tiznit.md", _note("Tiznit", 640)))
    assert job["status"] == "done", job
    [doc_id], added = job["doc_ids"], job["report"]["passages_embedded"]
    assert _library(api)[:2] == (documents + 1, passages + added)
    for mode in ("dense", "sparse", "hybrid"):
        assert doc_id in _doc_ids(api, QUERY, mode), mode

    assert api.delete(f"/documents/{doc_id}", headers={"X-API-Key": KEY}).status_code == 204
    after_documents, after_passages, listed = _library(api)
    assert (after_documents, after_passages) == (documents, passages) and doc_id not in listed
    for mode in ("dense", "sparse", "hybrid"):  # no passage of it left in either vector, nor in the fusion
        assert doc_id not in _doc_ids(api, QUERY, mode), mode
        assert doc_id not in _doc_ids(api, "Tiznit-Argan 640 coopératrices", mode), mode


def test_searches_and_chat_are_answered_while_an_upload_is_indexed(api: httpx.Client) -> None:
    documents, _, _ = _library(api)
    job_id = _upload(api, "rapport-creches.md", _long_report("crèches"))
    client = MizanClient(str(api.base_url), timeout=300)
    overlapped: list[str] = []

    def search(n: int) -> int:
        overlapped.append(api.get(f"/jobs/{job_id}").json()["status"])
        response = api.post("/search", json={"query": "indicateur sensible au genre", "k": 5, "mode": "hybrid"})
        assert response.status_code == 200 and response.json()["hits"], response.text
        return n

    def chat(question: str) -> ChatFinal:
        overlapped.append(api.get(f"/jobs/{job_id}").json()["status"])
        events = list(client.chat(question))
        assert events and isinstance(events[-1], ChatFinal) and all(
            isinstance(e, ChatToken) for e in events[:-1]), events
        return events[-1]

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            searches = [pool.submit(search, n) for n in range(6)]
            chats = [pool.submit(chat, q) for q in ("Comment formuler un indicateur sensible au genre ?",
                                                     "What is the gender budget report?")]
            assert [f.result() for f in searches] == list(range(6))
            answers = [f.result() for f in chats]
    finally:
        client.close()
    assert all(not a.answer.refused and a.answer.citations for a in answers)
    assert {"queued", "running"} & set(overlapped), overlapped  # the requests did overlap the indexing
    job = _finished(api, job_id)
    assert job["status"] == "done", job
    assert _library(api)[0] == documents + 1
    assert job["doc_ids"][0] in _doc_ids(api, "places de crèche et femmes formées aux métiers du numérique", "hybrid")


def test_two_uploads_at_once_both_go_in(api: httpx.Client) -> None:
    documents, passages, _ = _library(api)
    barrier = threading.Barrier(2)

    def upload(place: str, people: int) -> str:
        barrier.wait()
        return _upload(api, f"{place}.md", _note(place, people))

    with ThreadPoolExecutor(max_workers=2) as pool:
        job_ids = list(pool.map(upload, ("Taroudant", "Essaouira"), (310, 275)))
    jobs = [_finished(api, job_id) for job_id in job_ids]
    assert [j["status"] for j in jobs] == ["done", "done"], jobs
    added = sum(j["report"]["passages_embedded"] for j in jobs)
    assert _library(api)[:2] == (documents + 2, passages + added)
    for job, place in zip(jobs, ("Taroudant", "Essaouira")):
        assert job["doc_ids"][0] in _doc_ids(api, f"coopératives féminines d'argan de la province de {place}", "sparse")


def test_a_delete_while_jobs_wait_in_the_queue(api: httpx.Client) -> None:
    """A long upload runs, a short one waits behind it; a corpus document is deleted meanwhile. Every answer is
    right, both uploads go in, the deleted document is gone from the list, /health and both search modes."""
    documents, _, listed = _library(api)
    victim = next(d["doc_id"] for d in api.get("/documents").json()["documents"]
                  if d["file_name"] == "guide_indicateurs_genre.pdf")
    running = _upload(api, "rapport-numerique.md", _long_report("numérique", 20))
    waiting = _upload(api, "Guelmim.md", _note("Guelmim", 120))
    statuses = (api.get(f"/jobs/{running}").json()["status"], api.get(f"/jobs/{waiting}").json()["status"])
    deleted = api.delete(f"/documents/{victim}", headers={"X-API-Key": KEY})
    assert deleted.status_code == 204, deleted.text
    jobs = [_finished(api, running), _finished(api, waiting)]
    assert [j["status"] for j in jobs] == ["done", "done"], jobs
    after, _, now_listed = _library(api)
    assert after == documents + 1 and victim not in now_listed
    assert {j["doc_ids"][0] for j in jobs} <= now_listed and listed - now_listed == {victim}
    for mode in ("dense", "sparse"):
        assert victim not in _doc_ids(api, "rédiger un indicateur de performance sensible au genre", mode), mode
    assert api.get(f"/documents/{victim}").status_code == 404
    assert "queued" in statuses or "running" in statuses, statuses  # the delete came while a job was pending
