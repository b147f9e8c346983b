"""A person reads the console: `mizan` commands print Mizan's lines, not the libraries' bars and warnings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOISE = ("Loading weights", "Token indices sequence length", "[transformers]", "Writing model shards")

pytestmark = pytest.mark.slow


def _mizan(*args: str, data_dir: Path, verbose: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "MIZAN_"))}
    env["MIZAN_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "mizan.cli", *(["--verbose"] if verbose else []), *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_ingest_and_eval_print_no_library_noise(tmp_path: Path, embed_model_path: str) -> None:
    """A long report (over E5's 512 tokens) is what made the tokenizer warn, once per document."""
    data = tmp_path / "data"
    (data / "models").mkdir(parents=True)
    (data / "models" / Path(embed_model_path).name).symlink_to(Path(embed_model_path).resolve())
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(REPO / "corpus" / "documents" / "rapport_budget_genre_plf2025.pdf", docs)
    ingest = _mizan("ingest", str(docs), data_dir=data)
    assert ingest.returncode == 0, ingest.stderr
    questions = tmp_path / "q.jsonl"
    questions.write_text((REPO / "evaluation" / "questions" / "sample.jsonl").read_text().splitlines()[0] + "\n")
    evaluated = _mizan("eval", "--questions", str(questions), "--corpus", str(docs), "--modes", "hybrid",
                       "--out", str(tmp_path / "report"), data_dir=data)
    assert evaluated.returncode == 0, evaluated.stderr
    for run in (ingest, evaluated):
        output = run.stdout + run.stderr
        assert not [line for line in output.splitlines() if any(noise in line for noise in NOISE)], output
    assert "Ingested" in ingest.stdout
    # the same command with --verbose shows what the default hides: the check above can fail
    noisy = _mizan("eval", "--questions", str(questions), "--corpus", str(docs), "--modes", "hybrid",
                   "--out", str(tmp_path / "report2"), data_dir=data, verbose=True)
    assert "Loading weights" in noisy.stdout + noisy.stderr
