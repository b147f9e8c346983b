"""The UI's only way to the Mizan API: one HTTP client, typed responses, typed errors.

The UI never imports the assistant, the index or the store; everything it shows comes through here, so a page
can catch `ApiError` and show a readable message instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

Mode = Literal["hybrid", "dense", "sparse"]


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


# --- response models (the API's JSON, read leniently: unknown fields are ignored) ----------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Hit(_Model):
    rank: int = 0
    score: float = 0.0
    chunk_id: str = ""
    doc_id: str
    file_name: str = ""
    title: str = ""
    doc_type: str = ""
    year: int | None = None
    language: str = ""
    page: int = 1
    page_end: int = 1
    section: str = ""
    text: str = ""
    quote_span: tuple[int, int] | None = None
    locator: str = ""
    ocr: bool = False

    @property
    def page_highlight(self) -> tuple[int, int | None] | None:
        """The passage's span in the text of its first page (it runs to the page's end when it spans pages)."""
        if self.quote_span is None:
            return None
        start, end = self.quote_span
        return (start, end if self.page_end == self.page else None)


class DocumentHits(_Model):
    doc_id: str
    file_name: str = ""
    title: str = ""
    doc_type: str = ""
    year: int | None = None
    score: float = 0.0
    pages: list[int] = Field(default_factory=list)
    hits: list[Hit] = Field(default_factory=list)


class Citation(_Model):
    n: int
    doc_id: str
    file: str = ""
    title: str = ""
    page: int = 1
    quote: str = ""
    chunk_id: str = ""
    score: float = 0.0
    quote_span: tuple[int, int] | None = None
    locator: str = ""
    ocr: bool = False


class NearDocument(_Model):
    doc_id: str
    file: str = ""
    title: str = ""
    page: int = 1
    score: float = 0.0


class Answer(_Model):
    text: str = ""
    language: str = "fr"
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    nearest_documents: list[NearDocument] = Field(default_factory=list)
    strategy: str = ""
    standalone_question: str = ""
    session_id: str | None = None


class DocumentInfo(_Model):
    doc_id: str
    file_name: str = Field("", validation_alias=AliasChoices("file_name", "file"))
    title: str = ""
    doc_type: str = ""
    year: int | None = None
    language: str = ""
    pages: int = Field(0, validation_alias=AliasChoices("pages", "page_count", "n_pages", "num_pages"))
    source: str = ""
    licence: str = ""

    @field_validator("pages", mode="before")
    @classmethod
    def _count(cls, value: Any) -> Any:
        return len(value) if isinstance(value, list) else value


class PageText(_Model):
    doc_id: str = ""
    page: int = 1
    text: str = ""
    pages: int = Field(0, validation_alias=AliasChoices("pages", "page_count", "total_pages", "num_pages"))
    highlight: tuple[int, int] | None = None
    label: str = ""

    @field_validator("highlight", mode="before")
    @classmethod
    def _span(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return (value.get("start"), value.get("end")) if value.get("start") is not None else None
        return value


class Job(_Model):
    job_id: str = Field(validation_alias=AliasChoices("job_id", "id"))
    status: str = "queued"
    file_name: str = Field("", validation_alias=AliasChoices("file_name", "file", "filename"))
    detail: str = Field("", validation_alias=AliasChoices("detail", "message", "error"))
    doc_ids: list[str] = Field(default_factory=list)
    report: dict[str, Any] | None = None

    @field_validator("detail", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "succeeded", "success", "completed", "failed", "error", "rejected")

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "error", "rejected")


@dataclass
class Filters:
    languages: list[str]
    doc_types: list[str]
    year_from: int | None = None
    year_to: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "languages": self.languages, "doc_types": self.doc_types, "year_from": self.year_from,
            "year_to": self.year_to,
        }

    @property
    def empty(self) -> bool:
        return not (self.languages or self.doc_types or self.year_from is not None or self.year_to is not None)


@dataclass
class ChatToken:
    text: str


@dataclass
class ChatFinal:
    answer: Answer


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
    def _parse(model: type[_Model], data: Any, what: str) -> Any:
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
            body["filters"] = filters.to_json()
        data = self._json("POST", "/search", json=body)
        if isinstance(data, dict):
            data = data.get("groups") if by_doc and "groups" in data else data.get("hits", data.get("results", []))
        model: type[_Model] = DocumentHits if by_doc else Hit
        return [self._parse(model, item, "search") for item in data or []]

    @staticmethod
    def _question(
        question: str, session_id: str | None, filters: Filters | None, strategy: str | None, k: int | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question}
        if session_id:
            body["session_id"] = session_id
        if strategy:
            body["strategy"] = strategy
        if filters is not None and not filters.empty:
            body["filters"] = filters.to_json()
        if k is not None:
            body["k"] = k
        return body

    def ask(
        self, question: str, *, session_id: str | None = None, filters: Filters | None = None,
        strategy: str | None = None, k: int | None = None,
    ) -> Answer:
        body = self._question(question, session_id, filters, strategy, k)
        return self._parse(Answer, self._json("POST", "/ask", json=body), "ask")

    def chat(
        self, question: str, *, session_id: str | None = None, filters: Filters | None = None,
        strategy: str | None = None, k: int | None = None,
    ) -> Iterator[ChatToken | ChatFinal]:
        """Stream an answer: `ChatToken` pieces as they come, then one `ChatFinal` with the checked answer.

        `strategy`: "extractive" or "llm"; None lets the server choose (llm when it has one).
        """
        body = self._question(question, session_id, filters, strategy, k)
        try:
            with self._http.stream("POST", "/chat", json=body, headers={"Accept": "text/event-stream"}) as response:
                if not response.is_success:
                    response.read()
                    _raise_for(response)
                yield from self._events(response)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"The API at {self.base_url} did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"The API at {self.base_url} cannot be reached ({type(exc).__name__}).") from exc

    def _events(self, response: httpx.Response) -> Iterator[ChatToken | ChatFinal]:
        event, data = "message", []
        for line in response.iter_lines():
            if line.startswith(":"):
                continue
            if line == "":
                if data:
                    yield from self._event(event, "\n".join(data))
                event, data = "message", []
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            yield from self._event(event, "\n".join(data))

    def _event(self, event: str, raw: str) -> Iterator[ChatToken | ChatFinal]:
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise ApiServerError("chat: the API sent an event that is not JSON.") from exc
        if event == "token":
            yield ChatToken(str(payload.get("text", "")) if isinstance(payload, dict) else str(payload))
        elif event == "final":
            yield ChatFinal(self._parse(Answer, payload, "chat"))
        elif event == "error":
            raise ApiServerError(_readable(payload.get("detail", payload) if isinstance(payload, dict) else payload))

    def documents(
        self, *, doc_type: str | None = None, language: str | None = None, year_from: int | None = None,
        year_to: int | None = None, q: str | None = None,
    ) -> list[DocumentInfo]:
        params = {k: v for k, v in {"doc_type": doc_type, "language": language, "year_from": year_from,
                                    "year_to": year_to, "q": q}.items() if v not in (None, "")}
        data = self._json("GET", "/documents", params=params)
        if isinstance(data, dict):
            data = data.get("documents", data.get("items", []))
        return [self._parse(DocumentInfo, item, "documents") for item in data]

    def document(self, doc_id: str) -> DocumentInfo:
        return self._parse(DocumentInfo, self._json("GET", f"/documents/{doc_id}"), "document")

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
        """Send files (name, content, MIME type) for ingestion; returns the job ids, one per request."""
        jobs = []
        for name, content, mime in files:
            data = self._json("POST", "/documents", api_key=api_key, files={"file": (name, content, mime)})
            ids = (data.get("job_ids") or [data.get("job_id")]) if isinstance(data, dict) else []
            jobs.extend(str(i) for i in ids if i)
        return jobs

    def job(self, job_id: str) -> Job:
        data = self._json("GET", f"/jobs/{job_id}")
        if isinstance(data, dict) and "job_id" not in data and "id" not in data:
            data = {**data, "job_id": job_id}
        return self._parse(Job, data, "job")

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
        body: dict[str, Any] = {"query": query, **({"filters": filters.to_json()} if filters is not None else {})}
        return self._dict("POST", "/facets", "facets", json=body)

    def figures(self, query: str, filters: Filters | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        """Rates and dirham amounts on a topic, each with its unit, year, what it measures and its source."""
        body: dict[str, Any] = {"query": query, "limit": limit,
                                **({"filters": filters.to_json()} if filters is not None else {})}
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
