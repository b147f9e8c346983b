"""The researcher's toolkit: facet counts for a topic (POST /facets), figures for a topic (POST /figures) and similar
documents (GET /documents/{doc_id}/similar)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, Field

from assistant.api.errors import BODY_ERRORS, error
from assistant.api.schemas import MAX_QUESTION_CHARS
from assistant.api.user_jobs import FiguresDep, ResearchDep
from assistant.search.service import search_filters
from assistant.user_jobs.figures import FoundFigure
from assistant.user_jobs.research import Facets, SimilarDocument, UnknownDocument
from core.contract import Filters

router = APIRouter(tags=["research"])


class FacetsRequest(BaseModel):
    query: str = Field("", max_length=MAX_QUESTION_CHARS, description="A topic, in French, English or Arabic; "
                       "empty: the whole catalogue.")
    filters: Filters = Field(default_factory=Filters)


@router.post("/facets", summary="Count documents on a topic by type, year, language and source", responses=BODY_ERRORS)
def facets(request: FacetsRequest, research: ResearchDep) -> Facets:
    """Counts documents, not passages: one report with forty matching passages is one report."""
    return research.facets(request.query, search_filters(request.filters))


@router.get("/documents/{doc_id}/similar", summary="Documents similar to one document",
            responses={404: error("No indexed document has this id.")})
def similar(
    doc_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]+$")],
    research: ResearchDep,
    k: Annotated[int, Query(ge=1, le=20, description="How many documents.")] = 5,
) -> list[SimilarDocument]:
    """Closest documents to this one's mean passage vector, best first; the document itself is never listed."""
    try:
        found = research.similar(doc_id, k)
    except UnknownDocument as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no document {doc_id}") from exc
    return found


class FiguresRequest(BaseModel):
    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="A topic: what the figures measure.")
    filters: Filters = Field(default_factory=Filters)
    limit: int = Field(50, ge=1, le=200, description="At most this many figures.")


@router.post("/figures", summary="Figures (rates, dirham amounts) on a topic, with unit, year and source",
             responses=BODY_ERRORS)
def figures(request: FiguresRequest, service: FiguresDep) -> list[FoundFigure]:
    """Figures in the order of their passages' relevance; footnotes, captions and tables of contents skipped."""
    return service.figures(request.query, search_filters(request.filters), request.limit)
