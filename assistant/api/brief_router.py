"""POST /brief: a delegation brief on one topic, as JSON or as a Markdown or PDF file to download."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.api.errors import BODY_ERRORS, error
from assistant.api.user_jobs import BriefsDep
from assistant.user_jobs.brief import Brief, Topic
from assistant.user_jobs.brief_pdf import PdfUnavailable, brief_pdf
from core.contract import Language

MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}

router = APIRouter(tags=["brief"])


class BriefRequest(BaseModel):
    topic: Topic = Field(description="institutions, legal_basis, tools, gender_report (the annual gender budget "
                         "report), results (results and figures) or lessons.")
    language: Language = Field("en", description="The reader's language: titles and notes are in it; quotes stay as "
                               "written, their language marked.")


@router.post(
    "/brief", summary="Prepare a delegation brief", response_model=Brief,
    responses={**BODY_ERRORS, 200: {"content": {"text/markdown": {}, "application/pdf": {}},
                                     "description": "The brief (JSON), or with `format=md` the Markdown file, with "
                                     "`format=pdf` the PDF file."},
               503: error("`format=pdf` on a server without Chromium to print it (`make browser`).")},
)
def brief(
    request: BriefRequest, briefs: BriefsDep,
    format: Annotated[Literal["json", "md", "pdf"], Query(
        description="`md`: the Markdown document as a file to save; `pdf`: the same brief printed (Arabic right to "
        "left).")] = "json",
) -> Brief | Response:
    """Five to eight bullet points quoted from the documents, each with its citation (document, page, quote span),
    dated points in time order."""
    result = briefs.brief(request.topic, request.language)
    if format == "json":
        return result
    content: str | bytes = result.markdown
    if format == "pdf":
        try:
            content = brief_pdf(result)
        except PdfUnavailable as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    name = f"mizan-brief-{request.topic}-{request.language}.{format}"
    return Response(content, media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
