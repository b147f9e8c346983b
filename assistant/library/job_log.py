"""Upload jobs on disk (<data>/jobs.sqlite3), so a server that stopped, even killed mid-job, can say after its restart
what came of each job instead of forgetting it or leaving it "running" forever.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.contract import JobStatus
from index.indexer import IngestReport
from ingest.types import Rejected


@dataclass
class Job:
    job_id: str
    file_name: str  # the catalogue name: uploads/<safe name>
    status: JobStatus = "queued"
    detail: str = "waiting for the ingestion worker"
    doc_ids: list[str] = field(default_factory=list)
    report: IngestReport | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    # What a restart needs to finish a job the server left unfinished: the staged file (gone once it took its
    # name), where an earlier document's file was moved to make room for it (IngestQueue._make_room), and how
    # many servers have started on it (one that keeps killing the server is not tried a third time).
    staged: str | None = None
    moved: str | None = None
    attempts: int = 0


_SCHEMA = "CREATE TABLE IF NOT EXISTS jobs (job_id TEXT PRIMARY KEY, created_at REAL NOT NULL, record TEXT NOT NULL)"


class JobLog:
    """One short connection per call, as the feedback store: SQLite serialises the writers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def save(self, job: Job) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO jobs (job_id, created_at, record) VALUES (?, ?, ?)",
                       (job.job_id, job.created_at, json.dumps(asdict(job), ensure_ascii=False)))

    def get(self, job_id: str) -> Job | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT record FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return _job(row[0]) if row else None

    def unfinished(self) -> list[Job]:
        """Jobs a stopped server left queued or running, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT record FROM jobs ORDER BY created_at").fetchall()
        return [job for job in (_job(row[0]) for row in rows) if job.status in ("queued", "running")]

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)


def _job(record: str) -> Job:
    data = json.loads(record)
    report = data.pop("report")
    if report is not None:
        rejected = [Rejected(**r) for r in report.pop("rejected")]
        report = IngestReport(**report, rejected=rejected)
    return Job(**data, report=report)
