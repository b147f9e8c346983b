"""POST /search: ranked passages (or documents) for a query, as `mizan search` prints them."""

from __future__ import annotations

import time

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictBool

from assistant.api.deps import SearchDep
from assistant.api.errors import BODY_ERRORS
from assistant.api.schemas import MAX_K, MAX_QUESTION_CHARS
from assistant.search.service import group_by_document, search_filters
from core.contract import Filters, JsonInt, Mode, SearchResponse

router = APIRouter(tags=["search"])


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="What you look for, in French, English or Arabic.")
    k: JsonInt = Field(10, ge=1, le=MAX_K, description=f"How many passages to return (at most {MAX_K}).")
    mode: Mode = Field(
        "hybrid",
        description="`hybrid` (meaning and exact words, the default), `dense` (meaning only, across languages) "
        "or `sparse` (exact words only, BM25).",
    )
    filters: Filters = Field(default_factory=Filters)
    by_doc: StrictBool = Field(False, description="Group the passages per document (for finding studies rather than passages).")


@router.post("/search", summary="Search passages", responses=BODY_ERRORS)
def search(request: SearchRequest, service: SearchDep) -> SearchResponse:
    """Hybrid search over every indexed passage. Each hit names its document, page and the passage's
    character span in that page's text (open it with `GET /documents/{doc_id}/pages/{page}?start=&end=`)."""
    started = time.perf_counter()
    hits = service.search(request.query, k=request.k, mode=request.mode, filters=search_filters(request.filters))
    took_ms = (time.perf_counter() - started) * 1000
    if request.by_doc:
        return SearchResponse(query=request.query, mode=request.mode, groups=group_by_document(hits), took_ms=took_ms)
    return SearchResponse(query=request.query, mode=request.mode, hits=hits, took_ms=took_ms)
