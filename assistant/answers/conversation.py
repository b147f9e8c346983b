"""Conversations: a bounded in-memory session store, and follow-ups rewritten into standalone questions.

Retrieval sees one question, so "et pour G2 ?" must become "Quels critères pour classer un programme G2 ?"
before search. With an LLM the history is condensed by the model. Without one, a heuristic works from the
previous question (the one actually searched) when the new one reads as a follow-up:

1. it opens with a connector ("et", "et pour", "and", "what about", "و", "ماذا عن"...): the rest replaces, in the
   previous question, the word of the same shape (a code "G1" -> "G2", a year), or the words after a word both
   share ("missions du pôle formation" + "et le pôle communication ?"), unless the rest has four content words
   or more and is a question of its own; failing that, it is added to the previous question;
2. it has no content word ("Pourquoi ?", "Depuis quand ?"), or a pronoun and at most three content words
   ("Qui rédige ce rapport ?"): it is added to the previous question.

Anything else is taken as a new question.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cachetools import LRUCache
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from assistant.answers.llm import exclusive
from index.analyzer import BM25Analyzer
from ingest.language import DEFAULT_LANGUAGE, LANGUAGES, detect_language

MAX_SESSIONS = 1000  # least recently used sessions beyond this are forgotten
MAX_TURNS = 20  # turns kept per session
CONDENSE_TURNS = 3  # turns shown to the LLM when condensing
CONDENSE_ANSWER_CHARS = 300  # of each previous answer, enough to resolve "it" or "ce dispositif"
MAX_STANDALONE_CHARS = 400
PRONOUN_FOLLOWUP_TERMS = 3
STANDALONE_TERMS = 4  # "Et comment le rapport organise-t-il l'examen de chaque programme ?" stands alone

CONNECTORS = (
    # longest first: "et pour" must win over "et"
    "qu'en est-il de", "qu'en est-il du", "qu'en est-il des", "qu'en est-il pour", "et en ce qui concerne",
    "même question pour", "pareil pour", "idem pour", "et concernant", "et pour", "et si", "et dans", "et sur",
    "et en", "et", "and what about", "what about", "how about", "same question for", "same for", "and for",
    "and in", "and", "وماذا عن", "ماذا عن", "وبالنسبة إلى", "وبالنسبة ل", "بالنسبة إلى", "وكذلك", "و",
)
_CONNECTOR = re.compile(
    r"^\s*(?:" + "|".join(re.escape(c) for c in CONNECTORS) + r")(?![\w'’-])\s*", re.IGNORECASE
)
PRONOUNS = frozenset(
    "il elle ils elles celui celle ceux celles cela ça ce cet cette ces dernier dernière lui leur "
    "it its they them their this that these those he she his her "
    "هو هي هم هن ذلك تلك هذا هذه هؤلاء".split()
)
INTERROGATIVES = frozenset(
    "pourquoi comment quand combien quel quelle quels quelles lequel laquelle lesquels lesquelles quoi où "
    "why how when what which who whom whose where "
    "لماذا كيف متى كم ما ماذا من أين أي هل".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_CODE = re.compile(r"^([^\W\d_]*)(\d+)$")  # G1, P3, 2015: letters (maybe none) then digits
_TRAILING = " ?؟.!"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    question: str  # as asked
    standalone: str  # as searched
    answer: str
    language: str


class UnknownSession(KeyError):
    """No session with that id (never created, or forgotten as least recently used)."""


class ConversationStore:
    """Sessions by id, in memory, bounded in sessions and turns; safe to share between request threads."""

    def __init__(self, max_sessions: int = MAX_SESSIONS, max_turns: int = MAX_TURNS) -> None:
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self._sessions: LRUCache[str, list[Turn]] = LRUCache(maxsize=max_sessions)  # the least recently used go
        self._lock = threading.Lock()

    def create(self) -> str:
        session_id = uuid.uuid4().hex
        with self._lock:
            self._sessions[session_id] = []
        return session_id

    def history(self, session_id: str) -> list[Turn]:
        with self._lock:
            turns = self._touch(session_id)
            return list(turns)

    def add(self, session_id: str, turn: Turn) -> None:
        with self._lock:
            turns = self._touch(session_id)
            turns.append(turn)
            del turns[:-self.max_turns]

    def _touch(self, session_id: str) -> list[Turn]:
        if session_id not in self._sessions:
            raise UnknownSession(session_id)
        return self._sessions[session_id]  # reading it makes it the most recently used


def question_language(question: str, history: Sequence[Turn] = ()) -> str:
    """The question's language; a question too short to tell ("et pour G2 ?") keeps the conversation's."""
    language = detect_language(question)
    if language in LANGUAGES:
        return language
    return history[-1].language if history else DEFAULT_LANGUAGE


def standalone_question(
    question: str, history: Sequence[Turn], analyzer: BM25Analyzer, llm: LLM | None = None
) -> str:
    """The question to search: as asked when there is no history, else condensed (LLM) or merged (heuristic)."""
    if not history:
        return question
    if llm is not None:
        try:
            condensed = _condense(question, history, llm)
        except Exception:  # an unreachable or failing model server: the heuristic still gives a usable question
            log.warning("condensing the follow-up with the LLM failed; using the heuristic", exc_info=True)
            condensed = None
        if condensed:
            return condensed
    return merge_followup(question, history[-1].standalone, analyzer)


def merge_followup(question: str, previous: str, analyzer: BM25Analyzer) -> str:
    """The heuristic rewrite described in the module docstring."""
    connector = _CONNECTOR.match(question)
    if connector:
        rest = question[connector.end():].strip().rstrip(_TRAILING).strip()
        content = _content_words(rest, analyzer)
        if not content:
            return _joined(previous, question)
        swapped = _replace_same_shape(previous, rest)
        if swapped:
            return swapped
        if len(content) >= STANDALONE_TERMS:
            return question
        return _replace_after_shared_word(previous, rest, content[0], analyzer) or _joined(previous, rest)
    content = _content_words(question, analyzer)
    if not content:
        return _joined(previous, question)
    pronoun = any(w.lower() in PRONOUNS for w in _WORD.findall(question))
    return _joined(previous, question) if pronoun and len(content) <= PRONOUN_FOLLOWUP_TERMS else question


def _content_words(text: str, analyzer: BM25Analyzer) -> list[str]:
    """Words that carry meaning: not stop words (the analyzer's), not question words."""
    return [w for w in _WORD.findall(text) if w.lower() not in INTERROGATIVES and analyzer.query_terms(w)]


def _joined(previous: str, addition: str) -> str:
    return f"{previous.rstrip(_TRAILING)} — {addition.strip()}"


def _replace_same_shape(previous: str, rest: str) -> str | None:
    """Swap codes and numbers: "programme G1" + "G2" -> "programme G2"; "en 2015" + "2016" -> "en 2016"."""
    result, changed = previous, False
    for word in _WORD.findall(rest):
        shape = _CODE.match(word)
        if not shape:
            continue
        for match in _WORD.finditer(result):
            other = _CODE.match(match[0])
            same_kind = other and other[1].lower() == shape[1].lower() and len(other[2]) == len(shape[2])
            if same_kind and match[0] != word:
                result, changed = result[:match.start()] + word + result[match.end():], True
                break
    return result if changed else None


def _replace_after_shared_word(previous: str, rest: str, head: str, analyzer: BM25Analyzer) -> str | None:
    """"missions du pôle formation" + "le pôle communication" -> "missions du pôle communication".

    `head`, the rest's first content word, must be the shared one: its words after it replace as many words
    after the same word in the previous question.
    """
    rest_words = _WORD.findall(rest)
    after = rest_words[rest_words.index(head) + 1:]
    stems = frozenset(analyzer.query_terms(head))
    previous_words = list(_WORD.finditer(previous))
    for j, match in enumerate(previous_words):
        if after and stems & frozenset(analyzer.query_terms(match[0])):
            replaced = previous_words[j + 1:j + 1 + len(after)]
            if len(replaced) < len(after):
                return None
            return previous[:replaced[0].start()] + " ".join(after) + previous[replaced[-1].end():]
    return None


CONDENSE_SYSTEM = (
    "You rewrite the user's last question so that it can be understood without the conversation. Do not answer "
    "it. Keep its language, and keep names, codes and numbers exactly. Output only the rewritten question."
)
# One worked example: without it a small model answers the question instead of rewriting it.
CONDENSE_EXAMPLE = (
    ChatMessage(role="user", content="User: Quels critères pour classer un programme G1 ?\nAssistant: …\n"
                "User (last question): et pour G2 ?"),
    ChatMessage(role="assistant", content="Quels critères pour classer un programme G2 ?"),
)


def _condense(question: str, history: Sequence[Turn], llm: LLM) -> str | None:
    lines = []
    for turn in history[-CONDENSE_TURNS:]:
        lines.append(f"User: {turn.standalone}")
        lines.append(f"Assistant: {' '.join(turn.answer.split())[:CONDENSE_ANSWER_CHARS]}")
    lines.append(f"User (last question): {question}")
    messages = [
        ChatMessage(role="system", content=CONDENSE_SYSTEM),
        *CONDENSE_EXAMPLE,
        ChatMessage(role="user", content="\n".join(lines)),
    ]
    with exclusive(llm):
        reply = llm.chat(messages).message.content or ""
    condensed = reply.strip().splitlines()[0].strip("\"'«»“” ") if reply.strip() else ""
    if not condensed.endswith(("?", "؟")) or len(condensed) > MAX_STANDALONE_CHARS or "<|" in condensed or "[" in condensed:
        return None  # an answer instead of a question, a rambling or template-leaking reply: the heuristic does better
    return condensed
