"""The committed question files: every quote is on its stated page, in the text retrieval sees.

A quote that drifted (a re-extracted page, a hand-edited evidence item, an audit's addition on the wrong page) would
silently count as a retrieval miss in every mode; this keeps `mizan eval verify` green for the files the quality
figures come from. The real sets need the real reports beside the checkout (`dev_corpus`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.corpora import combined_corpus
from evaluation.questions import load_questions
from evaluation.verify import verify

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "evaluation" / "questions"
# Each pooled relevance audit and the question file it completed.
AUDITS = {
    "real-pooling-2026-12-03.jsonl": "real.jsonl",
    "heldout2-pooling-2026-12-04.jsonl": "heldout2.jsonl",
    "heldout3-pooling-2026-12-04.jsonl": "heldout3.jsonl",
}
SAMPLE_CORPUS = ROOT / "corpus" / "documents"

pytestmark = pytest.mark.slow


def _misses(name: str, corpus: Path) -> list[tuple[str, str, int, str]]:
    questions = load_questions(QUESTIONS / name)
    assert not questions.errors, questions.errors
    misses, _ = verify(questions, corpus)
    return [(m.question_id, m.doc, m.page, m.reason) for m in misses]


def test_sample_quotes_are_on_their_pages() -> None:
    assert _misses("sample.jsonl", SAMPLE_CORPUS) == []


@pytest.mark.parametrize("name", ["real.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl"])
def test_real_quotes_are_on_their_pages(name: str, dev_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    corpus = combined_corpus([dev_corpus, SAMPLE_CORPUS], tmp_path_factory.mktemp("corpora"))
    assert _misses(name, corpus) == []


@pytest.mark.parametrize(("audit", "name"), sorted(AUDITS.items()))
def test_each_relevance_audit_is_in_its_set(audit: str, name: str) -> None:
    """Every passage a pooled audit added is an evidence item of its question, what was rejected on review is not,
    and its confirmed near misses stay unanswerable: the committed figures are read on the audited judgments."""
    questions = {q.id: q for q in load_questions(QUESTIONS / name).questions}
    rows = [json.loads(line) for line in (ROOT / "evaluation" / "audits" / audit).read_text(encoding="utf-8").splitlines()]
    assert rows
    for row in rows:
        question = questions[row["id"]]
        items = {(e.doc, e.page, e.quote) for e in question.evidence}
        if row["verdict"] == "added":
            assert (row["doc"], row["page"], row["quote"]) in items, row
        elif row["verdict"] == "rejected on review":
            assert (row["doc"], row["page"], row["quote"]) not in items, row
        else:
            assert row["verdict"] == "unanswerable confirmed" and not question.answerable, row
