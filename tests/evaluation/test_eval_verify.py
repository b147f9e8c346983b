"""`mizan eval verify` on a tiny corpus: every misplaced or missing quote is named, and the exit code says so."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from evaluation.questions import load_questions
from evaluation.verify import verify
from mizan.cli import app

TEXT = ("La budgétisation sensible au genre au Maroc\n\n"
        "L'expérience marocaine de budgétisation sensible au genre a été lancée en 2002 par le ministère des Finances.\n")


def question(qid: str, doc: str, page: int, quote: str) -> dict[str, object]:
    return {"id": qid, "lang": "fr", "user": "staff", "question": "?", "answerable": True,
            "evidence": [{"doc": doc, "page": page, "quote": quote}], "answer": "."}


def setup(tmp_path: Path, questions: list[dict[str, object]]) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "histoire.md").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n", encoding="utf-8")
    return path, corpus


def test_each_miss_is_named_with_its_reason(tmp_path: Path) -> None:
    path, corpus = setup(tmp_path, [
        question("ok", "histoire.md", 1, "a été lancée\nen 2002 PAR le ministère"),
        question("page", "histoire.md", 2, "lancée en 2002"),
        question("typo", "histoire.md", 1, "lancée en 2003"),
        question("doc", "absent.pdf", 1, "lancée en 2002"),
    ])
    misses, _ = verify(load_questions(path), corpus)
    assert [(m.question_id, m.reason) for m in misses] == [
        ("page", "on page 1, not 2"),
        ("typo", "not in the extracted text"),
        ("doc", "document not in the corpus"),
    ]


def test_cli_exit_code(tmp_path: Path) -> None:
    good, corpus = setup(tmp_path, [question("ok", "histoire.md", 1, "lancée en 2002")])
    runner = CliRunner()
    assert runner.invoke(app, ["eval", "verify", str(good), "--corpus", str(corpus)]).exit_code == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(question("typo", "histoire.md", 1, "lancée en 2003")) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "verify", str(bad), "--corpus", str(corpus)])
    assert result.exit_code == 1 and "typo" in result.output
