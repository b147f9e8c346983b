"""English and Arabic questions put into French by the configured LLM, for retrieval over French reports.

The glossary (index/glossary.py) carries the domain's terms across languages, but not the rest of a question
("how many loans were granted", "ما هي كلفة"), and the reports answer in French. With MIZAN_QUERY_TRANSLATION on
and an LLM configured, the French rendering is added to the BM25 query (and, with `query_translation_dense`, to
the text that is embedded); the question itself is kept, so a bad translation adds words rather than losing
them. Off by default: a local 1.5B model takes seconds per question (figures in evaluation/RESULTS.md).
"""

from __future__ import annotations

import threading

from cachetools import LRUCache
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from assistant.answers.llm import exclusive

SYSTEM = ("You translate questions about public finance and gender budgeting in Morocco into French. "
          "Reply with the French question only, on one line, without explanations.")
EXAMPLES = (
    ChatMessage(role="user", content="How much did the tax expenditures on VAT cost in 2024?"),
    ChatMessage(role="assistant", content="Combien ont coûté les dépenses fiscales relatives à la TVA en 2024 ?"),
    ChatMessage(role="user", content="ما هو عدد المناصب المالية المحدثة برسم سنة 2025؟"),
    ChatMessage(role="assistant", content="Quel est le nombre de postes budgétaires créés au titre de l'année 2025 ?"),
)
MAX_CHARS = 400
CACHE_SIZE = 512


class QueryTranslator:  # satisfies assistant.search.service.QueryTranslator
    """One per process: the LLM is slow, and the same question comes back (retries, follow-ups, evaluations)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self._cache: LRUCache[str, str | None] = LRUCache(maxsize=CACHE_SIZE)
        self._lock = threading.Lock()

    def to_french(self, question: str) -> str | None:
        """The French question, or None when the model's reply does not look like one."""
        with self._lock:
            if question in self._cache:
                return self._cache[question]
        messages = [ChatMessage(role="system", content=SYSTEM), *EXAMPLES, ChatMessage(role="user", content=question)]
        with exclusive(self.llm):
            reply = self.llm.chat(messages).message.content or ""
        line = reply.strip().splitlines()[0].strip("\"'«»“” ") if reply.strip() else ""
        translation = line if line and len(line) <= MAX_CHARS and "<|" not in line else None
        with self._lock:
            self._cache[question] = translation
        return translation
