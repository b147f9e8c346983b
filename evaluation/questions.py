"""Question files (JSONL): one question per line, with the evidence that answers it.

The format is a contract shared with the people who write question sets, so it is validated strictly and a bad
line is reported by number and field while every good line is still used: one typo must not cost a whole run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Lang = Literal["fr", "en", "ar"]
User = Literal["staff", "researcher", "delegation"]


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field(min_length=1)  # file name as ingested (relative to the corpus folder)
    page: int = Field(ge=1)
    quote: str = Field(min_length=1)  # exact words from that page, matched modulo whitespace and case


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    lang: Lang
    user: User
    question: str = Field(min_length=1)
    answerable: bool
    evidence: list[Evidence]
    answer: str

    @model_validator(mode="after")
    def _evidence_matches_answerable(self) -> Question:
        if self.answerable and not self.evidence:
            raise ValueError("answerable question without evidence")
        if not self.answerable and self.evidence:
            raise ValueError("unanswerable question must have evidence: []")
        return self


@dataclass
class QuestionSet:
    path: Path
    questions: list[Question] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "FILE:LINE: field: problem", one per rejected line

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.answerable]


def load_questions(path: Path) -> QuestionSet:
    """Every valid question of the file; each invalid line becomes one error naming its line and field."""
    result = QuestionSet(path)
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            question = Question.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            result.errors.append(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except ValidationError as exc:
            result.errors.extend(f"{where}: {_field(err['loc'])}: {err['msg']}" for err in exc.errors())
            continue
        if question.id in seen:
            result.errors.append(f"{where}: id: {question.id!r} already used on line {seen[question.id]}")
            continue
        seen[question.id] = number
        result.questions.append(question)
    return result


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(line)"
