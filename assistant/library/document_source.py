"""The two catalogue reads the users' jobs make, as a protocol: whichever store holds the index provides them.

The workbench, the brief and the export only read documents (their pages' text, title, language); naming just
these two methods keeps them independent of how the index is stored (the Indexer provides them today).
"""

from __future__ import annotations

from typing import Protocol

from ingest.types import SourceDocument


class DocumentSource(Protocol):
    def documents(self) -> list[SourceDocument]: ...

    def document(self, doc_id: str) -> SourceDocument | None: ...
