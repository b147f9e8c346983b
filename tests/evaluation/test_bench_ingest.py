"""`mizan bench ingest` on a tiny folder: it runs end to end and reports every figure the README quotes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIELDS = {
    "backend", "files", "pages", "chunks", "seconds", "pages_per_s", "chunks_per_s", "raw_encode_texts_per_s",
    "raw_encode_texts_per_s_torch_fp32", "encode_speedup_vs_torch_fp32", "ratio", "peak_rss_mb", "peak_rss_reader_mb",
    "projected_hours_50k_pages", "precision", "sentences_embedded", "raw_encode_sentences_per_s", "ratio_chunks_only",
}

pytestmark = pytest.mark.slow


def test_bench_ingest_reports_its_figures_as_json(tmp_path: Path, embed_model_path: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    paragraph = ("La budgétisation sensible au genre intègre l'égalité entre les femmes et les hommes dans la "
                 "programmation budgétaire. Les indicateurs de performance sont ventilés par sexe. ")
    for n in range(3):
        (docs / f"note_{n}.txt").write_text(paragraph * (20 * (n + 1)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
    env.update(MIZAN_DATA_DIR=str(tmp_path / "data"), MIZAN_EMBED_MODEL=embed_model_path, MIZAN_EMBED_BACKEND="onnx")
    run = subprocess.run([sys.executable, "-m", "mizan.cli", "bench", "ingest", str(docs), "--json"], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert FIELDS <= figures.keys()
    assert figures["backend"] == "onnx" and figures["files"] == 3 and figures["pages"] == 3
    assert figures["chunks"] >= 3 and figures["pages_per_s"] > 0 and figures["raw_encode_texts_per_s_torch_fp32"] > 0
    assert figures["projected_hours_50k_pages"] == pytest.approx(50_000 / figures["pages_per_s"] / 3600)
    assert figures["peak_rss_mb"] > 100 and figures["peak_rss_reader_mb"] > 50  # the reader process is measured too
    # the ratio counts the sentences the pipeline also embedded (MIZAN_WARM_SENTENCES, on by default)
    assert figures["sentences_embedded"] > 0 and figures["raw_encode_sentences_per_s"] > 0
    assert 0 < figures["ratio_chunks_only"] < figures["ratio"]
    assert not (tmp_path / "data" / "edge").exists()  # a scratch store, never the data dir's
