"""`LocalMizan`: the `Mizan` interface over this process's services (the embedded store, or MIZAN_QDRANT_URL's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from pydantic_core import to_json

from assistant.answers.conversation import Turn
from assistant.answers.llm import LLMUnavailable
from assistant.answers.service import StrategyUnavailable
from assistant.api.user_jobs import UserJobs, build_user_jobs
from assistant.search.service import group_by_document, search_filters
from assistant.services import Services
from assistant.user_jobs.brief_pdf import PdfUnavailable, brief_pdf
from assistant.user_jobs.export import UnknownReference, export, resolve
from assistant.user_jobs.research import UnknownDocument
from core.contract import Answer, DocumentHits, Filters, Hit, Mode
from mizan.interface import Json, MizanError, Strategy


def _as_json(value: Any) -> Any:
    """The JSON the API sends for this value (FastAPI serialises response models with pydantic too): dataclasses,
    dict keys and numbers come out as they would over HTTP."""
    return json.loads(to_json(value))


@contextmanager
def _said() -> Iterator[None]:
    """The services' refusals, in their own words (the API answers them with a 4xx and the same sentence)."""
    try:
        yield
    except (StrategyUnavailable, LLMUnavailable, UnknownReference, PdfUnavailable) as exc:
        raise MizanError(str(exc)) from exc


class LocalMizan:
    """Over services built once for the process; `close` leaves them open (they live as long as the process)."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._history: list[Turn] = []  # the conversation `chat` continues

    @cached_property
    def _jobs(self) -> UserJobs:
        return build_user_jobs(self._services)

    def close(self) -> None:
        """Nothing to release: the services are the process's."""

    def search(self, query: str, *, k: int, mode: Mode, filters: Filters, by_doc: bool
               ) -> list[Hit] | list[DocumentHits]:
        hits = self._services.search.search(query, k=k, mode=mode, filters=search_filters(filters))
        return group_by_document(hits) if by_doc else hits

    def ask(self, question: str, *, filters: Filters, k: int, strategy: Strategy | None) -> Answer:
        with _said():
            return self._services.answers.answer(question, filters=search_filters(filters),
                                                 strategy=strategy or "extractive", k=k)

    def chat(self, question: str, *, k: int, strategy: Strategy | None) -> Iterator[str | Answer]:
        with _said():
            for piece in self._services.answers.stream(question, history=self._history,
                                                       strategy=strategy or "extractive", k=k):
                if isinstance(piece, Answer):
                    self._history.append(Turn(question, piece.standalone_question or question, piece.text,
                                              piece.language))
                yield piece

    def review_indicator(self, indicator: str, *, objective: str, language: str | None) -> Json:
        return _as_json(self._jobs.indicators.review(indicator, objective, language))

    def draft_indicators(self, description: str, *, language: str | None) -> Json:
        return _as_json(self._jobs.indicators.draft(description, language))

    def classify_programme(self, objective: str, *, specific_target_group: bool, activity_share: float,
                           language: str) -> Json:
        return _as_json(self._jobs.indicators.classify(objective, specific_target_group,  # type: ignore[arg-type]
                                                       activity_share, language))

    def brief(self, topic: str, *, language: str, pdf: bool) -> tuple[Json, bytes | None]:
        made = self._jobs.briefs.brief(topic, language)  # type: ignore[arg-type]
        with _said():
            return _as_json(made), brief_pdf(made) if pdf else None

    def export_references(self, ids: list[str], *, fmt: str) -> str:
        references = [r for i in ids for r in i.split(",") if r]  # as the API reads its `ids`
        with _said():
            return export(resolve(self._jobs.documents, references), fmt)  # type: ignore[arg-type]

    def facets(self, topic: str, filters: Filters) -> Json:
        return _as_json(self._jobs.research.facets(topic, search_filters(filters)))

    def figures(self, query: str, filters: Filters, *, limit: int) -> list[Json]:
        return _as_json(self._jobs.figures.figures(query, search_filters(filters), limit))

    def similar_documents(self, doc_id: str, *, k: int) -> list[Json]:
        try:
            return _as_json(self._jobs.research.similar(doc_id, k))
        except UnknownDocument as exc:
            raise MizanError(f"no document {doc_id}") from exc  # the API's 404, word for word
