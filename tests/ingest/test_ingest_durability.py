"""kill -9 at any moment of an ingest, then the same ingest again, gives exactly the index of a clean run.

Qdrant Edge writes through a write-ahead log and the docstore is saved after the points, so a killed ingest leaves
either nothing of a document or its points without its docstore entry: the rerun embeds those again under the same
(deterministic) ids. The kills land at several moments of a real `mizan ingest` subprocess: while the model loads,
while files are read, and while pages are embedded and written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, scratch_settings

from assistant.services import build_services
from index.backends.factory import close_backend

pytestmark = pytest.mark.slow
KILL_AFTER_S = (2.0, 6.0, 12.0, 20.0)


def _env(data: Path, embed_model_path: str) -> dict[str, str]:
    return {**os.environ, "MIZAN_DATA_DIR": str(data), "MIZAN_EMBED_MODEL": embed_model_path}


def _ingest(data: Path, embed_model_path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mizan.cli", "ingest", str(CORPUS)], cwd=REPO, capture_output=True,
                          text=True, timeout=900, env=_env(data, embed_model_path))


def _index(data: Path, embed_model_path: str) -> tuple[set[str], dict[str, str], int]:
    """Point ids, document id -> file name, and the document count the catalogue reports."""
    settings = scratch_settings(data, embed_model_path)
    runtime = build_services(settings)
    try:
        ids = {point.id for point in runtime.backend.scroll(settings.collection)}
        documents = {d.doc_id: d.file_name for d in runtime.indexer.documents()}
        return ids, documents, runtime.indexer.document_count()
    finally:
        close_backend(settings)


def test_killed_ingests_then_a_rerun_give_the_clean_run_index(tmp_path: Path, embed_model_path: str) -> None:
    clean = tmp_path / "clean"
    assert _ingest(clean, embed_model_path).returncode == 0
    expected = _index(clean, embed_model_path)
    assert expected[0] and len(expected[1]) == 10

    killed = tmp_path / "killed"
    for delay in KILL_AFTER_S:  # each kill interrupts the previous, partial, state a little further on
        process = subprocess.Popen([sys.executable, "-m", "mizan.cli", "ingest", str(CORPUS)], cwd=REPO,
                                   env=_env(killed, embed_model_path), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
    rerun = _ingest(killed, embed_model_path)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _index(killed, embed_model_path) == expected
