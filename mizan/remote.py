"""`HttpMizan`: the `Mizan` interface over a running API (`--api URL`), through the UI's typed client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.contract import Answer, DocumentHits, Filters, Hit, Mode
from mizan.interface import Json, MizanError, Strategy
from ui.api_client import ApiError, ChatToken, MizanClient


@contextmanager
def _said() -> Iterator[None]:
    try:
        yield
    except ApiError as exc:
        raise MizanError(exc.detail) from exc


class HttpMizan:
    def __init__(self, url: str) -> None:
        self._client = MizanClient(url)
        self._session_id: str | None = None  # the conversation `chat` continues

    def close(self) -> None:
        self._client.close()

    def search(self, query: str, *, k: int, mode: Mode, filters: Filters, by_doc: bool
               ) -> list[Hit] | list[DocumentHits]:
        with _said():
            return self._client.search(query, k=k, mode=mode, filters=filters, by_doc=by_doc)

    def ask(self, question: str, *, filters: Filters, k: int, strategy: Strategy | None) -> Answer:
        """A one-off answer: the conversation the server opens for it (its session_id) is not kept."""
        with _said():
            answer = self._client.ask(question, filters=filters, k=k, strategy=strategy)
        return Answer.model_validate(answer.model_dump(exclude={"session_id"}))

    def chat(self, question: str, *, k: int, strategy: Strategy | None) -> Iterator[str | Answer]:
        with _said():
            for event in self._client.chat(question, session_id=self._session_id, k=k, strategy=strategy):
                if isinstance(event, ChatToken):
                    yield event.text
                else:
                    self._session_id = event.answer.session_id
                    yield event.answer

    def review_indicator(self, indicator: str, *, objective: str, language: str | None) -> Json:
        with _said():
            return self._client.review_indicator(indicator, objective=objective, language=language)

    def draft_indicators(self, description: str, *, language: str | None) -> Json:
        with _said():
            return self._client.draft_indicators(description, language=language)

    def classify_programme(self, objective: str, *, specific_target_group: bool, activity_share: float,
                           language: str) -> Json:
        with _said():
            return self._client.classify_programme(objective, specific_target_group=specific_target_group,
                                                   activity_share=activity_share, language=language)

    def brief(self, topic: str, *, language: str, pdf: bool) -> tuple[Json, bytes | None]:
        with _said():
            data = self._client.brief(topic, language=language)
            return data, self._client.brief_pdf(topic, language=language) if pdf else None

    def export_references(self, ids: list[str], *, fmt: str) -> str:
        with _said():
            return self._client.export_references(ids, fmt=fmt)

    def facets(self, topic: str, filters: Filters) -> Json:
        with _said():
            return self._client.facets(topic, filters)

    def figures(self, query: str, filters: Filters, *, limit: int) -> list[Json]:
        with _said():
            return self._client.figures(query, filters, limit=limit)

    def similar_documents(self, doc_id: str, *, k: int) -> list[Json]:
        with _said():
            return self._client.similar_documents(doc_id, k=k)
