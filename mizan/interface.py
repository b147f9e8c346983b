"""`Mizan`: what a command asks of Mizan, whether it opens the embedded store or talks to a running API.

The CLI holds one code path per command over this interface; `mizan.local.LocalMizan` answers from the services
of this process and `mizan.remote.HttpMizan` from `mizan serve` over HTTP. Both return the contract's models
(core/contract.py) for search and answers, and for the users' jobs the JSON the API sends (the local side dumps its
models the way FastAPI does), so the same command prints the same thing either way; the congruence test in
tests/cli/test_cli_backends.py holds them to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, Protocol

from core.contract import Answer, DocumentHits, Filters, Hit, Mode

Strategy = Literal["extractive", "llm"]
Json = dict[str, Any]


class MizanError(Exception):
    """A request the command cannot complete, in a sentence fit for the user (the API's `detail`, or the local
    service's own words): the command prints it and exits 1."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Mizan(Protocol):
    def search(self, query: str, *, k: int, mode: Mode, filters: Filters, by_doc: bool
               ) -> list[Hit] | list[DocumentHits]: ...

    def ask(self, question: str, *, filters: Filters, k: int, strategy: Strategy | None) -> Answer:
        """`strategy` None: extractive on the local store (no LLM is loaded unless asked), the server's own default
        (its MIZAN_LLM) through the API."""
        ...

    def chat(self, question: str, *, k: int, strategy: Strategy | None) -> Iterator[str | Answer]:
        """Text pieces, then the answer; each call continues this object's conversation (follow-ups are read with
        what came before)."""
        ...

    def review_indicator(self, indicator: str, *, objective: str, language: str | None) -> Json: ...

    def draft_indicators(self, description: str, *, language: str | None) -> Json: ...

    def classify_programme(self, objective: str, *, specific_target_group: bool, activity_share: float,
                           language: str) -> Json: ...

    def brief(self, topic: str, *, language: str, pdf: bool) -> tuple[Json, bytes | None]:
        """The brief as JSON, and printed as a PDF when `pdf` (one search for both)."""
        ...

    def export_references(self, ids: list[str], *, fmt: str) -> str: ...

    def facets(self, topic: str, filters: Filters) -> Json: ...

    def figures(self, query: str, filters: Filters, *, limit: int) -> list[Json]: ...

    def similar_documents(self, doc_id: str, *, k: int) -> list[Json]: ...

    def close(self) -> None: ...
