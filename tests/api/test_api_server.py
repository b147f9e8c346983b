"""The HTTP API end to end: a real uvicorn server on a free port, the real E5 model, a real embedded Qdrant (Edge).

The server gets a copy of the session's sample-corpus index (tests here add and remove documents; the copy keeps
the shared index as it was) and runs in a thread of this process, so the model is loaded once for all tests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from conftest import CORPUS, REPO, scratch_settings
from fastapi import FastAPI
from typer.testing import CliRunner

from assistant.api.app import create_app
from core.contract import Filters, Hit
from core.settings import Settings
from mizan.cli import app as cli
from mizan.common import EXIT_LOCKED
from ui.api_client import ChatFinal, MizanClient

KEY = "test-key-4f1c"
UPLOAD_MAX_MB = 0.25
NEW_NOTE = """# Note sur le programme Tiznit-Argan

Le programme Tiznit-Argan finance des coopératives féminines d'huile d'argan dans la province de Tiznit.
En 2025, 640 coopératrices ont reçu une formation en gestion budgétaire sensible au genre.
L'indicateur retenu est la part des recettes des coopératives versée directement aux femmes membres.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """uvicorn serving the app in a thread: the real HTTP stack, the real lifespan."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting (see the log above)"
        assert time.monotonic() < deadline, "the server did not start in 120 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)


def _copy_index(source: Settings, target: Settings) -> None:
    shutil.copytree(source.edge_location, target.edge_location, ignore=shutil.ignore_patterns(".lock"))
    target.docstore_path.parent.mkdir(parents=True)
    shutil.copy(source.docstore_path, target.docstore_path)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, corpus_runtime, embed_model_path: str) -> Settings:
    result = scratch_settings(
        tmp_path_factory.mktemp("api-data"), embed_model_path, api_key=KEY, upload_max_mb=UPLOAD_MAX_MB
    )
    _copy_index(corpus_runtime.settings, result)
    return result


@pytest.fixture(scope="module")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="module")
def api(app: FastAPI) -> Iterator[httpx.Client]:
    with live_server(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def keyless_api(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[httpx.Client]:
    """A second server with no MIZAN_API_KEY (and an empty index): its write endpoints are disabled."""
    with live_server(create_app(scratch_settings(tmp_path_factory.mktemp("keyless"), embed_model_path))) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield client


def _doc_id(api: httpx.Client, file_name: str) -> str:
    return next(d["doc_id"] for d in api.get("/documents").json()["documents"] if d["file_name"] == file_name)


def _upload(api: httpx.Client, name: str, content: bytes, key: str | None = KEY) -> httpx.Response:
    headers = {"X-API-Key": key} if key is not None else {}
    return api.post("/documents", files={"file": (name, content, "application/octet-stream")}, headers=headers)


def _finished(api: httpx.Client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def _messages(response: httpx.Response) -> str:
    return json.dumps(response.json()["detail"], ensure_ascii=False)


# --- health and search ------------------------------------------------------------------------------------------


def test_health(api: httpx.Client) -> None:
    health = api.get("/health").json()
    assert health["status"] == "ok"
    assert health["documents"] == 10 and health["passages"] > 10
    assert health["store"] == "embedded" and health["uploads_enabled"] is True


def test_search_returns_what_the_search_service_returns(api: httpx.Client, corpus_runtime) -> None:
    """Same index content, same model: the HTTP layer adds nothing to the ranking and loses nothing of the hits."""
    query = "Comment formuler un indicateur sensible au genre ?"
    response = api.post("/search", json={"query": query, "k": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["groups"] is None and len(body["hits"]) == 5 and body["took_ms"] > 0
    local = corpus_runtime.search.search(query, k=5)
    assert [h["chunk_id"] for h in body["hits"]] == [h.chunk_id for h in local]
    assert body["hits"][0] == json.loads(json.dumps(local[0].to_dict()))


def test_search_filters_and_groups(api: httpx.Client) -> None:
    arabic = api.post("/search", json={"query": "budget genre", "k": 10, "filters": {"languages": ["ar"]}}).json()
    assert arabic["hits"] and {h["language"] for h in arabic["hits"]} == {"ar"}
    grouped = api.post("/search", json={"query": "budgétisation sensible au genre", "k": 20, "by_doc": True}).json()
    assert grouped["hits"] is None and len(grouped["groups"]) > 1
    assert len({g["doc_id"] for g in grouped["groups"]}) == len(grouped["groups"])
    sparse = api.post("/search", json={"query": "LOF 130-13", "mode": "sparse", "k": 3}).json()
    assert sparse["mode"] == "sparse" and sparse["hits"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "budget", "k": 51}, "k"),
        ({"query": "budget", "k": 0}, "k"),
        ({"query": "budget", "mode": "fuzzy"}, "mode"),
        ({"query": "x" * 2001}, "query"),
        ({"query": ""}, "query"),
        ({"query": "budget", "filters": {"languages": ["de"]}}, "languages"),
        ({"query": "budget", "filters": {"year_from": "2020"}}, "year_from"),
    ],
)
def test_search_validation(api: httpx.Client, body: dict, field: str) -> None:
    response = api.post("/search", json=body)
    assert response.status_code == 422
    assert field in _messages(response)


# --- answers: /ask and the /chat stream ---------------------------------------------------------------------------


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _chat(api: httpx.Client, body: dict) -> tuple[list[str], dict]:
    """The token texts and the final answer of one /chat stream, read as an EventSource client reads them."""
    tokens, final, event, data = [], None, "message", []
    with api.stream("POST", "/chat", json=body) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").removeprefix(" "))
            elif line == "" and data:
                payload = json.loads("\n".join(data))
                assert event in ("token", "final"), payload
                if event == "token":
                    tokens.append(payload["text"])
                else:
                    final = payload
                event, data = "message", []
    assert final is not None
    return tokens, final


def test_ask_answers_with_citations_into_page_text(api: httpx.Client) -> None:
    answer = api.post("/ask", json={"question": "Comment formuler un indicateur sensible au genre ?"}).json()
    assert not answer["refused"] and answer["language"] == "fr" and answer["strategy"] == "extractive"
    assert answer["citations"] and answer["session_id"]
    for citation in answer["citations"]:
        assert f"[{citation['n']}]" in answer["text"]
        start, end = citation["quote_span"]
        page = api.get(f"/documents/{citation['doc_id']}/pages/{citation['page']}", params={"start": start, "end": end}).json()
        assert _same_words(page["text"][start:end], citation["quote"])


def test_ask_refuses_what_the_documents_do_not_answer(api: httpx.Client) -> None:
    answer = api.post("/ask", json={"question": "Quelle est la recette du couscous aux sept légumes ?"}).json()
    assert answer["refused"] and answer["refusal_reason"] == "weak"
    assert answer["citations"] == [] and answer["nearest_documents"]
    # Across languages words cannot match: an English question closest to French pages is refused by the
    # cross-language cosine floor alone.
    english = api.post("/ask", json={"question": "What is the capital of Australia?"}).json()
    assert english["refused"] and english["refusal_reason"] == "weak" and english["language"] == "en"
    assert english["citations"] == [] and english["nearest_documents"]


def test_ask_keeps_the_conversation(api: httpx.Client) -> None:
    first = api.post("/ask", json={"question": "Quand le Maroc a-t-il commencé la budgétisation sensible au genre ?"}).json()
    follow = api.post("/ask", json={"question": "Et en 2014 ?", "session_id": first["session_id"]}).json()
    assert follow["session_id"] == first["session_id"]
    assert "2014" in follow["standalone_question"] and "Maroc" in follow["standalone_question"]
    alone = api.post("/ask", json={"question": "Et en 2014 ?"}).json()  # no session: nothing to follow up on
    assert alone["session_id"] != first["session_id"] and alone["standalone_question"] == "Et en 2014 ?"
    forgotten = api.post("/ask", json={"question": "Et en 2014 ?", "session_id": "gone-after-a-restart"}).json()
    assert forgotten["session_id"] != "gone-after-a-restart"  # a new conversation, under a new id


def test_chat_failing_mid_stream_sends_a_clean_error_event(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the first token: an `error` event the UI can show, never the exception's internal text."""
    from assistant.answers.service import AnswerService

    def failing(self, question, **kwargs):  # noqa: ANN001, ANN003, ANN202
        yield "Passages des documents"
        raise RuntimeError("store at /srv/mizan/data/edge is corrupt (segment 7)")

    monkeypatch.setattr(AnswerService, "stream", failing)
    response = api.post("/chat", json={"question": "Qu'est-ce que la budgétisation sensible au genre ?"})
    assert response.status_code == 200
    events = [line for line in response.text.splitlines() if line.startswith("event:")]
    assert events == ["event: token", "event: error"], response.text
    assert "/srv/mizan" not in response.text and "RuntimeError" not in response.text
    assert "Please ask again" in response.text


def test_chat_streams_tokens_then_the_whole_answer(api: httpx.Client) -> None:
    tokens, final = _chat(api, {"question": "What is the role of the CE-BSG?"})
    assert len(tokens) > 1 and "".join(tokens) == final["text"]
    assert final["language"] == "en" and final["citations"] and final["session_id"]
    follow_tokens, follow = _chat(api, {"question": "And in 2014?", "session_id": final["session_id"]})
    assert follow["session_id"] == final["session_id"] and "CE-BSG" in follow["standalone_question"]
    assert "".join(follow_tokens) == follow["text"]


@pytest.mark.parametrize("path", ["/ask", "/chat"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": "x" * 2001}, "question"),
        ({"question": ""}, "question"),
        ({"question": "budget", "k": 51}, "k"),
        ({"question": "budget", "strategy": "magic"}, "strategy"),
        ({"question": "budget", "session_id": "../../x"}, "session_id"),
        ({"question": "budget", "strategy": "llm"}, "MIZAN_LLM"),  # valid, but this server has no LLM
    ],
)
def test_answer_validation(api: httpx.Client, path: str, body: dict, field: str) -> None:
    response = api.post(path, json=body)
    assert response.status_code == 422 and field in _messages(response)


# --- the catalogue ----------------------------------------------------------------------------------------------


def test_document_list_and_filters(api: httpx.Client) -> None:
    listing = api.get("/documents").json()
    corpus = {d["file_name"] for d in listing["documents"] if not d["file_name"].startswith("uploads/")}
    assert corpus == {p.name for p in CORPUS.iterdir() if p.name != "manifest.csv"}
    assert [d["file_name"] for d in api.get("/documents", params={"doc_type": "loi"}).json()["documents"]] == [
        "note_lof_130_13_performance_genre.pdf"
    ]
    assert [d["language"] for d in api.get("/documents", params={"language": "ar"}).json()["documents"]] == ["ar"]
    found = api.get("/documents", params={"q": "REDIGER indicateurs"}).json()["documents"]  # case and accents ignored
    assert [d["file_name"] for d in found] == ["guide_indicateurs_genre.pdf"]
    recent = api.get("/documents", params={"year_from": 2025}).json()["documents"]
    assert recent and all(d["year"] >= 2025 for d in recent)
    assert api.get("/documents", params={"doc_type": "roman"}).status_code == 422


def test_document_detail(api: httpx.Client) -> None:
    doc_id = _doc_id(api, "guide_indicateurs_genre.pdf")
    detail = api.get(f"/documents/{doc_id}").json()
    assert detail["format"] == "pdf" and detail["pages"] == len(detail["page_numbers"]) >= 1
    assert detail["doc_type"] == "guide" and detail["language"] == "fr"
    assert api.get("/documents/0000000000000000").status_code == 404


def test_page_text_with_highlight(api: httpx.Client) -> None:
    hit = next(
        h for h in api.post("/search", json={"query": "données ventilées par sexe", "k": 10}).json()["hits"]
        if h["page"] == h["page_end"]
    )
    start, end = hit["quote_span"]
    page = api.get(f"/documents/{hit['doc_id']}/pages/{hit['page']}", params={"start": start, "end": end}).json()
    assert page["highlight"] == {"start": start, "end": end}
    assert page["text"][start:end] == hit["text"]
    to_end = api.get(f"/documents/{hit['doc_id']}/pages/{hit['page']}", params={"start": start}).json()
    assert to_end["highlight"] == {"start": start, "end": len(page["text"])}
    plain = api.get(f"/documents/{hit['doc_id']}/pages/{hit['page']}").json()
    assert plain["highlight"] is None and plain["pages"] >= hit["page"]


def test_page_errors(api: httpx.Client) -> None:
    doc_id = _doc_id(api, "guide_indicateurs_genre.pdf")
    assert api.get(f"/documents/{doc_id}/pages/999").status_code == 404
    assert api.get(f"/documents/{doc_id}/pages/0").status_code == 422
    assert api.get(f"/documents/{doc_id}/pages/1", params={"start": 10**6}).status_code == 422
    assert api.get(f"/documents/{doc_id}/pages/1", params={"start": 20, "end": 10}).status_code == 422


def test_page_image_is_a_png(api: httpx.Client) -> None:
    doc_id = _doc_id(api, "note_bsg_maroc_ar.pdf")
    response = api.get(f"/documents/{doc_id}/pages/1/image")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n") and len(response.content) > 10_000
    small = api.get(f"/documents/{doc_id}/pages/1/image", params={"scale": 0.5})
    assert len(small.content) < len(response.content)
    assert api.get(f"/documents/{doc_id}/pages/1/image", params={"scale": 10}).status_code == 422


@pytest.mark.parametrize("file_name", ["faq_bsg.md", "fiche_analyse_genre_programme.docx"])
def test_no_page_image_for_other_formats(api: httpx.Client, file_name: str) -> None:
    response = api.get(f"/documents/{_doc_id(api, file_name)}/pages/1/image")
    assert response.status_code == 404 and "not a PDF" in response.json()["detail"]


def test_file_download(api: httpx.Client) -> None:
    response = api.get(f"/documents/{_doc_id(api, 'etude_outils_bsg.pdf')}/file")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content == (CORPUS / "etude_outils_bsg.pdf").read_bytes()
    assert 'filename="etude_outils_bsg.pdf"' in response.headers["content-disposition"]


# --- writes: the key, uploads, jobs, deletion --------------------------------------------------------------------


def test_writes_need_the_key(api: httpx.Client) -> None:
    doc_id = _doc_id(api, "faq_bsg.md")
    assert _upload(api, "note.md", NEW_NOTE.encode(), key=None).status_code == 401
    assert _upload(api, "note.md", NEW_NOTE.encode(), key="wrong").status_code == 401
    assert api.delete(f"/documents/{doc_id}").status_code == 401
    assert api.delete(f"/documents/{doc_id}", headers={"X-API-Key": "wrong"}).status_code == 401
    assert api.delete(f"/documents/{doc_id}", headers={"X-API-Key": b"cl\xe9"}).status_code == 401  # not a 500
    assert api.get(f"/documents/{doc_id}").status_code == 200


def test_without_a_configured_key_writes_are_disabled(keyless_api: httpx.Client) -> None:
    for response in (
        _upload(keyless_api, "note.md", NEW_NOTE.encode(), key="anything"),
        keyless_api.delete("/documents/0000000000000000", headers={"X-API-Key": "anything"}),
    ):
        assert response.status_code == 403 and "MIZAN_API_KEY" in response.json()["detail"]
    assert keyless_api.get("/health").json()["uploads_enabled"] is False


def test_upload_search_then_delete(api: httpx.Client, settings: Settings) -> None:
    response = _upload(api, "Note Tiznit-Argan.md", NEW_NOTE.encode())
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["file_name"] == "uploads/Note_Tiznit-Argan.md"
    assert response.headers["location"] == accepted["status_url"] == f"/jobs/{accepted['job_id']}"
    job = _finished(api, accepted["job_id"])
    assert job["status"] == "done", job
    assert job["report"]["passages_embedded"] >= 1 and job["report"]["rejected"] == []
    [doc_id] = job["doc_ids"]
    assert (settings.data_dir / "uploads" / "Note_Tiznit-Argan.md").read_text(encoding="utf-8") == NEW_NOTE

    hits = api.post("/search", json={"query": "coopératives féminines d'argan à Tiznit", "k": 3}).json()["hits"]
    assert hits[0]["doc_id"] == doc_id
    assert api.get(f"/documents/{doc_id}").json()["format"] == "md"
    answer = api.post("/ask", json={"question": "Combien de coopératrices le programme Tiznit-Argan a-t-il formées ?"}).json()
    assert not answer["refused"] and "640" in answer["text"]
    assert doc_id in {c["doc_id"] for c in answer["citations"]}

    again = _finished(api, _upload(api, "Note Tiznit-Argan.md", NEW_NOTE.encode()).json()["job_id"])
    assert again["status"] == "done" and again["doc_ids"] == [doc_id] and "unchanged" in again["detail"]

    assert api.delete(f"/documents/{doc_id}", headers={"X-API-Key": KEY}).status_code == 204
    assert api.get(f"/documents/{doc_id}").status_code == 404
    assert api.delete(f"/documents/{doc_id}", headers={"X-API-Key": KEY}).status_code == 404
    assert not (settings.data_dir / "uploads" / "Note_Tiznit-Argan.md").exists()
    hits = api.post("/search", json={"query": "coopératives féminines d'argan à Tiznit", "k": 10}).json()["hits"]
    assert doc_id not in {h["doc_id"] for h in hits}


@pytest.mark.parametrize(
    ("name", "content", "status", "reason"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 415, "PNG image"),
        ("rapport.pdf", b"<html><body>404 Not Found</body></html>", 415, "no .pdf signature"),
        ("empty.md", b"", 415, "empty file"),
        ("\u202etxt.exe", b"plain words", 415, "unsupported type: .exe"),
        ("big.md", b"budget " * int(UPLOAD_MAX_MB * 1024 * 1024 / 7 + 1), 413, "MB limit"),
    ],
)
def test_upload_refusals(api: httpx.Client, name: str, content: bytes, status: int, reason: str) -> None:
    response = _upload(api, name, content)
    assert response.status_code == status and reason in response.json()["detail"]


def test_upload_over_the_limit_without_content_length(api: httpx.Client, settings: Settings) -> None:
    """A chunked body has no length to refuse it by: it is counted as it arrives, and stopped once over the limit."""
    boundary = "mizanboundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.md"\r\n\r\n'.encode()
    chunk = b"budget " * 10_000

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(int(20 * UPLOAD_MAX_MB * 1024 * 1024 / len(chunk))):  # twenty times the limit
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    uploads = settings.data_dir / "uploads"
    before = sorted(uploads.rglob("*")) if uploads.exists() else []
    # httpcore reads the response after the server stops reading the body: the 413 comes back even though the
    # client was still sending (a crash or a plain connection close would raise here instead).
    response = api.post(
        "/documents", content=body(),
        headers={"X-API-Key": KEY, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413 and "MB limit" in response.json()["detail"]
    assert api.get("/health").status_code == 200  # and the server goes on answering
    assert (sorted(uploads.rglob("*")) if uploads.exists() else []) == before  # nothing of it was kept


def test_a_file_that_fails_ingestion_is_a_failed_job(api: httpx.Client, settings: Settings) -> None:
    blank = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    job = _finished(api, _upload(api, "vide.pdf", blank).json()["job_id"])
    assert job["status"] == "failed" and "rejected: corrupt PDF" in job["detail"]
    assert job["report"]["rejected"][0]["file_name"] == "uploads/vide.pdf"
    assert not (settings.data_dir / "uploads" / "vide.pdf").exists()


@pytest.mark.parametrize(
    ("name", "stored"),
    [("../../etc/passwd", "passwd"), ("..\\..\\..\\evil.md", "evil.md"), ("/tmp/../../abs.md", "abs.md")],
)
def test_upload_names_cannot_leave_the_uploads_folder(api: httpx.Client, settings: Settings, name: str, stored: str) -> None:
    text = f"Fichier de test {stored} : budget sensible au genre, programme de test."
    response = _upload(api, name, text.encode())
    assert response.status_code == 202 and response.json()["file_name"] == f"uploads/{stored}"
    job = _finished(api, response.json()["job_id"])
    assert job["status"] == "done", job
    assert (settings.data_dir / "uploads" / stored).read_text(encoding="utf-8") == text
    around = settings.data_dir.parent.parent  # the session's whole temp tree: nothing may land beside the uploads
    assert [p for p in around.rglob(stored) if p.is_file()] == [settings.data_dir / "uploads" / stored]
    assert api.delete(f"/documents/{job['doc_ids'][0]}", headers={"X-API-Key": KEY}).status_code == 204


def test_reads_never_wait_for_a_write(api: httpx.Client, app: FastAPI) -> None:
    """Qdrant lets a search run beside an upsert: while a write holds the index (an upload being ingested, a deletion),
    searches, answers and the status line are served at once, not after it."""
    with app.state.services.lock:  # what the ingestion worker holds for the whole of a job
        started = time.monotonic()
        found = api.post("/search", json={"query": "budget genre", "k": 3}, timeout=30)
        answer = api.post("/ask", json={"question": "Comment formuler un indicateur sensible au genre ?"}, timeout=60)
        health = api.get("/health", timeout=30).json()
        assert found.status_code == 200 and found.json()["hits"]
        assert answer.status_code == 200 and not answer.json()["refused"]
        assert isinstance(health["passages"], int) and health["passages"] > 10
        assert time.monotonic() - started < 60


def test_unknown_job(api: httpx.Client) -> None:
    assert api.get("/jobs/nope").status_code == 404


# --- feedback ---------------------------------------------------------------------------------------------------


def test_feedback_is_stored_without_a_key(api: httpx.Client, settings: Settings) -> None:
    citation = {"n": 1, "doc_id": "abc", "file": "faq_bsg.md", "title": "FAQ", "page": 1, "quote": "« la BSG »",
                "chunk_id": "c1", "score": 0.5, "quote_span": [0, 10]}
    body = {"rating": -1, "question": "Qu'est-ce que la BSG ?", "answer": "La BSG est… [1]", "citations": [citation],
            "comment": "citation hors sujet", "session_id": "s1", "strategy": "extractive"}
    response = api.post("/feedback", json=body)
    assert response.status_code == 201
    with sqlite3.connect(settings.data_dir / "feedback.sqlite3") as db:
        row = db.execute("SELECT rating, question, answer, citations, comment FROM feedback WHERE id = ?",
                         (response.json()["id"],)).fetchone()
    assert row[:3] == (-1, body["question"], body["answer"]) and row[4] == "citation hors sujet"
    assert json.loads(row[3])[0]["quote"] == "« la BSG »"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"rating": 0}, "rating"), ({"comment": "x" * 2001}, "comment"), ({"question": "x" * 2001}, "question")],
)
def test_feedback_validation(api: httpx.Client, change: dict, field: str) -> None:
    body = {"rating": 1, "question": "q", "answer": "a", **change}
    response = api.post("/feedback", json=body)
    assert response.status_code == 422 and field in _messages(response)


def test_openapi_says_who_needs_the_key(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    assert "no API key is needed" in spec["paths"]["/feedback"]["post"]["description"]
    assert spec["paths"]["/documents"]["post"]["security"] == [{"APIKeyHeader": []}]
    assert "security" not in spec["paths"]["/search"]["post"]


# --- the CLI against the running API, and beside it --------------------------------------------------------------


# --- the contract: the UI client reads each response as the server sends it --------------------------------------


def test_the_ui_client_reads_every_response_as_the_server_sends_it(api: httpx.Client) -> None:
    """JSON -> the contract's model (core/contract.py) -> JSON gives the server's JSON back: no field lost, renamed
    or retyped between the routes and the client."""
    client = MizanClient(str(api.base_url))
    query, filters = "Comment formuler un indicateur sensible au genre ?", Filters(languages=["fr"], year_from=2000)
    for by_doc, key in ((False, "hits"), (True, "groups")):
        body = {"query": query, "k": 6, "by_doc": by_doc, "filters": filters.model_dump()}
        sent = api.post("/search", json=body).json()[key]
        read = client.search(query, k=6, filters=filters, by_doc=by_doc)
        assert sent and [found.model_dump(mode="json") for found in read] == sent
    assert isinstance(read[0].hits[0], Hit)

    asked = api.post("/ask", json={"question": query}).json()
    answer = client.ask(query)
    assert answer.citations and answer.model_dump(mode="json") == {**asked, "session_id": answer.session_id}
    final = [event for event in client.chat(query) if isinstance(event, ChatFinal)][-1].answer
    assert final.model_dump(exclude={"session_id"}) == answer.model_dump(exclude={"session_id"})
    off_topic = "Quelle est la recette du couscous aux sept légumes ?"
    refused = client.ask(off_topic)
    assert refused.refused and refused.nearest_documents
    sent = api.post("/ask", json={"question": off_topic}).json()
    assert refused.model_dump(mode="json") == {**sent, "session_id": refused.session_id}

    listed = client.documents(doc_type="guide")
    assert listed and [d.model_dump(mode="json") for d in listed] == api.get("/documents?doc_type=guide").json()["documents"]
    doc_id = listed[0].doc_id
    assert client.document(doc_id).model_dump(mode="json") == api.get(f"/documents/{doc_id}").json()
    page = client.page(doc_id, 1, start=3, end=40)
    assert page.highlight is not None and page.model_dump(mode="json") == api.get(
        f"/documents/{doc_id}/pages/1?start=3&end=40").json()

    [job_id] = client.upload([("contrat-tiznit.md", NEW_NOTE.encode(), "text/markdown")], api_key=KEY)
    job = client.job(job_id)
    while not job.finished:
        time.sleep(0.2)
        job = client.job(job_id)
    assert job.status == "done" and job.report is not None and job.report.passages_embedded > 0
    assert job.model_dump(mode="json") == api.get(f"/jobs/{job_id}").json()
    for new_id in job.doc_ids:
        client.delete(new_id, api_key=KEY)


def test_cli_search_and_ask_through_the_api(api: httpx.Client) -> None:
    url = str(api.base_url)
    runner = CliRunner()
    found = runner.invoke(cli, ["search", "indicateurs de performance", "--api", url, "--json", "--k", "3", "--type", "loi"])
    assert found.exit_code == 0, found.output
    assert {h["doc_type"] for h in json.loads(found.output)} == {"loi"}
    answered = runner.invoke(cli, ["ask", "Comment formuler un indicateur sensible au genre ?", "--api", url])
    assert answered.exit_code == 0, answered.output
    assert "[1]" in answered.output and " p." in answered.output  # the answer, then its numbered sources
    assert runner.invoke(cli, ["ask", "budget", "--api", url, "--llm"]).exit_code == 2


def test_cli_chat_through_the_api_keeps_the_conversation(api: httpx.Client) -> None:
    result = CliRunner().invoke(
        cli, ["chat", "--api", str(api.base_url)],
        input="Quand le Maroc a-t-il commencé la budgétisation sensible au genre ?\nEt en 2014 ?\n\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("[1]") >= 2


def test_cli_names_the_server_holding_the_index(api: httpx.Client, settings: Settings) -> None:
    """The server (this process) holds the embedded store: another process is told so, and about --api."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
    env.update(MIZAN_DATA_DIR=str(settings.data_dir), MIZAN_EMBED_MODEL=settings.embed_model)
    result = subprocess.run(
        [sys.executable, "-m", "mizan.cli", "ask", "Qu'est-ce que la BSG ?"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == EXIT_LOCKED, result.stdout + result.stderr
    assert "another process" in result.stdout and "--api" in result.stdout


def test_word_sections_are_cited_by_heading_path(api: httpx.Client) -> None:
    """A .docx has no pages: a hit on it names its section's heading path, and the page endpoint says it too."""
    hits = api.post("/search", json={"query": "Quelles questions poser pour décrire les bénéficiaires du programme ?",
                                     "k": 10}).json()["hits"]
    word = [h for h in hits if h["file_name"].endswith(".docx")]
    assert word, "the practice sheet (.docx) should be among the hits"
    assert word[0]["locator"]
    page = api.get(f"/documents/{word[0]['doc_id']}/pages/{word[0]['page']}").json()
    assert page["label"] == word[0]["locator"]
