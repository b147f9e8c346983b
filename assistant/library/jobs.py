"""Background ingestion for the API, and the lock that keeps index writes from racing each other.

Writes (ingest, delete) go one at a time, through `WriteLock`: an upload replaces an earlier one of its name, a
deletion removes a file, and the docstore is one JSON file. Reads never take it: Qdrant (in this process with Edge,
or on a server) lets a search run beside an upsert, so a question is answered while a document is being indexed.
Ingestion runs in one worker thread, in the order files arrived.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from assistant.library.uploads import UPLOADS, incoming_dir, publish
from core.settings import Settings
from index.indexer import Indexer, IngestReport

log = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "done", "failed"]
WriteLock = threading.Lock  # one writer at a time; readers never wait on it


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


class IngestQueue:
    """One worker thread ingesting uploads one after another; jobs are kept in memory for the process's life."""

    def __init__(self, settings: Settings, indexer: Indexer, lock: WriteLock) -> None:
        self.settings = settings
        self.indexer = indexer
        self.lock = lock
        self._jobs: dict[str, Job] = {}
        self._pending: queue.Queue[tuple[str, Path, str] | None] = queue.Queue()
        self._guard = threading.Lock()
        self._stopping = False
        self._worker = threading.Thread(target=self._work, name="mizan-ingest", daemon=True)

    def start(self) -> None:
        shutil.rmtree(incoming_dir(self.settings), ignore_errors=True)  # staged by a process that stopped first
        self._worker.start()

    def stop(self) -> None:
        """Finish the file being ingested (stopping halfway would leave index and docstore disagreeing); drop the rest."""
        self._stopping = True
        self._pending.put(None)
        self._worker.join()

    def submit(self, staged: Path, name: str) -> Job:
        """Queue a staged upload (see `assistant.library.uploads`) to be ingested as uploads/<name>."""
        job = Job(job_id=uuid.uuid4().hex, file_name=f"{UPLOADS}/{name}")
        with self._guard:
            self._jobs[job.job_id] = job
        self._pending.put((job.job_id, staged, name))
        return replace(job)

    def get(self, job_id: str) -> Job | None:
        with self._guard:
            job = self._jobs.get(job_id)
            return replace(job) if job is not None else None

    def _update(self, job_id: str, **changes: object) -> None:
        with self._guard:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]

    def _work(self) -> None:
        while (item := self._pending.get()) is not None:
            job_id, staged, name = item
            if self._stopping:
                staged.unlink(missing_ok=True)
                continue
            self._update(job_id, status="running", detail="reading and indexing", started_at=time.time())
            try:
                report, doc_ids = self._ingest(staged, name)
            except Exception as exc:  # the worker must outlive any one bad file; the job says what happened
                log.exception("ingestion of upload %s failed", name)
                staged.unlink(missing_ok=True)
                self._update(job_id, status="failed", detail=f"ingestion failed ({type(exc).__name__}: {exc})",
                             finished_at=time.time())
                continue
            status, detail = _outcome(report)
            self._update(job_id, status=status, detail=detail, report=report, doc_ids=doc_ids, finished_at=time.time())

    def _ingest(self, staged: Path, name: str) -> tuple[IngestReport, list[str]]:
        with self.lock:
            path = publish(self.settings, staged, name)
            file_name = f"{UPLOADS}/{name}"
            try:
                report = self.indexer.ingest(self.settings.data_dir.resolve(), files=[path])
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            # keep uploads/ holding exactly the uploads that are in the index under their own name: a copy of an
            # indexed document is recorded as an alias of it, and its file is not kept
            if report.rejected or file_name in report.aliased:
                path.unlink(missing_ok=True)
            return report, [d.doc_id for d in self.indexer.documents() if file_name in (d.file_name, *d.aliases)]


def _outcome(report: IngestReport) -> tuple[JobStatus, str]:
    replaced = "; the earlier upload of this name was removed from the index" if report.removed else ""
    if report.rejected:
        return "failed", "; ".join(f"rejected: {r.reason}" for r in report.rejected) + replaced
    if report.aliased:
        first = next(iter(report.aliased.values()))
        return "done", f"same content as {first}, already in the index: this name is kept as an alias of it" + replaced
    if report.chunks_embedded == 0:
        return "done", "already in the index, unchanged"
    return "done", f"indexed {report.pages} pages as {report.chunks_embedded} passages in {report.seconds:.1f} s" + replaced
