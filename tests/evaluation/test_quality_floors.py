"""Quality floors: retrieval and answers on the five question sets may not fall below the committed figures.

The figures are those of evaluation/RESULTS.md (same defaults). The tolerance is about two questions of the set
(one for a language's own floor), so noise passes and a real regression (a dropped glossary, a broken fusion,
a refusal threshold at 0) does not. The real set needs the real reports beside the checkout (`dev_corpus`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import scratch_settings

from core.settings import Settings
from evaluation.answers import evaluate_answers
from evaluation.corpora import combined_corpus
from evaluation.questions import load_questions
from evaluation.runner import evaluate, prepare

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "evaluation" / "questions" / "sample.jsonl"
REAL = ROOT / "evaluation" / "questions" / "real.jsonl"
HELDOUT = ROOT / "evaluation" / "questions" / "heldout.jsonl"
HELDOUT2 = ROOT / "evaluation" / "questions" / "heldout2.jsonl"
HELDOUT3 = ROOT / "evaluation" / "questions" / "heldout3.jsonl"
CORPUS = ROOT / "corpus" / "documents"

pytestmark = pytest.mark.slow

# Committed figures (evaluation/RESULTS.md), hybrid mode and extractive answers, as a clean checkout builds them on a CPU
# without native bf16 (fp32 passages; two fresh builds give identical ranks), on real.jsonl after its pooled relevance
# audit (evaluation/audits/). A bf16 build (AMX CPU) differs by about one question each way: inside the tolerance.
FLOORS = {
    "sample": {"recall@5": 0.926, "mrr@10": 0.756, "by_lang": {"fr": 0.971, "en": 0.727, "ar": 1.0},
               "answerable_refused": 0.0, "unanswerable_refused": 0.833, "evidence_hit": 0.667},
    "real": {"recall@5": 0.905, "mrr@10": 0.738, "by_lang": {"fr": 0.897, "en": 0.895, "ar": 0.938},
             "answerable_refused": 0.027, "unanswerable_refused": 0.750, "evidence_hit": 0.875},
    # The blind sets: about a third the real set's size, so one question moves a language by 0.13-0.17; no
    # per-language floors (one Arabic question is 0.125-0.167).
    # held-out 2 and 3 after their own pooled audits (evaluation/audits/).
    "heldout": {"recall@5": 0.750, "mrr@10": 0.621, "by_lang": {},
                "answerable_refused": 0.062, "unanswerable_refused": 0.500, "evidence_hit": 0.633},
    "heldout2": {"recall@5": 0.853, "mrr@10": 0.612, "by_lang": {},
                 "answerable_refused": 0.029, "unanswerable_refused": 0.333, "evidence_hit": 0.697},
    "heldout3": {"recall@5": 0.792, "mrr@10": 0.691, "by_lang": {},
                 "answerable_refused": 0.083, "unanswerable_refused": 0.250, "evidence_hit": 0.727},
}
TOLERANCE = {"sample": 0.04, "real": 0.03, "heldout": 0.07, "heldout2": 0.06, "heldout3": 0.08}  # about two questions
LANG_TOLERANCE = {"fr": 0.03, "en": 0.06, "ar": 0.07}  # about one question of the smaller sets
ROUNDING = 0.001  # the committed figures have three decimals (8 of 12 is 0.667): no question's worth of slack


def _measure(settings: Settings, questions: Path, corpus: Path) -> dict[str, Any]:
    context, _ = prepare(settings, corpus)
    question_set = load_questions(questions)
    retrieval = evaluate(context, question_set, ["hybrid"], 10)["modes"]["hybrid"]
    answers = evaluate_answers(context, question_set, ["extractive"])["strategies"]["extractive"]
    return {"overall": retrieval["overall"], "by_lang": retrieval["by_lang"], "answers": answers}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Settings]:
    yield scratch_settings(tmp_path_factory.mktemp("floors"), embed_model_path)


@pytest.fixture(scope="module")
def measured(settings: Settings, dev_corpus: Path) -> dict[str, dict[str, Any]]:
    real_corpus = combined_corpus([dev_corpus, CORPUS], settings.data_dir / "corpora")
    return {"sample": _measure(settings, SAMPLE, CORPUS), "real": _measure(settings, REAL, real_corpus),
            "heldout": _measure(settings, HELDOUT, real_corpus), "heldout2": _measure(settings, HELDOUT2, real_corpus),
            "heldout3": _measure(settings, HELDOUT3, real_corpus)}


@pytest.mark.parametrize("question_set", ["sample", "real", "heldout", "heldout2", "heldout3"])
def test_retrieval_does_not_fall_below_the_committed_figures(measured: dict, question_set: str) -> None:
    floor, got, tolerance = FLOORS[question_set], measured[question_set], TOLERANCE[question_set]
    assert got["overall"]["recall@5"] >= floor["recall@5"] - tolerance, got["overall"]
    assert got["overall"]["mrr@10"] >= floor["mrr@10"] - tolerance, got["overall"]
    for lang, value in floor["by_lang"].items():
        assert got["by_lang"][lang]["recall@5"] >= value - LANG_TOLERANCE[lang], (lang, got["by_lang"][lang])


@pytest.mark.parametrize("question_set", ["sample", "real", "heldout", "heldout2", "heldout3"])
def test_answers_keep_their_refusal_rates_and_citations(measured: dict, question_set: str) -> None:
    floor, got, tolerance = FLOORS[question_set], measured[question_set]["answers"], TOLERANCE[question_set]
    assert got["citation_validity"] == 1.0
    assert got["answerable_refused"] <= floor["answerable_refused"] + tolerance, got
    assert got["unanswerable_refused"] >= floor["unanswerable_refused"] - ROUNDING, got
    assert got["evidence_hit"] >= floor["evidence_hit"] - tolerance, got
