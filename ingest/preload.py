"""Imported once by the reader processes' forkserver (see ingest.worker), so every reader forked from it starts warm.

Chunking's first document pays seconds of one-off loading (LlamaIndex's wait for its nltk check and the punkt
sentence tokenizer, lingua's language models): paid here, before any file's time budget, once per process instead of once per ingest.
"""

from __future__ import annotations

from pathlib import Path

from ingest.chunking import chunk_document
from ingest.types import Page, SourceDocument

_SAMPLE = ("La budgétisation sensible au genre intègre l'égalité entre les femmes et les hommes. "
           "Gender-responsive budgeting is a tool. الميزانية المستجيبة للنوع الاجتماعي أداة.")

chunk_document(SourceDocument(doc_id="preload", path=Path("preload.txt"), file_name="preload.txt", title="",
                              doc_type="autre", year=None, language="fr", pages=[Page(1, _SAMPLE * 8)]),
               lambda text: text.split(), 32, 4)  # longer than a chunk: only then does the splitter cut sentences
