"""POST /ask (one answer) and POST /chat (the same answer streamed as server-sent events), with conversations.

A conversation is a `session_id`: the server keeps its turns (in memory, bounded) so that a follow-up such as
"et pour 2016 ?" is rewritten into a question of its own before the search.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain
from typing import Literal

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel, Field

from assistant.answers.conversation import ConversationStore, Turn, UnknownSession
from assistant.answers.service import DEFAULT_K, StrategyUnavailable
from assistant.api.deps import AnswersDep, ConversationsDep
from assistant.api.errors import BODY_ERRORS, invalid
from assistant.api.schemas import MAX_K, MAX_QUESTION_CHARS
from assistant.search.service import search_filters
from core.contract import Answer, ConversationAnswer, Filters, JsonInt

router = APIRouter(tags=["answers"])
log = logging.getLogger(__name__)


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="In French, English or Arabic; answered in its language.")
    session_id: str | None = Field(
        None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="Continue this conversation (from an earlier answer). Omitted, unknown or forgotten: a new one starts.",
    )
    strategy: Literal["extractive", "llm"] | None = Field(
        None,
        description="`extractive`: the answer quotes the best sentences of the sources. `llm`: a language model writes "
        "it and each sentence is checked against its cited source. Omitted: llm when the server has one, else extractive.",
    )
    filters: Filters = Field(default_factory=Filters)
    k: JsonInt = Field(DEFAULT_K, ge=1, le=MAX_K, description=f"Passages searched before choosing the sources (at most {MAX_K}).")


class TokenEvent(BaseModel):
    text: str


class ErrorEvent(BaseModel):
    detail: str


STREAM_FAILED = "The answer could not be completed; the part already sent stands. Please ask again."


def _session(store: ConversationStore, session_id: str | None) -> tuple[str, list[Turn]]:
    if session_id is not None:
        try:
            return session_id, store.history(session_id)
        except UnknownSession:
            pass
    return store.create(), []


def _remember(store: ConversationStore, session_id: str, question: str, answer: Answer) -> ConversationAnswer:
    turn = Turn(question=question, standalone=answer.standalone_question or question, answer=answer.text, language=answer.language)
    try:
        store.add(session_id, turn)
    except UnknownSession:  # forgotten meanwhile (least recently used): the answer stands, the next question starts afresh
        pass
    return ConversationAnswer(**answer.model_dump(), session_id=session_id)


def _no_llm(exc: StrategyUnavailable, strategy: str | None) -> RequestValidationError:
    """The server's LLM itself was built at start-up (or the server did not start), so only its absence remains."""
    return invalid(("body", "strategy"), str(exc), strategy)


@router.post("/ask", summary="Ask a question", responses=BODY_ERRORS)
def ask(request: AskRequest, answers: AnswersDep, conversations: ConversationsDep) -> ConversationAnswer:
    """An answer in the question's language whose every `[n]` points to a citation (document, page, quote and its
    span in the page text). When the documents do not answer, `refused` is true and `nearest_documents` lists
    where to look instead."""
    session_id, history = _session(conversations, request.session_id)
    try:
        answer = answers.answer(
            request.question, history=history, filters=search_filters(request.filters), strategy=request.strategy, k=request.k
        )
    except StrategyUnavailable as exc:
        raise _no_llm(exc, request.strategy) from exc
    return _remember(conversations, session_id, request.question, answer)


@router.post(
    "/chat",
    summary="Ask a question, answer streamed",
    response_class=StreamingResponse,
    responses={**BODY_ERRORS, 200: {"content": {"text/event-stream": {}}, "description": (
        "Server-sent events: `event: token` with data `{\"text\": ...}` for each piece of the answer (their "
        "concatenation is the answer's text), then one `event: final` whose data is the whole answer, citations and "
        "`session_id` included, as /ask returns it. A failure after the stream began is an `event: error` with "
        "data `{\"detail\": ...}`."
    )}},
)
def chat(request: AskRequest, answers: AnswersDep, conversations: ConversationsDep) -> EventSourceResponse:
    """As /ask, streamed. LLM text is sent sentence by sentence once each sentence has been checked against its
    source, so nothing shown is withdrawn afterwards."""
    session_id, history = _session(conversations, request.session_id)
    pieces = answers.stream(
        request.question, history=history, filters=search_filters(request.filters), strategy=request.strategy, k=request.k
    )
    try:  # the search and the checks that can refuse the request run now, while an HTTP status can still say so
        first = next(pieces)
    except StrategyUnavailable as exc:
        raise _no_llm(exc, request.strategy) from exc

    def events() -> Iterator[bytes]:
        try:
            for piece in chain([first], pieces):
                if isinstance(piece, Answer):
                    final = _remember(conversations, session_id, request.question, piece)
                    yield format_sse_event(event="final", data_str=final.model_dump_json())
                else:
                    yield format_sse_event(event="token", data_str=TokenEvent(text=piece).model_dump_json())
        except Exception:  # the status line is sent: the client can only be told in the stream
            # the server's log has the cause; the client gets words it can show (no paths, no internals)
            log.exception("chat stream failed")
            yield format_sse_event(event="error", data_str=ErrorEvent(detail=STREAM_FAILED).model_dump_json())

    return EventSourceResponse(events())
