"""The researcher's figures view: passages holding numbers for a topic, with each figure, its unit and year pulled
out, so that "what do the reports say about women's employment rate?" reads as a table, not as ten passages.

Figures are rates (%) and dirham amounts (millions or billions, normalised to millions), read as the answer's
conflict check reads them (assistant/answers/conflicts.py); a figure's year is the one its sentence names nearest
to it, else its document's. Footnotes, captions and tables of contents are skipped as in answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from assistant.answers.conflicts import figures_in
from assistant.answers.quotable import is_quotable
from assistant.search.service import SearchFilters, SearchService
from index.analyzer import BM25Analyzer
from index.sentences import split_passage

PASSAGES = 20  # passages read for one query


@dataclass(frozen=True)
class FoundFigure:
    """Also the API's answer (POST /figures): the descriptions are its documentation."""

    value: Annotated[str, Field(description="As written in the document (\"19,8 %\", \"1,7 milliard de dirhams\").")]
    amount: Annotated[float, Field(description="The value in `unit`.")]
    unit: Annotated[str, Field(description="\"%\" or \"MDH\" (millions of dirhams; billions are converted).")]
    year: Annotated[int | None, Field(description="The sentence's year nearest the figure, else the document's.")]
    measure: Annotated[str, Field(description="What it measures, in the document's words (the sentence's subject).")]
    sentence: str
    doc_id: str
    title: str
    file_name: str
    page: int
    locator: Annotated[str, Field(description="A Word file's heading path, cited instead of the page.")]
    language: str


class FiguresService:
    """Created once per process over the search service and the analyzer."""

    def __init__(self, search: SearchService, analyzer: BM25Analyzer) -> None:
        self.search = search
        self.analyzer = analyzer

    def figures(self, query: str, filters: SearchFilters | None = None, limit: int = 50) -> list[FoundFigure]:
        """Figures in the order of their passages' ranks, each sentence's figures in reading order; a figure
        repeated by overlapping passages is listed once."""
        found: list[FoundFigure] = []
        seen: set[tuple[str, str, str]] = set()
        for hit in self.search.search(query, k=PASSAGES, filters=filters):
            for sentence in split_passage(hit.text):
                if sentence.heading or not is_quotable(sentence.text):
                    continue
                for figure in figures_in(sentence.text, self.analyzer):
                    key = (hit.doc_id, sentence.text, figure.value)
                    if key in seen:
                        continue
                    seen.add(key)
                    year = int(figure.year) if figure.year else hit.year
                    found.append(FoundFigure(
                        value=figure.value, amount=float(figure.amount), unit=figure.unit, year=year,
                        measure=figure.measure, sentence=sentence.text, doc_id=hit.doc_id, title=hit.title,
                        file_name=hit.file_name, page=hit.page, locator=hit.locator, language=hit.language))
                    if len(found) == limit:
                        return found
        return found
