"""Background ingestion for the API, and the lock that keeps index writes from racing each other.

Writes (ingest, delete) go one at a time, through `WriteLock`: an upload replaces an earlier one of its name, a
deletion removes a file, and the docstore is one JSON file. Reads never take it: Qdrant (in this process with Edge,
or on a server) lets a search run beside an upsert, so a question is answered while a document is being indexed.
Ingestion runs in one worker thread, in the order files arrived.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

from assistant.library.job_log import Job, JobLog, JobStatus
from assistant.library.uploads import UPLOADS, incoming_dir, publish, uploads_dir
from core.settings import Settings
from index.indexer import Indexer, IngestReport

__all__ = ["IngestQueue", "Job", "JobStatus", "WriteLock"]

log = logging.getLogger(__name__)

WriteLock = threading.Lock  # one writer at a time; readers never wait on it
MAX_ATTEMPTS = 2  # servers that may start on one job: a file that kills the server is not tried forever
RESUMED = " (finished after a server restart)"
INTERRUPTED = "interrupted by a server restart before it was indexed; send the file again"


class IngestQueue:
    """One worker thread ingesting uploads one after another. Jobs are kept in <data>/jobs.sqlite3: a job the server
    left unfinished (stopped, or killed mid-job) is taken up again when it restarts, and ends done or failed."""

    def __init__(self, settings: Settings, indexer: Indexer, lock: WriteLock) -> None:
        self.settings = settings
        self.indexer = indexer
        self.lock = lock
        self._log = JobLog(settings.data_dir / "jobs.sqlite3")
        self._pending: queue.Queue[str | None] = queue.Queue()
        self._guard = threading.Lock()
        self._stopping = False
        self._worker = threading.Thread(target=self._work, name="mizan-ingest", daemon=True)

    def start(self) -> None:
        """Take up the jobs a stopped server left behind (first), drop staged files no job needs, start the worker."""
        needed: set[Path] = set()
        for job in self._log.unfinished():
            staged = Path(job.staged) if job.staged else None
            published = job.status == "running" and (staged is None or not staged.exists())
            if job.attempts >= MAX_ATTEMPTS or not (published or (staged is not None and staged.exists())):
                self._update(job.job_id, status="failed", detail=INTERRUPTED, finished_at=time.time())
                continue
            needed.update(p for p in (staged,) if p is not None)
            self._pending.put(job.job_id)
        incoming = incoming_dir(self.settings)
        for path in incoming.iterdir() if incoming.is_dir() else ():
            if path not in needed:  # staged by a process that stopped before queuing it
                path.unlink(missing_ok=True)
        self._worker.start()

    def stop(self) -> None:
        """Finish the file being ingested (stopping halfway would leave index and docstore disagreeing); the jobs still
        queued stay in the log, and the next start takes them up."""
        self._stopping = True
        self._pending.put(None)
        self._worker.join()

    def submit(self, staged: Path, name: str) -> Job:
        """Queue a staged upload (see `assistant.library.uploads`) to be ingested as uploads/<name>."""
        job = Job(job_id=uuid.uuid4().hex, file_name=f"{UPLOADS}/{name}", staged=str(staged))
        self._log.save(job)
        self._pending.put(job.job_id)
        return job

    def get(self, job_id: str) -> Job | None:
        return self._log.get(job_id)

    def _update(self, job_id: str, **changes: object) -> Job:
        with self._guard:
            job = self._log.get(job_id)
            assert job is not None, job_id
            job = replace(job, **changes)  # type: ignore[arg-type]
            self._log.save(job)
            return job

    def _work(self) -> None:
        _yield_cpu(self.settings.upload_nice)
        while (job_id := self._pending.get()) is not None:
            if self._stopping:
                continue
            job = self._log.get(job_id)
            if job is None:
                continue
            resumed = job.attempts > 0
            job = self._update(job_id, status="running", detail="reading and indexing", attempts=job.attempts + 1,
                               started_at=job.started_at or time.time())
            try:
                report, doc_ids = self._ingest(job)
            except Exception as exc:  # the worker must outlive any one bad file; the job says what happened
                log.exception("ingestion of upload %s failed", job.file_name)
                self._update(job_id, status="failed", detail=f"ingestion failed ({type(exc).__name__}: {exc})",
                             finished_at=time.time())
                continue
            status, detail = _outcome(report)
            self._update(job_id, status=status, detail=detail + (RESUMED if resumed else ""), report=report,
                         doc_ids=doc_ids, finished_at=time.time())

    def _ingest(self, job: Job) -> tuple[IngestReport, list[str]]:
        """Give the staged file its name and index it (or, for a job a killed server left running, index what it
        had already put in place). uploads/ then holds exactly the uploads indexed under their own name: a copy of
        an indexed document is recorded as an alias of it, and its file is not kept."""
        name = job.file_name.removeprefix(f"{UPLOADS}/")
        target = uploads_dir(self.settings) / name
        with self.lock:
            staged = Path(job.staged) if job.staged else None
            if staged is not None and staged.exists():
                job = self._make_room(job)
                publish(self.settings, staged, name)
            moved = Path(job.moved) if job.moved else None
            files = [path for path in (target, moved) if path is not None and path.is_file()]
            try:
                report = self.indexer.ingest(self.settings.data_dir.resolve(), files=files)
            except BaseException:
                target.unlink(missing_ok=True)
                if moved is not None and moved.is_file():
                    os.replace(moved, target)  # the earlier document gets its file back
                raise
            named = {d.metadata.get("file_name") for d in self.indexer.docstore.docs.values()}
            for path in files:
                if f"{UPLOADS}/{path.name}" not in named:
                    path.unlink(missing_ok=True)
            return report, [d.doc_id for d in self.indexer.documents() if job.file_name in (d.file_name, *d.aliases)]

    def _make_room(self, job: Job) -> Job:
        """Before an upload replaces the file of its name, move that file to the name of one of its document's
        upload aliases, if it has one: the alias was a copy of it, sent and not yet replaced, so the document keeps
        a file and a name that are its own (it is indexed again under that name, in the same run).

        The move is logged before it is made, so a restart finds the file wherever the kill left it.
        """
        folder = uploads_dir(self.settings)
        target = folder / job.file_name.removeprefix(f"{UPLOADS}/")
        stored = next((d for d in self.indexer.docstore.docs.values()
                       if d.metadata.get("file_name") == job.file_name), None) if target.is_file() else None
        aliases = stored.metadata.get("aliases", []) if stored is not None else []
        alias = next((a for a in aliases if a.startswith(f"{UPLOADS}/") and a != job.file_name
                      and not (folder / a.removeprefix(f"{UPLOADS}/")).exists()), None)
        if alias is None:
            return job
        destination = folder / alias.removeprefix(f"{UPLOADS}/")
        if destination.parent != folder:
            return job
        job = self._update(job.job_id, moved=str(destination))
        os.replace(target, destination)
        return job


def _yield_cpu(niceness: int) -> None:
    """Lower this thread's priority only: on Linux a thread has its own nice value, inherited by what it starts (the
    reader process, torch's threads), so requests keep theirs. Elsewhere, or when refused, the upload just competes."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError as exc:
        log.warning("could not lower the ingestion thread's priority: %s", exc)


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
