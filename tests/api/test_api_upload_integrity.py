"""Uploads never leave the catalogue and the uploads folder disagreeing: a copy of an indexed document under
another name becomes an alias (its file is not kept), and a refused or unreadable upload leaves no file behind.

The real app on a real uvicorn server, the real model, an index of its own (empty at first, no sample corpus).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from conftest import scratch_settings
from test_api_server import live_server

from assistant.api.app import create_app
from core.settings import Settings

KEY = "integrity-key-9b2e"
UPLOAD_MAX_MB = 0.05
NOTE = """# Note sur les crèches communales de Taroudant

La commune de Taroudant a ouvert trois crèches en 2024 pour permettre aux mères de reprendre un emploi.
Le budget alloué est de 1,2 million de dirhams, suivi par un indicateur sensible au genre.
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Settings:
    return scratch_settings(tmp_path_factory.mktemp("integrity"), embed_model_path, api_key=KEY,
                            upload_max_mb=UPLOAD_MAX_MB)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


def _upload(api: httpx.Client, name: str, content: bytes) -> httpx.Response:
    return api.post("/documents", files={"file": (name, content, "application/octet-stream")},
                    headers={"X-API-Key": KEY})


def _finished(api: httpx.Client, response: httpx.Response, timeout: float = 120) -> dict:
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + timeout
    while (job := api.get(f"/jobs/{response.json()['job_id']}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    return job


def _uploaded_files(settings: Settings) -> list[str]:
    """Every file under the uploads folder, the hidden staging folder included."""
    folder = settings.data_dir / "uploads"
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _documents(api: httpx.Client) -> list[dict]:
    return api.get("/documents").json()["documents"]


def test_a_copy_under_another_name_becomes_an_alias(api: httpx.Client, settings: Settings) -> None:
    first = _finished(api, _upload(api, "creches.md", NOTE.encode()))
    assert first["status"] == "done", first
    [doc_id] = first["doc_ids"]

    copy = _finished(api, _upload(api, "copie des crèches.md", NOTE.encode()))
    assert copy["status"] == "done" and copy["doc_ids"] == [doc_id], copy
    assert "uploads/creches.md" in copy["detail"], copy["detail"]  # says which document it duplicates
    [document] = _documents(api)
    assert document["doc_id"] == doc_id and document["file_name"] == "uploads/creches.md"
    assert document["aliases"] == ["uploads/copie_des_crèches.md"]
    assert api.get(f"/documents/{doc_id}").json()["aliases"] == ["uploads/copie_des_crèches.md"]
    assert _uploaded_files(settings) == ["creches.md"]  # the duplicate's file is not kept
    assert api.get(f"/documents/{doc_id}/file").content == NOTE.encode()

    again = _finished(api, _upload(api, "copie des crèches.md", NOTE.encode()))  # the same copy once more
    assert again["status"] == "done" and again["doc_ids"] == [doc_id]
    assert [(d["file_name"], d["aliases"]) for d in _documents(api)] == [
        ("uploads/creches.md", ["uploads/copie_des_crèches.md"])]
    assert _uploaded_files(settings) == ["creches.md"]

    first_again = _finished(api, _upload(api, "creches.md", NOTE.encode()))  # the first file read again
    assert first_again["status"] == "done" and "unchanged" in first_again["detail"], first_again
    assert [(d["file_name"], d["aliases"]) for d in _documents(api)] == [
        ("uploads/creches.md", ["uploads/copie_des_crèches.md"])]  # it keeps the alias it has no file for
    assert _uploaded_files(settings) == ["creches.md"]

    assert api.delete(f"/documents/{doc_id}", headers={"X-API-Key": KEY}).status_code == 204
    assert _documents(api) == [] and _uploaded_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 415),  # a type we do not read
        ("outil.exe", b"MZ\x90\x00" + bytes(range(256)) * 4, 415),
        ("gros.md", b"budget " * int(UPLOAD_MAX_MB * 1024 * 1024 / 7 + 1), 413),  # over the size limit
    ],
)
def test_a_refused_upload_leaves_no_file(api: httpx.Client, settings: Settings, name: str, content: bytes,
                                         status: int) -> None:
    before = _uploaded_files(settings)
    assert _upload(api, name, content).status_code == status
    assert _uploaded_files(settings) == before


def test_an_unreadable_upload_leaves_no_file(api: httpx.Client, settings: Settings) -> None:
    blank = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    before, documents = _uploaded_files(settings), _documents(api)
    job = _finished(api, _upload(api, "vide.pdf", blank))
    assert job["status"] == "failed" and "corrupt PDF" in job["detail"]
    assert _uploaded_files(settings) == before and _documents(api) == documents
