"""Background ingestion for the API, and the lock that keeps index writes from racing each other and the readers.

The embedded Qdrant store is plain Python over numpy arrays and SQLite: a search that runs while points are
being added can see the arrays half-grown. So writes (ingest, delete) are exclusive, one at a time, and with the
embedded store they also wait for running reads and hold new ones back; a Qdrant server orders its own writes,
so there reads never wait. Ingestion runs in one worker thread, in the order files arrived.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from assistant.uploads import UPLOADS, incoming_dir, publish
from index.indexer import Indexer, IngestReport
from mizan.settings import Settings

log = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "done", "failed"]


class StoreLock:
    """Many readers or one writer; a waiting writer holds new readers back, so a busy API cannot starve uploads.

    With `readers_wait=False` (a Qdrant server) only writers exclude each other.
    """

    def __init__(self, *, readers_wait: bool) -> None:
        self._readers_wait = readers_wait
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    def try_acquire_read(self) -> bool:
        """Never blocks: the API polls from its event loop, so a waiting reader holds no thread (see api.deps)."""
        with self._condition:
            if self._readers_wait and (self._writing or self._writers_waiting):
                return False
            self._readers += 1
            return True

    def release_read(self) -> None:
        with self._condition:
            self._readers -= 1
            self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._writers_waiting += 1
            self._condition.wait_for(lambda: not self._writing and not (self._readers_wait and self._readers))
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


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

    def __init__(self, settings: Settings, indexer: Indexer, lock: StoreLock) -> None:
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
        """Queue a staged upload (see `assistant.uploads`) to be ingested as uploads/<name>."""
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
        with self.lock.writing():
            path = publish(self.settings, staged, name)
            report = self.indexer.ingest(self.settings.data_dir.resolve(), files=[path])
            if report.rejected:  # keep uploads/ holding exactly the uploads that are in the index
                path.unlink(missing_ok=True)
            file_name = f"{UPLOADS}/{name}"
            return report, [d.doc_id for d in self.indexer.documents() if file_name in (d.file_name, *d.aliases)]


def _outcome(report: IngestReport) -> tuple[JobStatus, str]:
    replaced = "; the earlier upload of this name was removed from the index" if report.removed else ""
    if report.rejected:
        return "failed", "; ".join(f"rejected: {r.reason}" for r in report.rejected) + replaced
    if report.chunks_embedded == 0:
        return "done", "already in the index, unchanged"
    return "done", f"indexed {report.pages} pages as {report.chunks_embedded} passages in {report.seconds:.1f} s" + replaced
