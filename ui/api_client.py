"""The UI's only way to the Mizan API: one HTTP client, typed responses, typed errors.

The UI never imports the assistant, the index or the store; everything it shows comes through here, so a page
can catch `ApiError` and show a readable message instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import SSEError, connect_sse
from pydantic import BaseModel, ValidationError

from core.contract import (
    Answer,
    ConversationAnswer,
    DocumentDetail,
    DocumentHits,
    DocumentList,
    DocumentSummary,
    Filters,
    Hit,
    JobState,
    Mode,
    PageText,
    SearchResponse,
    UploadAccepted,
)

__all__ = [
    "ApiAuthError", "ApiError", "ApiNotFound", "ApiServerError", "ApiUnavailable", "ApiValidationError", "ChatFinal",
    "ChatToken", "MizanClient",
]


# --- errors -------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """Any failure talking to the API; `detail` is a sentence fit to show a user."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


class ApiUnavailable(ApiError):
    """The API could not be reached (not started, wrong URL, timed out)."""


class ApiAuthError(ApiError):
    """401 or 403: the API key is missing, wrong, or the server has no key configured."""


class ApiValidationError(ApiError):
    """422 (or 400): the request was refused as invalid; `detail` names the fields."""


class ApiNotFound(ApiError):
    """404: the document, page or job does not exist (any more)."""


class ApiServerError(ApiError):
    """5xx, or a response the UI cannot read."""


# --- response models: the server's own (core/contract.py), so a field renamed there is renamed here ---------


@dataclass
class ChatToken:
    text: str


@dataclass
class ChatFinal:
    answer: ConversationAnswer


# --- the client ---------------------------------------------------------------------------------------------


def _readable(detail: Any) -> str:
    """FastAPI's `detail`: a string, or a list of {loc, msg} for validation errors."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "header")]
                msg = str(item.get("msg", "")).removeprefix("Value error, ")
                parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
            else:
                parts.append(str(item))
        return "; ".join(parts)
    if isinstance(detail, dict):
        return str(detail.get("message") or detail.get("detail") or json.dumps(detail, ensure_ascii=False))
    return str(detail)


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        detail = _readable(response.json().get("detail", response.text))
    except (ValueError, AttributeError):
        detail = response.text.strip() or response.reason_phrase
    status = response.status_code
    if status in (401, 403):
        raise ApiAuthError(detail, status)
    if status in (400, 413, 415, 422):
        raise ApiValidationError(detail, status)
    if status == 404:
        raise ApiNotFound(detail, status)
    raise ApiServerError(detail or f"HTTP {status}", status)


class MizanClient:
    """Typed calls to the Mizan API. One instance per process is enough (httpx.Client is thread-safe)."""

    def __init__(self, base_url: str, *, timeout: float = 120.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, timeout=httpx.Timeout(timeout, connect=5.0), transport=transport,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    # -- plumbing --

    def _request(self, method: str, path: str, *, api_key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if api_key is not None:
            headers["X-API-Key"] = api_key
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"The API at {self.base_url} did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"The API at {self.base_url} cannot be reached ({type(exc).__name__}).") from exc
        _raise_for(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiServerError(f"{path}: the API sent a response that is not JSON.") from exc

    @staticmethod
    def _parse(model: type[BaseModel], data: Any, what: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ApiServerError(f"{what}: unexpected response from the API ({exc.error_count()} problems).") from exc

    # -- endpoints --

    def health(self) -> dict[str, Any]:
        data = self._json("GET", "/health")
        return data if isinstance(data, dict) else {"status": data}

    def search(
        self, query: str, *, k: int = 10, mode: Mode = "hybrid", filters: Filters | None = None, by_doc: bool = False
    ) -> list[Hit] | list[DocumentHits]:
        body: dict[str, Any] = {"query": query, "k": k, "mode": mode, "by_doc": by_doc}
        if filters is not None:
            body["filters"] = filters.model_dump()
        found: SearchResponse = self._parse(SearchResponse, self._json("POST", "/search", json=body), "search")
        return (found.groups if by_doc else found.hits) or []

    @staticmethod
    def _question(
        question: str, session_id: str | None, filters: Filters | None, strategy: str | None, k: int | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question}
        if session_id:
            body["session_id"] = session_id
        if strategy:
            body["strategy"] = strategy
        if filters is not None and filters != Filters():
            body["filters"] = filters.model_dump()
        if k is not None:
            body["k"] = k
        return body

    def ask(
        self, question: str, *, session_id: str | None = None, filters: Filters | None = None,
        strategy: str | None = None, k: int | None = None,
    ) -> ConversationAnswer:
        body = self._question(question, session_id, filters, strategy, k)
        return self._parse(ConversationAnswer, self._json("POST", "/ask", json=body), "ask")

    def chat(
        self, question: str, *, session_id: str | None = None, filters: Filters | None = None,
        strategy: str | None = None, k: int | None = None,
    ) -> Iterator[ChatToken | ChatFinal]:
        """Stream an answer: `ChatToken` pieces as they come, then one `ChatFinal` with the checked answer.

        `strategy`: "extractive" or "llm"; None lets the server choose (llm when it has one).
        """
        body = self._question(question, session_id, filters, strategy, k)
        try:
            with connect_sse(self._http, "POST", "/chat", json=body) as source:
                if not source.response.is_success:
                    source.response.read()
                    _raise_for(source.response)
                for event in source.iter_sse():
                    yield from self._event(event.event, event.data)
        except SSEError as exc:
            raise ApiServerError("chat: the API did not answer with an event stream.") from exc
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"The API at {self.base_url} did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"The API at {self.base_url} cannot be reached ({type(exc).__name__}).") from exc

    def _event(self, event: str, raw: str) -> Iterator[ChatToken | ChatFinal]:
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise ApiServerError("chat: the API sent an event that is not JSON.") from exc
        if event == "token":
            yield ChatToken(str(payload.get("text", "")) if isinstance(payload, dict) else str(payload))
        elif event == "final":
            yield ChatFinal(self._parse(ConversationAnswer, payload, "chat"))
        elif event == "error":
            raise ApiServerError(_readable(payload.get("detail", payload) if isinstance(payload, dict) else payload))

    def documents(
        self, *, doc_type: str | None = None, language: str | None = None, year_from: int | None = None,
        year_to: int | None = None, q: str | None = None,
    ) -> list[DocumentSummary]:
        params = {k: v for k, v in {"doc_type": doc_type, "language": language, "year_from": year_from,
                                    "year_to": year_to, "q": q}.items() if v not in (None, "")}
        listed: DocumentList = self._parse(DocumentList, self._json("GET", "/documents", params=params), "documents")
        return listed.documents

    def document(self, doc_id: str) -> DocumentDetail:
        return self._parse(DocumentDetail, self._json("GET", f"/documents/{doc_id}"), "document")

    def page(self, doc_id: str, page: int, *, start: int | None = None, end: int | None = None) -> PageText:
        params = {k: v for k, v in {"start": start, "end": end}.items() if v is not None}
        data = self._json("GET", f"/documents/{doc_id}/pages/{page}", params=params)
        return self._parse(PageText, data, "page")

    def page_image(self, doc_id: str, page: int) -> bytes | None:
        """PNG of a PDF page; None when the document has no page images (Word, Markdown, HTML)."""
        try:
            response = self._request("GET", f"/documents/{doc_id}/pages/{page}/image")
        except (ApiNotFound, ApiValidationError):
            return None
        return response.content if response.headers.get("content-type", "").startswith("image/") else None

    def file(self, doc_id: str) -> bytes:
        return self._request("GET", f"/documents/{doc_id}/file").content

    def file_url(self, doc_id: str, page: int | None = None) -> str:
        return self.url(f"/documents/{doc_id}/file") + (f"#page={page}" if page else "")

    def upload(self, files: list[tuple[str, bytes, str]], *, api_key: str) -> list[str]:
        """Send files (name, content, MIME type) for ingestion; returns the job ids, one per file."""
        jobs = []
        for name, content, mime in files:
            data = self._json("POST", "/documents", api_key=api_key, files={"file": (name, content, mime)})
            jobs.append(self._parse(UploadAccepted, data, "upload").job_id)
        return jobs

    def job(self, job_id: str) -> JobState:
        return self._parse(JobState, self._json("GET", f"/jobs/{job_id}"), "job")

    def delete(self, doc_id: str, *, api_key: str) -> None:
        self._request("DELETE", f"/documents/{doc_id}", api_key=api_key)

    def feedback(
        self, *, rating: int, question: str, answer: Answer, comment: str = "", session_id: str | None = None
    ) -> None:
        """A thumbs up (1) or down (-1) on an answer as it was shown, with an optional comment."""
        body = {
            "rating": rating, "question": question, "answer": answer.text, "comment": comment or None,
            "citations": [c.model_dump() for c in answer.citations], "session_id": session_id,
            "strategy": answer.strategy or None,
        }
        self._request("POST", "/feedback", json=body)

    # -- the users' jobs: plain JSON, shaped by the server's models (see /docs), read where they are shown --

    def review_indicator(self, indicator: str, *, objective: str = "", language: str | None = None) -> dict[str, Any]:
        """Verdicts per criterion (pass / fail / to_check), each with its reason and cited passages."""
        body = {"indicator": indicator, "objective": objective, "language": language}
        return self._dict("POST", "/indicators/review", "review", json={k: v for k, v in body.items() if v is not None})

    def draft_indicators(self, description: str, *, language: str | None = None) -> dict[str, Any]:
        body = {"description": description, **({"language": language} if language else {})}
        return self._dict("POST", "/indicators/draft", "draft", json=body)

    def classify_programme(
        self, objective: str, *, specific_target_group: bool = False, activity_share: float = 0, language: str = "fr",
    ) -> dict[str, Any]:
        body = {"objective": objective, "specific_target_group": specific_target_group,
                "activity_share": activity_share, "language": language}
        return self._dict("POST", "/indicators/classify", "classify", json=body)

    def brief(self, topic: str, *, language: str = "en") -> dict[str, Any]:
        """The brief's bullets and its Markdown (the `markdown` field is the file to download)."""
        return self._dict("POST", "/brief", "brief", json={"topic": topic, "language": language})

    def brief_pdf(self, topic: str, *, language: str = "en") -> bytes:
        """The same brief printed as a PDF (Arabic shaped, right to left)."""
        return self._request("POST", "/brief", params={"format": "pdf"},
                             json={"topic": topic, "language": language}).content

    def export_references(self, ids: list[str], *, fmt: str = "bib") -> str:
        """A CSV, BibTeX or RIS file of the documents (`doc_id` or `doc_id@page`)."""
        return self._request("GET", "/export", params={"ids": ",".join(ids), "format": fmt}).text

    def facets(self, query: str = "", filters: Filters | None = None) -> dict[str, Any]:
        """Documents on a topic (or all) counted by doc_type, year, language and source."""
        body: dict[str, Any] = {"query": query, **({"filters": filters.model_dump()} if filters is not None else {})}
        return self._dict("POST", "/facets", "facets", json=body)

    def figures(self, query: str, filters: Filters | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        """Rates and dirham amounts on a topic, each with its unit, year, what it measures and its source."""
        body: dict[str, Any] = {"query": query, "limit": limit,
                                **({"filters": filters.model_dump()} if filters is not None else {})}
        data = self._json("POST", "/figures", json=body)
        if not isinstance(data, list):
            raise ApiServerError("figures: unexpected response from the API.")
        return data

    def similar_documents(self, doc_id: str, *, k: int = 5) -> list[dict[str, Any]]:
        data = self._json("GET", f"/documents/{doc_id}/similar", params={"k": k})
        if not isinstance(data, list):
            raise ApiServerError("similar documents: unexpected response from the API.")
        return data

    def _dict(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        data = self._json(method, path, **kwargs)
        if not isinstance(data, dict):
            raise ApiServerError(f"{what}: unexpected response from the API.")
        return data
