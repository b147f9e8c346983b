"""GET /jobs/{id}: how an upload's ingestion is going, and what came of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from assistant.api.deps import IngestDep
from assistant.api.errors import error
from assistant.library.jobs import Job
from core.contract import IngestSummary, JobState, Rejection

router = APIRouter(prefix="/jobs", tags=["documents"])


def job_state(job: Job) -> JobState:
    report = job.report
    summary = None
    if report is not None:
        summary = IngestSummary(
            pages=report.pages, passages_embedded=report.chunks_embedded, removed=report.removed,
            rejected=[Rejection(file_name=r.file_name, reason=r.reason) for r in report.rejected],
            warnings=report.warnings, seconds=report.seconds,
        )
    return JobState(
        job_id=job.job_id, status=job.status, detail=job.detail, file_name=job.file_name, doc_ids=job.doc_ids,
        report=summary, created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )


@router.get("/{job_id}", summary="Ingestion job status", responses={404: error("No job with this id.")})
def get_job(job_id: Annotated[str, Path(description="The id returned by POST /documents.")], ingest: IngestDep) -> JobState:
    """Jobs are kept on the server's disk. A job the server left unfinished when it stopped (even killed) is taken
    up again when it restarts, and ends `done` or `failed` like any other; its `detail` then says so."""
    job = ingest.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No job {job_id!r}.")
    return job_state(job)
