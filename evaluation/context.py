"""What every retriever shares: the passage it returns, its protocol, and the context it is built from.

Below `evaluation.retrievers` (the registry) and the retrievers themselves (`evaluation.naive`), so that a
retriever module never imports the registry that loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.services import Services


@dataclass(frozen=True)
class Passage:
    file_name: str  # relative to the corpus folder, as ingested
    page: int
    text: str


class Retriever(Protocol):
    def retrieve(self, question: str, k: int) -> list[Passage]:
        """The k best passages for the question, best first."""
        ...


@dataclass
class EvalContext:
    runtime: Services  # built from the evaluated settings (fusion, weights...) and bound to `collection`
    collection: str
    corpus: Path  # the folder the collection was ingested from
    cache_dir: Path  # where retrievers may keep indexes between runs
    progress: Callable[[str, int, int], None] = lambda description, done, total: None  # long builds report here
