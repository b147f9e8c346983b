"""The researcher's toolkit: facet counts for a topic (POST /facets), figures for a topic (POST /figures) and similar
documents (GET /documents/{doc_id}/similar)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, Field

from assistant.api.errors import BODY_ERRORS, error
from assistant.api.schemas import MAX_QUESTION_CHARS, Filters
from assistant.api.user_jobs import FiguresDep, ResearchDep
from assistant.research import UnknownDocument

router = APIRouter(tags=["research"])


class FacetsRequest(BaseModel):
    query: str = Field("", max_length=MAX_QUESTION_CHARS, description="A topic, in French, English or Arabic; "
                       "empty: the whole catalogue.")
    filters: Filters = Field(default_factory=Filters)


class FacetsResponse(BaseModel):
    documents: int = Field(description="Documents counted: those holding the topic's best passages, or all.")
    doc_type: dict[str, int] = Field(description="Documents per type (guide, loi, rapport, etude, autre).")
    year: dict[str, int] = Field(description="Documents per year, newest first (\"none\": no year known).")
    language: dict[str, int] = Field(description="Documents per dominant language.")
    source: dict[str, int] = Field(description="Documents per publisher or source (\"none\": not recorded).")


class SimilarDocumentOut(BaseModel):
    doc_id: str
    title: str
    file_name: str
    doc_type: str
    year: int | None
    language: str
    score: float = Field(description="Cosine between this document's mean passage vector and the closest "
                         "passage of the other document (E5: ~0.8 unrelated, ~0.9 same subject).")


@router.post("/facets", summary="Count documents on a topic by type, year, language and source", responses=BODY_ERRORS)
def facets(request: FacetsRequest, research: ResearchDep) -> FacetsResponse:
    """Counts documents, not passages: one report with forty matching passages is one report."""
    return FacetsResponse(**asdict(research.facets(request.query, request.filters.to_search())))


@router.get("/documents/{doc_id}/similar", summary="Documents similar to one document",
            responses={404: error("No indexed document has this id.")})
def similar(
    doc_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]+$")],
    research: ResearchDep,
    k: Annotated[int, Query(ge=1, le=20, description="How many documents.")] = 5,
) -> list[SimilarDocumentOut]:
    """Closest documents to this one's mean passage vector, best first; the document itself is never listed."""
    try:
        found = research.similar(doc_id, k)
    except UnknownDocument as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no document {doc_id}") from exc
    return [SimilarDocumentOut(**asdict(d)) for d in found]


class FiguresRequest(BaseModel):
    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="A topic: what the figures measure.")
    filters: Filters = Field(default_factory=Filters)
    limit: int = Field(50, ge=1, le=200, description="At most this many figures.")


class FigureOut(BaseModel):
    value: str = Field(description="As written in the document (\"19,8 %\", \"1,7 milliard de dirhams\").")
    amount: float = Field(description="The value in `unit`.")
    unit: str = Field(description="\"%\" or \"MDH\" (millions of dirhams; billions are converted).")
    year: int | None = Field(description="The sentence's year nearest the figure, else the document's year.")
    measure: str = Field(description="What it measures, in the document's words (the clause before it).")
    sentence: str
    doc_id: str
    title: str
    file_name: str
    page: int
    locator: str = Field(description="A Word file's heading path, cited instead of the page.")
    language: str


@router.post("/figures", summary="Figures (rates, dirham amounts) on a topic, with unit, year and source",
             responses=BODY_ERRORS)
def figures(request: FiguresRequest, service: FiguresDep) -> list[FigureOut]:
    """Figures in the order of their passages' relevance; footnotes, captions and tables of contents skipped."""
    found = service.figures(request.query, request.filters.to_search(), request.limit)
    return [FigureOut(**asdict(f)) for f in found]
