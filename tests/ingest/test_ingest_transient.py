"""A file whose reading failed this time (timeout, dead reader) keeps what the index holds for it; a file that now
reads as broken does not; and a user's script without a main guard can ingest (the reader is a child process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import scratch_settings

from assistant.services import build_services
from index.backends.factory import close_backend
from ingest.loader import ReadLimits
from tests.support.readerfaults import misbehaving_read

REPO = Path(__file__).resolve().parents[2]
TEXT = "La budgétisation sensible au genre analyse les effets du budget sur les femmes et les hommes. " * 5


@pytest.mark.slow
def test_a_timed_out_file_keeps_its_indexed_version_a_broken_one_does_not(
        tmp_path: Path, embed_model_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note_slow.txt").write_text("Note lente. " + TEXT)
    (folder / "rapport.txt").write_text("Rapport. " + TEXT)
    settings = scratch_settings(tmp_path / "data", embed_model_path)
    runtime = build_services(settings)
    try:
        assert runtime.indexer.ingest(folder, prune=True).documents == 2
        (folder / "rapport.txt").write_text("")  # now empty: its old text no longer holds
        monkeypatch.setattr("index.indexer.read_limits", lambda s: ReadLimits(timeout_s=1.0, reader=misbehaving_read))
        report = runtime.indexer.ingest(folder, prune=True)
        reasons = {r.file_name: (r.reason, r.transient) for r in report.rejected}
        assert reasons["note_slow.txt"] == ("timed out after 1 s", True)
        assert reasons["rapport.txt"][1] is False
        assert [d.file_name for d in runtime.indexer.documents()] == ["note_slow.txt"]
        assert len(report.removed) == 1
    finally:
        close_backend(settings)


def test_a_script_without_a_main_guard_can_ingest(tmp_path: Path) -> None:
    """The reader runs in a spawned child, which would import the unguarded script again and ingest inside itself."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "note.txt").write_text(TEXT)
    script = tmp_path / "my_ingest.py"
    script.write_text("import sys\nfrom pathlib import Path\nfrom ingest.loader import load_corpus\n"
                      "result = load_corpus(Path(sys.argv[1]))\n"
                      "print('LOADED', len(result.documents), [r.reason for r in result.rejected])\n")
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "docs")], cwd=REPO, capture_output=True,
                         text=True, timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert "LOADED 1 []" in run.stdout, run.stdout + run.stderr
