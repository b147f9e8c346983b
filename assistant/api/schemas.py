"""Request models more than one router reads: the search filters, and the question sent to /ask and /chat."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from assistant.schema import json_number
from assistant.search import SearchFilters

Language = Literal["fr", "ar", "en"]
DocType = Literal["guide", "loi", "rapport", "etude", "autre"]
MAX_QUESTION_CHARS = 2000
MAX_K = 50
Year = Annotated[int, Field(ge=1900, le=2100), BeforeValidator(json_number)]


class Filters(BaseModel):
    """Narrow the passages searched; every filter given must hold (an empty list does not filter)."""

    languages: list[Language] = Field(default_factory=list, description="Only passages in these languages.")
    doc_types: list[DocType] = Field(
        default_factory=list, description="Only these kinds of document: guide, loi (law), rapport, etude, autre."
    )
    year_from: Year | None = Field(None, description="Only documents of this year or later.")
    year_to: Year | None = Field(
        None,
        description="Only documents of this year or earlier (a `year_to` before `year_from` matches nothing).",
    )

    def to_search(self) -> SearchFilters:
        return SearchFilters(
            languages=list(self.languages), doc_types=list(self.doc_types), year_from=self.year_from, year_to=self.year_to
        )
