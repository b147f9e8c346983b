"""Question files and the runner, on a fake retriever: parsing errors, unanswerable questions, the report's shape."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.settings import Settings
from evaluation.context import EvalContext, Passage
from evaluation.questions import load_questions
from evaluation.report import markdown, write_report
from evaluation.retrievers import RETRIEVERS
from evaluation.runner import evaluate

GOOD = {
    "id": "q1", "lang": "fr", "user": "staff", "question": "Quand la BSG a-t-elle été lancée ?", "answerable": True,
    "evidence": [{"doc": "etude.pdf", "page": 1, "quote": "lancée en 2002"}], "answer": "En 2002.",
}
UNANSWERABLE = {**GOOD, "id": "q2", "lang": "en", "question": "What is the budget of Mars?", "answerable": False,
                "evidence": []}


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
                    encoding="utf-8")
    return path


def test_bad_lines_are_named_by_line_and_field_and_the_rest_is_kept(tmp_path: Path) -> None:
    bad_page = {**GOOD, "id": "q3", "evidence": [{"doc": "etude.pdf", "page": "douze", "quote": "x"}]}
    no_evidence = {**GOOD, "id": "q4", "evidence": []}
    path = write_jsonl(tmp_path / "q.jsonl", [GOOD, "{not json", bad_page, no_evidence, {**GOOD, "lang": "es"},
                                              "", UNANSWERABLE])
    loaded = load_questions(path)
    assert [q.id for q in loaded.questions] == ["q1", "q2"]
    assert len(loaded.errors) == 4
    assert loaded.errors[0].startswith(f"{path}:2: not valid JSON")
    assert f"{path}:3: evidence.0.page:" in loaded.errors[1]
    assert f"{path}:4:" in loaded.errors[2] and "answerable question without evidence" in loaded.errors[2]
    assert f"{path}:5: lang:" in loaded.errors[3]


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    loaded = load_questions(write_jsonl(tmp_path / "q.jsonl", [GOOD, GOOD]))
    assert len(loaded.questions) == 1 and loaded.errors == [f"{tmp_path / 'q.jsonl'}:2: id: 'q1' already used on line 1"]


class FixedRetriever:
    """Returns the same passages whatever the question."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def retrieve(self, question: str, k: int) -> list[Passage]:
        return self.passages[:k]


@pytest.fixture
def context(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> EvalContext:
    other = Passage("autre.pdf", 3, "Rien à voir.")
    right = Passage("etude.pdf", 1, "La démarche a été lancée en 2002 au Maroc.")
    monkeypatch.setitem(RETRIEVERS, "first", lambda ctx: FixedRetriever([right, other]))
    monkeypatch.setitem(RETRIEVERS, "second", lambda ctx: FixedRetriever([other, right]))
    runtime = SimpleNamespace(settings=Settings(data_dir=tmp_path), indexer=SimpleNamespace(documents=lambda: []))
    return EvalContext(runtime, "test", tmp_path, tmp_path / "eval")  # type: ignore[arg-type]


def test_unanswerable_questions_are_reported_but_not_scored(context: EvalContext, tmp_path: Path) -> None:
    questions = load_questions(write_jsonl(tmp_path / "q.jsonl", [GOOD, UNANSWERABLE]))
    report = evaluate(context, questions, ["first", "second"], k=10)
    assert report["meta"]["answerable"] == 1 and report["meta"]["unanswerable"] == 1
    first, second = report["modes"]["first"], report["modes"]["second"]
    assert first["overall"]["n"] == 1 and first["overall"]["recall@1"] == 1.0  # q2 would otherwise drag it to 0.5
    assert second["overall"]["recall@1"] == 0.0 and second["overall"]["mrr@10"] == 0.5
    assert list(first["by_lang"]) == ["fr"] and list(first["by_doc"]) == ["etude.pdf"]
    unanswerable = report["questions"][1]["modes"]["first"]
    assert unanswerable["first_hit_rank"] is None and unanswerable["top"][0] == {"file": "etude.pdf", "page": 1}


def test_report_files_are_written(context: EvalContext, tmp_path: Path) -> None:
    questions = load_questions(write_jsonl(tmp_path / "q.jsonl", [GOOD, UNANSWERABLE]))
    report = evaluate(context, questions, ["first", "second"], k=10)
    paths = write_report(report, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md", "recall.png"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["modes"]["first"]["overall"]["recall@10"] == 1.0
    assert "| first | 1.000 |" in markdown(report)
    assert paths[2].read_bytes().startswith(b"\x89PNG")
