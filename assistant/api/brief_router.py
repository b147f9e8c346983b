"""POST /brief: a delegation brief on one topic, as JSON or as a Markdown file to download."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.api.errors import BODY_ERRORS
from assistant.api.user_jobs import BriefsDep
from assistant.user_jobs.brief import Brief, Topic
from core.contract import Language

router = APIRouter(tags=["brief"])


class BriefRequest(BaseModel):
    topic: Topic = Field(description="institutions, legal_basis, tools, gender_report (the annual gender budget "
                         "report), results (results and figures) or lessons.")
    language: Language = Field("en", description="The reader's language: titles and notes are in it; quotes stay as "
                               "written, their language marked.")


@router.post(
    "/brief", summary="Prepare a delegation brief", response_model=Brief,
    responses={**BODY_ERRORS, 200: {"content": {"text/markdown": {}}, "description": "The brief (JSON), or with "
                                   "`format=md` the Markdown file."}},
)
def brief(
    request: BriefRequest, briefs: BriefsDep,
    format: Annotated[Literal["json", "md"],
                      Query(description="`md`: the Markdown document as a file to save.")] = "json",
) -> Brief | Response:
    """Five to eight bullet points quoted from the documents, each with its citation (document, page, quote span),
    dated points in time order."""
    result = briefs.brief(request.topic, request.language)
    if format == "md":
        name = f"mizan-brief-{request.topic}-{request.language}.md"
        return Response(result.markdown, media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return result
