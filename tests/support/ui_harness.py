"""Real servers for the UI tests: the API (uvicorn over `create_app`) on the sample corpus, and the Streamlit UI.

The corpus is ingested once per test session (`mizan ingest`, as a user would) into a temporary data dir; each
API server gets its own copy of that dir, so a test that uploads or deletes documents changes nobody else's index.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "documents"
API_KEY = "ui-test-key"

_ingested: Path | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    """The servers' environment: none of the caller's MIZAN_ settings, and explicit values for those a local .env
    could otherwise bring in (an LLM, a Qdrant server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
    env.update({
        "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false", "MIZAN_LLM": "none", "MIZAN_QDRANT_URL": "",
        "MIZAN_API_KEY": "", **extra,
    })
    return env


def ingested_data_dir(embed_model_path: str) -> Path:
    """A data dir holding the sample corpus's index, built once per process."""
    global _ingested
    if _ingested is None:
        folder = Path(tempfile.mkdtemp(prefix="mizan-ui-index-"))
        atexit.register(shutil.rmtree, folder, True)
        result = subprocess.run(
            [sys.executable, "-m", "mizan.cli", "ingest", str(CORPUS)],
            env=_env(MIZAN_DATA_DIR=str(folder), MIZAN_EMBED_MODEL=embed_model_path),
            cwd=REPO, capture_output=True, text=True, timeout=900,
        )
        if result.returncode not in (0, 2):
            raise RuntimeError(f"mizan ingest failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        _ingested = folder
    return _ingested


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _wait(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.tail()}")
        try:
            if httpx.get(server.url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"{server.url}{path} did not answer within {timeout:.0f}s:\n{server.tail()}")


def _spawn(command: list[str], env: dict[str, str], log: Path, url: str) -> Server:
    handle = log.open("wb")
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return Server(url=url, process=process, log=log)


def start_api(workdir: Path, embed_model_path: str, *, api_key: str | None = API_KEY,
              index: Path | None = None) -> Server:
    """The API on a copy of the ingested corpus (or of the data dir `index`), once /health answers."""
    data_dir = workdir / "data"
    shutil.copytree(index or ingested_data_dir(embed_model_path), data_dir)
    port = free_port()
    env = _env(MIZAN_DATA_DIR=str(data_dir), MIZAN_EMBED_MODEL=embed_model_path, MIZAN_API_KEY=api_key or "")
    command = [sys.executable, "-m", "uvicorn", "--factory", "assistant.api.app:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = _spawn(command, env, workdir / "api.log", f"http://127.0.0.1:{port}")
    _wait(server, "/health", timeout=300)
    return server


def start_ui(workdir: Path, api_url: str) -> Server:
    """The Streamlit interface against `api_url`, once Streamlit's own health check answers."""
    from ui import streamlit_command

    port = free_port()
    env = _env(MIZAN_API_URL=api_url, HOME=str(workdir))  # HOME: no user-level Streamlit config or credentials
    server = _spawn(streamlit_command(port=port), env, workdir / "ui.log", f"http://127.0.0.1:{port}")
    _wait(server, "/_stcore/health", timeout=120)
    return server
