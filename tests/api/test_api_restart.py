"""SIGKILL the API while it indexes an upload, start it again: the job ends done or failed (never stuck "running"),
and the library's records agree (tests/support/library_audit.py).

A real `mizan serve` (uvicorn) in a subprocess over an index of its own, the real model; killed in the middle of
embedding a large upload, after a small one went in whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import REPO, scratch_settings
from test_api_server import _free_port

from assistant.services import build_services
from index.backends.factory import close_backend
from tests.support.library_audit import audit

pytestmark = pytest.mark.slow
KEY = "restart-key-0c7a"
SMALL = ("Note de Tazenakht. La commune de Tazenakht finance deux crèches communales, suivies par un indicateur "
         "ventilé par sexe.\n").encode()
PARAGRAPHS = 160  # a few dozen passages: the job runs for tens of seconds on the 2-core machine


def large_note() -> bytes:
    paragraphs = [f"Paragraphe {i} du rapport d'Imilchil. La région d'Imilchil suit {i} indicateurs sensibles au genre "
                  f"dans le programme {i % 7} ; la part des femmes bénéficiaires y atteint {i % 50 + 10} % en 202{i % 6}, "
                  f"selon l'enquête ménages numéro {i * 13}." for i in range(PARAGRAPHS)]
    return ("# Rapport d'Imilchil\n\n" + "\n\n".join(paragraphs)).encode()


@contextmanager
def server(data: Path, embed_model_path: str) -> Iterator[tuple[subprocess.Popen, httpx.Client]]:
    port = _free_port()
    env = {**os.environ, "MIZAN_DATA_DIR": str(data), "MIZAN_EMBED_MODEL": embed_model_path, "MIZAN_API_KEY": KEY}
    process = subprocess.Popen([sys.executable, "-m", "mizan.cli", "serve", "--port", str(port)], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, "the server stopped while starting"
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start in 180 s"
            time.sleep(0.3)
        yield process, client
    finally:
        client.close()
        if process.poll() is None:
            process.terminate()
            process.wait(120)


def upload(client: httpx.Client, name: str, content: bytes) -> str:
    response = client.post("/documents", files={"file": (name, content, "text/markdown")}, headers={"X-API-Key": KEY})
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


def wait_for(client: httpx.Client, job_id: str, statuses: tuple[str, ...], timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text  # a job is never forgotten
        if (job := response.json())["status"] in statuses:
            return dict(job)
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_a_job_killed_mid_ingest_ends_done_or_failed_and_the_library_agrees(tmp_path: Path,
                                                                              embed_model_path: str) -> None:
    data = tmp_path / "data"
    with server(data, embed_model_path) as (process, api):
        small = wait_for(api, upload(api, "tazenakht.md", SMALL), ("done", "failed"))
        assert small["status"] == "done", small
        job_id = upload(api, "imilchil.md", large_note())
        wait_for(api, job_id, ("running",))
        time.sleep(3.0)  # into reading and embedding
        assert api.get(f"/jobs/{job_id}").json()["status"] == "running", "the job ended before the kill"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    with server(data, embed_model_path) as (_, api):
        job = wait_for(api, job_id, ("done", "failed"))
        print(f"\nafter the restart: {job['status']}: {job['detail']}")
        assert "restart" in job["detail"], job
        assert api.get(f"/jobs/{small['job_id']}").json()["status"] == "done"  # jobs outlive the server
        catalogue = api.get("/documents").json()["documents"]
        names = {d["file_name"] for d in catalogue}
        assert "uploads/tazenakht.md" in names
        assert ("uploads/imilchil.md" in names) == (job["status"] == "done"), (job, names)
        if job["status"] == "done":
            hits = api.post("/search", json={"query": "Imilchil enquête ménages", "k": 3}).json()["hits"]
            assert hits[0]["file_name"] == "uploads/imilchil.md"

    settings = scratch_settings(data, embed_model_path)
    runtime = build_services(settings)
    try:
        problems = audit(settings, runtime.backend, catalogue)
    finally:
        close_backend(settings)
    assert not problems, problems
