"""`mizan eval` end to end on the sample corpus and dev set, in a scratch data dir (~2 min on 2 cores)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from evaluation.questions import load_questions
from evaluation.report import write_report
from evaluation.runner import evaluate, prepare
from index.backends.factory import close_backend

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "data" / "models" / "multilingual-e5-small"
CORPUS = ROOT / "corpus" / "documents"
QUESTIONS = ROOT / "evaluation" / "questions" / "sample.jsonl"
MODES = ["hybrid", "dense", "sparse", "naive"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    if not MODEL.is_dir():
        pytest.skip("embedding model not installed (make models)")
    data = tmp_path_factory.mktemp("eval-data")
    scratch = Settings(data_dir=data, qdrant_url=None, embed_model=str(MODEL))
    yield scratch
    close_backend(scratch)


@pytest.fixture(scope="module")
def report(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    context, ingested = prepare(settings, CORPUS)
    assert ingested is not None and ingested.documents == 10 and not ingested.rejected
    report = evaluate(context, load_questions(QUESTIONS), MODES, k=10)
    write_report(report, tmp_path_factory.mktemp("eval-out"))
    return report


def test_report_structure(report: dict[str, Any]) -> None:
    assert report["meta"]["answerable"] == 54 and report["meta"]["unanswerable"] == 6
    assert report["invalid_lines"] == []
    assert list(report["modes"]) == MODES
    for result in report["modes"].values():
        assert set(result) == {"overall", "by_lang", "by_user", "by_doc", "latency_ms", "median_passage_chars"}
        assert set(result["overall"]) == {"n", "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10"}
        assert set(result["by_lang"]) == {"fr", "en", "ar"}
        assert set(result["by_user"]) == {"staff", "researcher", "delegation"}
        assert len(result["by_doc"]) == 10
        overall = result["overall"]
        assert 0 <= overall["recall@1"] <= overall["recall@3"] <= overall["recall@5"] <= overall["recall@10"] <= 1
    first = report["questions"][0]
    assert set(first["modes"]) == set(MODES)
    assert {"first_hit_rank", "hit_ranks", "top", "latency_ms"} <= set(first["modes"]["hybrid"])
    assert len(first["modes"]["hybrid"]["top"]) == 3


def test_hybrid_beats_the_llamaindex_defaults(report: dict[str, Any]) -> None:
    modes = report["modes"]
    assert modes["hybrid"]["overall"]["mrr@10"] > modes["naive"]["overall"]["mrr@10"]


def test_second_run_on_an_unchanged_corpus_embeds_nothing(settings: Settings, report: dict[str, Any]) -> None:
    context, ingested = prepare(settings, CORPUS)
    assert ingested is not None and ingested.chunks_embedded == 0
    assert context.collection == report["meta"]["collection"]
    naive_cache = list((settings.data_dir / "eval" / "naive").iterdir())
    assert len(naive_cache) == 1 and (naive_cache[0] / "docstore.json").exists()
    json.dumps(report)  # the whole report is plain JSON
