"""The answer contract shared by every strategy (extractive, local LLM, remote LLM), the API and the UI."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictBool


def json_number(value: object) -> object:
    """Pydantic's lax mode reads "5" and true as numbers; a JSON client that sends them has a bug worth a 422."""
    if isinstance(value, str | bool):
        raise ValueError(f"Input should be a JSON number, not {type(value).__name__}")
    return value


# Request fields are read as the spec types them: an integer is a JSON number with no fraction (5 or 5.0), not a
# string or a boolean, and a number is not either; pydantic's strict mode would also refuse a list for a tuple,
# and FastAPI validates the parsed JSON as Python objects, so these types check just the JSON types. Booleans are
# `StrictBool` (0 is not false). Bounds go before the validator (`Annotated[int, Field(ge=1), BeforeValidator(...)]`):
# after it, pydantic writes them into the spec as `ge`/`le` instead of `minimum`/`maximum`.
JsonInt = Annotated[int, BeforeValidator(json_number)]
JsonFloat = Annotated[float, BeforeValidator(json_number)]


class Citation(BaseModel):
    n: JsonInt = Field(description="The number used as [n] in the answer text.")
    doc_id: str
    file: str
    title: str
    page: JsonInt
    quote: str = Field(description="The cited words, in the source's language.")
    chunk_id: str
    score: JsonFloat
    quote_span: tuple[JsonInt, JsonInt] | None = Field(None, description="Character span of the quote in the page text.")
    locator: str = Field("", description="Where the quote is in a file without pages (a Word file's heading path, "
                         "e.g. \"Titre II › Recettes › Tableau 3\"); cite it instead of the page when set.")
    ocr: StrictBool = Field(False, description="The quoted passage was recognised by OCR from a scanned page: its words "
                      "may hold recognition errors.")


class NearDocument(BaseModel):
    doc_id: str
    file: str
    title: str
    page: int
    score: float


class ConflictValue(BaseModel):
    value: str = Field(description="The figure as its source writes it (\"19,8 %\").")
    n: int = Field(description="The citation [n] whose quote gives it.")


class Conflict(BaseModel):
    """One quantity (same measure, year and place in the passages' own words) given different values by the sources."""

    measure: str = Field(description="What is measured, in the first source's words.")
    year: str
    place: str = Field("", description="Region or rural/urban when the sources name one; empty: national.")
    values: list[ConflictValue]


class Answer(BaseModel):
    text: str = Field(description="Answer in the question's language; every [n] refers to a citation.")
    language: str = Field(description="fr, en or ar: the question's language.")
    refused: bool = Field(False, description="True when the evidence was too weak to answer.")
    refusal_reason: Literal["weak", "sex", "year", "place"] | None = Field(
        None, description="Why it was refused: weak evidence, or the closest passages lack figures for women (sex), "
        "the year asked (year) or the region or city asked (place).")
    citations: list[Citation] = Field(default_factory=list)
    nearest_documents: list[NearDocument] = Field(default_factory=list, description="Shown with a refusal.")
    strategy: str = Field("extractive", description="extractive or llm (after the guard's fallback, what was used).")
    standalone_question: str = Field("", description="The question actually searched (follow-ups rewritten).")
    removed_citations: int = Field(0, description="[n] markers naming no provided source, removed by the guard.")
    unsupported_sentences: int = Field(0, description="Sentences dropped because their cited passage did not support them.")
    wrong_language_sentences: int = Field(0, description="LLM sentences dropped for not being in the question's language.")
    fallback: bool = Field(False, description="The LLM's answer kept no supported sentence: the extractive answer replaced it.")
    conflicts: list[Conflict] = Field(default_factory=list, description="Figures the sources give differently (extractive answers).")
