"""`mizan bench load`: concurrent clients against a real `mizan serve`, with and without writes running beside them.

The server is started here, on loopback, over a throw-away data dir holding the corpus (ingested first by `mizan
ingest`, in its own process): nothing of the user's index is touched and nothing listens beyond this machine.
Clients are threads with an HTTP client each; every request is timed end to end, as a user of the API sees it.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from core.settings import Settings
from evaluation.bench import QUESTIONS
from ingest.loader import load_corpus

REAL_QUESTIONS = QUESTIONS.with_name("real.jsonl")

ENDPOINTS = ("search", "ask", "health")
STARTUP_S = 300.0
REQUEST_TIMEOUT_S = 120.0
UPLOAD_NAME = "charge-ecriture.md"


@dataclass
class Timings:
    """Seconds per endpoint, and what went wrong (status codes other than 200, exceptions)."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    writes: list[str] = field(default_factory=list)  # what the writer did meanwhile, one line per action
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, endpoint: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.seconds[endpoint].append(seconds)
            if error is not None:
                self.errors[endpoint].append(error)

    def fail(self, what: str, error: str) -> None:
        with self.lock:
            self.errors[what].append(error)


def bench_load(settings: Settings, console: Console, *, corpus: Path, clients: int, requests: int) -> dict:
    """p50/p95 per endpoint and error counts for `clients` × `requests` requests (/search, /ask and /health in
    turn), first with reads alone, then while an upload is being indexed and deleted again, over and over."""
    first, second = _questions()
    key = secrets.token_hex(8)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="mizan-load-") as tmp:
        data = Path(tmp)
        env = {**os.environ, "MIZAN_DATA_DIR": str(data), "MIZAN_API_KEY": key, "MIZAN_QDRANT_URL": "",
               "MIZAN_EMBED_MODEL": str(Path(settings.embed_model_path).resolve())}
        console.print(f"ingesting {corpus} into {data}…")
        ingest = subprocess.run([sys.executable, "-m", "mizan.cli", "ingest", str(corpus)], env=env,
                                capture_output=True, text=True)
        if ingest.returncode not in (0, 2):
            raise RuntimeError(f"mizan ingest failed ({ingest.returncode}): {ingest.stdout}{ingest.stderr}")
        upload = _upload_text(corpus)
        with _server(env, data) as url:
            console.print(f"server at {url}; {clients} clients × {requests} requests, reads only…")
            results["reads only"] = _phase(url, clients, requests, first, None)
            console.print("again, while an upload is indexed and deleted, over and over…")
            results["with upload + delete"] = _phase(url, clients, requests, second,
                                                     lambda stop, timings: _writer(url, key, upload, stop, timings))
    _print(console, results, clients, requests)
    return {phase: _figures(timings) for phase, timings in results.items()}


def _questions() -> tuple[list[str], list[str]]:
    """Both dev sets' questions, shuffled and split in two: the phases never ask the same question, so what the
    first one left in the server's caches (a question's language, a passage's sentences) does not flatter the
    second."""
    lines = [line for path in (QUESTIONS, REAL_QUESTIONS) for line in path.read_text(encoding="utf-8").splitlines()]
    questions = list(dict.fromkeys(json.loads(line)["question"] for line in lines if line.strip()))
    random.Random(11).shuffle(questions)
    half = len(questions) // 2
    return questions[:half], questions[half:]


def _upload_text(corpus: Path) -> bytes:
    """A new document as large as the corpus: its sentences shuffled (new content, so it is embedded, not aliased)."""
    pages = [page.text for doc in load_corpus(corpus).documents for page in doc.pages]
    sentences = [s.strip() for page in pages for s in page.replace("\n", " ").split(". ") if len(s.split()) > 4]
    random.Random(7).shuffle(sentences)
    return ("# Document de charge\n\n" + "\n\n".join(". ".join(sentences[i:i + 5]) + "."
                                                     for i in range(0, len(sentences), 5))).encode("utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], data: Path) -> Iterator[str]:
    port = _free_port()
    log = (data / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "mizan.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped while starting: {(data / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {STARTUP_S:g} s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _phase(url: str, clients: int, requests: int, questions: list[str],
           writer: Callable[[threading.Event, Timings], None] | None) -> Timings:
    timings = Timings()
    stop = threading.Event()
    writing = threading.Thread(target=writer, args=(stop, timings), daemon=True) if writer else None
    if writing is not None:
        writing.start()
        time.sleep(1.0)  # the upload is being read and embedded when the first reads arrive
    threads = [threading.Thread(target=_client, args=(url, number, requests, questions, timings))
               for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    if writing is not None:
        writing.join(REQUEST_TIMEOUT_S * 3)
    return timings


def _client(url: str, number: int, requests: int, questions: list[str], timings: Timings) -> None:
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
        for index in range(requests):
            endpoint = ENDPOINTS[(number + index) % len(ENDPOINTS)]
            question = questions[(number * requests + index) % len(questions)]
            started = time.perf_counter()
            error = None
            try:
                if endpoint == "health":
                    response = client.get("/health")
                else:
                    response = client.post(f"/{endpoint}", json={"query" if endpoint == "search" else "question":
                                                                 question})
                if response.status_code != 200:
                    error = f"{response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            timings.add(endpoint, time.perf_counter() - started, error)


def _writer(url: str, key: str, upload: bytes, stop: threading.Event, timings: Timings) -> None:
    """Upload the document, wait for its job, delete it; again until the readers are done."""
    headers = {"X-API-Key": key}
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                sent = client.post("/documents", files={"file": (UPLOAD_NAME, upload, "text/markdown")}, headers=headers)
                sent.raise_for_status()
                while (job := client.get(sent.json()["status_url"]).json())["status"] not in ("done", "failed"):
                    time.sleep(0.2)
                for doc_id in job["doc_ids"]:
                    client.delete(f"/documents/{doc_id}", headers=headers).raise_for_status()
                timings.writes.append(f"{job['status']}: {job['detail']}; deleted; {time.perf_counter() - started:.1f} s")
                if job["status"] != "done":
                    timings.fail("upload", job["detail"])
            except httpx.HTTPError as exc:
                timings.fail("upload", f"{type(exc).__name__}: {exc}")
                return


def _percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _figures(timings: Timings) -> dict:
    return {endpoint: {"n": len(values), "p50_s": round(statistics.median(values), 3),
                       "p95_s": round(_percentile(values, 95), 3), "max_s": round(max(values), 3),
                       "errors": len(timings.errors.get(endpoint, []))}
            for endpoint, values in timings.seconds.items()} | {
        "writes": timings.writes, "write_errors": len(timings.errors.get("upload", []))}


def _print(console: Console, results: dict[str, Timings], clients: int, requests: int) -> None:
    table = Table(title=f"mizan bench load: {clients} clients × {requests} requests")
    for column in ("phase", "endpoint", "requests", "p50 s", "p95 s", "max s", "errors"):
        table.add_column(column, justify="left" if column in ("phase", "endpoint") else "right")
    for phase, timings in results.items():
        for endpoint in ENDPOINTS:
            values = timings.seconds.get(endpoint)
            if values:
                table.add_row(phase, endpoint, str(len(values)), f"{statistics.median(values):.2f}",
                              f"{_percentile(values, 95):.2f}", f"{max(values):.2f}",
                              str(len(timings.errors.get(endpoint, []))))
    console.print(table)
    for phase, timings in results.items():
        for line in timings.writes:
            console.print(f"{phase}, writer: {line}")
        for endpoint, errors in timings.errors.items():
            for error in errors[:5]:
                console.print(f"[red]{phase}, {endpoint}: {error}[/red]")
