"""Ratings people give answers, kept in SQLite in the data dir for whoever tunes the assistant next.

Each rating stores the question, the answer text and its citations as they were shown, so a thumbs-down can be
replayed and read later even after the index or the answer code has changed.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from core.contract import Citation
from core.settings import Settings

MAX_TEXT = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    comment TEXT,
    session_id TEXT,
    strategy TEXT
)
"""


def _rating(value: object) -> object:
    if isinstance(value, bool):  # true == 1 to Python, not in JSON
        raise ValueError("Input should be 1 or -1, not a boolean")
    return value


class Feedback(BaseModel):
    rating: Annotated[Literal[1, -1], BeforeValidator(_rating)] = Field(description="1: the answer helped; -1: it did not.")
    question: str = Field(min_length=1, max_length=MAX_TEXT, description="The question as it was asked.")
    answer: str = Field(max_length=20_000, description="The answer text as it was shown.")
    citations: list[Citation] = Field(default_factory=list, max_length=50, description="The citations shown with it.")
    comment: str | None = Field(None, max_length=MAX_TEXT, description="What was wrong or right, in any language.")
    session_id: str | None = Field(None, max_length=64, description="The conversation the answer belongs to, if any.")
    strategy: str | None = Field(None, max_length=32, description="The answer's `strategy` field (extractive or llm).")


def feedback_path(settings: Settings) -> Path:
    return settings.data_dir / "feedback.sqlite3"


class FeedbackStore:
    """One short connection per call: SQLite serialises the writers, so request threads need no lock of ours."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def add(self, feedback: Feedback) -> int:
        citations = json.dumps([c.model_dump() for c in feedback.citations], ensure_ascii=False)
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, citations, comment, session_id, strategy)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), feedback.rating, feedback.question, feedback.answer,
                 citations, feedback.comment, feedback.session_id, feedback.strategy),
            )
            return int(cursor.lastrowid or 0)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)
