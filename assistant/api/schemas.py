"""Request models more than one router reads: the search filters, and the question sent to /ask and /chat."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from assistant.search import SearchFilters

Language = Literal["fr", "ar", "en"]
DocType = Literal["guide", "loi", "rapport", "etude", "autre"]
MAX_QUESTION_CHARS = 2000
MAX_K = 50


class Filters(BaseModel):
    """Narrow the passages searched; every filter given must hold (an empty list does not filter)."""

    languages: list[Language] = Field(default_factory=list, description="Only passages in these languages.")
    doc_types: list[DocType] = Field(
        default_factory=list, description="Only these kinds of document: guide, loi (law), rapport, etude, autre."
    )
    year_from: int | None = Field(None, ge=1900, le=2100, description="Only documents of this year or later.")
    year_to: int | None = Field(None, ge=1900, le=2100, description="Only documents of this year or earlier.")

    @model_validator(mode="after")
    def _years_in_order(self) -> Self:
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError(f"year_from ({self.year_from}) is after year_to ({self.year_to})")
        return self

    def to_search(self) -> SearchFilters:
        return SearchFilters(
            languages=list(self.languages), doc_types=list(self.doc_types), year_from=self.year_from, year_to=self.year_to
        )
