"""The API's contract, declared once: what the server sends and reads, the CLI prints and the UI client parses.

The routes return these models, `mizan search --json` prints them, and `ui/api_client.py` validates the server's
JSON with the same classes, so a field renamed on one side is renamed on all. Requests specific to one route stay
beside it (assistant/api/); what several of them share (filters, value lists) is here.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, Field, StrictBool

Language = Literal["fr", "ar", "en"]
DocType = Literal["guide", "loi", "rapport", "etude", "autre"]
Mode = Literal["hybrid", "dense", "sparse"]
JobStatus = Literal["queued", "running", "done", "failed"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DOC_TYPES: tuple[DocType, ...] = get_args(DocType)


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
Year = Annotated[int, Field(ge=1900, le=2100), BeforeValidator(json_number)]


# --- search ----------------------------------------------------------------------------------------------------


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


class Hit(BaseModel):
    rank: int
    score: float
    chunk_id: str
    doc_id: str
    file_name: str
    title: str
    doc_type: str
    year: int | None
    language: str
    page: int
    page_end: int
    section: str
    text: str
    quote_span: tuple[int, int]  # chunk's start in the text of `page`, end in the text of `page_end`
    locator: str = ""  # a Word file's heading path ("Titre II › Recettes › Tableau 3"), cited instead of a page
    page_breaks: list[tuple[int, int]] = Field(default_factory=list)  # (page, where it starts in `text`) after the first
    ocr: bool = Field(False, description="Some of the passage was recognised by OCR from a scanned page: its "
                      "words may hold recognition errors.")
    # The passage's dense vector, when the search asked for it (answers measure the evidence with it); never sent.
    vector: list[float] | None = Field(None, exclude=True, repr=False)

    def to_dict(self) -> dict[str, object]:
        return self.model_dump()

    @property
    def page_highlight(self) -> tuple[int, int | None]:
        """The passage's span in the text of its first page (it runs to the page's end when it spans pages)."""
        start, end = self.quote_span
        return (start, end if self.page_end == self.page else None)


class DocumentHits(BaseModel):
    """Hits grouped per document, for researchers who look for studies rather than passages."""

    doc_id: str
    file_name: str
    title: str
    doc_type: str
    year: int | None
    score: float
    pages: list[int]
    hits: list[Hit]

    def to_dict(self) -> dict[str, object]:
        return self.model_dump()


class SearchResponse(BaseModel):
    query: str
    mode: Mode
    hits: list[Hit] | None = Field(None, description="Passages, best first (when `by_doc` is false).")
    groups: list[DocumentHits] | None = Field(None, description="Documents in the order of their best passage (when `by_doc` is true).")
    took_ms: float = Field(description="Server time for the search, in milliseconds.")


# --- answers ---------------------------------------------------------------------------------------------------


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
    """The answer shared by every strategy (extractive, local LLM, remote LLM)."""

    text: str = Field(description="Answer in the question's language; every [n] refers to a citation.")
    language: str = Field(description="fr, en or ar: the question's language.")
    refused: bool = Field(False, description="True when the evidence was too weak to answer.")
    refusal_reason: Literal["weak", "sex", "per_head", "figure", "year", "place", "name"] | None = Field(
        None, description="Why it was refused: weak evidence, or the closest passages lack figures for women (sex), "
        "figures per inhabitant (per_head), any figure for a how-much question (figure), the year asked (year), the region or city asked (place) or the programme "
        "or body named in capitals (name).")
    citations: list[Citation] = Field(default_factory=list)
    nearest_documents: list[NearDocument] = Field(default_factory=list, description="Shown with a refusal.")
    strategy: str = Field("extractive", description="extractive or llm (after the guard's fallback, what was used).")
    standalone_question: str = Field("", description="The question actually searched (follow-ups rewritten).")
    removed_citations: int = Field(0, description="[n] markers naming no provided source, removed by the guard.")
    unsupported_sentences: int = Field(0, description="Sentences dropped because their cited passage did not support them.")
    wrong_language_sentences: int = Field(0, description="LLM sentences dropped for not being in the question's language.")
    fallback: bool = Field(False, description="The LLM's answer kept no supported sentence: the extractive answer replaced it.")
    conflicts: list[Conflict] = Field(default_factory=list, description="Figures the sources give differently (extractive answers).")


class ConversationAnswer(Answer):
    """What /ask returns and /chat's final event carries: the answer and its conversation."""

    session_id: str = Field(description="Send it back with the next question to keep the conversation.")


# --- documents -------------------------------------------------------------------------------------------------


class DocumentSummary(BaseModel):
    doc_id: str
    file_name: str = Field(description="The file's name in the corpus folder (uploads: `uploads/<name>`).")
    title: str
    doc_type: str = Field(description="guide, loi, rapport, etude or autre.")
    year: int | None
    language: str = Field(description="The document's main language: fr, ar, en (und: undetermined).")
    pages: int = Field(description="Number of pages.")
    source: str
    licence: str
    aliases: list[str] = Field(description="Other file names holding the same content.")


class DocumentList(BaseModel):
    documents: list[DocumentSummary]
    total: int


class DocumentDetail(DocumentSummary):
    page_numbers: list[int]
    format: str | None = Field(
        description="pdf, docx, html, md or txt; null when the file is no longer on the server (its text still is). "
        "Only pdf has page images."
    )


class Highlight(BaseModel):
    start: int
    end: int


class PageText(BaseModel):
    doc_id: str
    page: int
    pages: int = Field(description="Number of pages in the document.")
    text: str = Field(description="The page's text as indexed; spans in hits and citations count characters in it.")
    highlight: Highlight | None = Field(None, description="The requested span, kept within the page's text.")
    label: str = Field("", description="How to cite a unit that is not a printed page: a Word section's heading "
                       "path (its `page` is then the section's number).")


# --- uploads and their jobs ------------------------------------------------------------------------------------


class UploadAccepted(BaseModel):
    job_id: str
    status: str
    file_name: str = Field(description="The name the document gets in the catalogue (made safe).")
    status_url: str = Field(description="Where to follow the ingestion: GET it until status is done or failed.")


class Rejection(BaseModel):
    file_name: str
    reason: str


class IngestSummary(BaseModel):
    pages: int
    passages_embedded: int
    removed: list[str] = Field(description="Ids of documents this upload replaced.")
    rejected: list[Rejection] = Field(description="The file, when it could not be ingested, with the reason.")
    warnings: list[str] = Field(description="Read anyway, but worth knowing (wrong extension, pages without text...).")
    seconds: float


class JobState(BaseModel):
    job_id: str
    status: JobStatus = Field(description="queued, running, done (the document is searchable) or failed.")
    detail: str = Field(description="What is happening or what came of it, in a sentence.")
    file_name: str
    doc_ids: list[str] = Field(description="The document the file became, once done.")
    report: IngestSummary | None = Field(None, description="The ingestion's figures, once finished.")
    created_at: float
    started_at: float | None
    finished_at: float | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
