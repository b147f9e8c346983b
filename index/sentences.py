"""Sentences with their character spans, from passage text (PDF lines) or from generated text.

Passages keep the PDF's line breaks, so a line break is a sentence boundary only where the layout says so: a
blank line, a bullet or numbered item, a finished line, or a short line (a heading) before a new one. Generated
text is the other way round: the model's line breaks are meant, and the citation markers it puts after a full
stop ("... en 2002. [1]") belong to the sentence before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TERMINAL = ".!?؟…"
QUESTION_ENDS = ("?", "؟")
_CLOSERS = "\"»”’)"
# A sentence end: terminal marks, closing quotes/brackets, citation markers, then space before more text.
_END = re.compile(rf"[{TERMINAL}]+[{_CLOSERS}]*((?:\s*\[[^\[\]\n]{{1,24}}\])*)(\s+)(?=\S)")
_LAST_WORD = re.compile(r"(\S+)$")
# Words shortened with a full stop that rarely end a sentence (compared lowercased, without their full stop).
ABBREVIATIONS = frozenset("n no nos art p pp cf fig vol chap ex env av mme mm dr pr e.g i.e approx st".split())
LIST_ITEM = re.compile(r"^\s*(?:[-•*–▪·]|\d{1,2}[.)])\s")  # bullet or numbered list item
_HEADING_MARK = re.compile(r"^\s*#{1,6}\s")
SHORT_LINE = 0.6  # a line shorter than this share of the passage's longest line is a heading or a paragraph end
MAX_HEADING_WORDS = 12
# A line ending in a word that can end neither a sentence nor a title runs on into the next one, whatever the
# next one looks like: "... 721 317 657 000 dirhams en 2025 contre" / "638 298 179 000 dirhams en 2024 ...",
# "... telles que «" / "subventions fiscales »". Real reports wrap lines so before figures, quotes and dashes,
# which the short-line rule below took for a heading's end, and Word files converted from PDF or OCR end
# paragraphs there: the quote came out cut in two. A trailing dash is not in the list: in a table row it is an
# empty cell ("2024 Part: -"), and the row would take the next line in.
_RUNS_ON = re.compile(
    r"(?:[,«“(]|(?<!\w)(?:[dlnsj]|qu)['’]"
    r"|(?<!\w)(?:de|du|des|la|le|les|à|a|au|aux|en|et|ou|contre|par|pour|sur|avec|dans|que|qui|dont|soit|entre"
    r"|sans|sous|vers|chez|leur|leurs|son|sa|ses|une|un|of|the|and|to|in|for|with|by|from|an|at|on"
    r"|في|من|على|إلى|عن|مع))$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str  # whitespace collapsed, markdown heading/quote marks removed
    heading: bool = False  # a title or list label rather than a sentence


def split_passage(text: str) -> list[Sentence]:
    """Sentences of a passage whose lines were wrapped by a PDF (or a paragraph-per-line text)."""
    return list(_split_passage(text))


@lru_cache(maxsize=1 << 12)
def _split_passage(text: str) -> tuple[Sentence, ...]:
    """Cached: a passage is split again by every search and answer that retrieves it."""
    lines = _lines(text)
    longest = max((end - start for start, end in lines), default=0)
    sentences: list[Sentence] = []
    block: list[tuple[int, int]] = []
    for start, end in lines:
        if block and _breaks(text, block[-1], (start, end), longest):
            sentences.extend(_block_sentences(text, block))
            block = []
        if text[start:end].strip():
            block.append((start, end))
    if block:
        sentences.extend(_block_sentences(text, block))
    return tuple(sentences)


def split_generated(text: str) -> list[Sentence]:
    """Sentences of model output: every line break is meant; trailing citation markers stay with their sentence."""
    sentences = []
    for start, end in _lines(text):
        if text[start:end].strip():
            sentences.extend(Sentence(s, e, _clean(text[s:e])) for s, e in _split_line(text, start, end))
    return sentences


def complete_prefix(text: str) -> int:
    """Length of the part of growing model output whose sentences can no longer change (0 when none is done).

    A sentence is complete once the next one has visibly started (its markers may still follow the full stop).
    """
    done = text.rfind("\n") + 1
    for match in _END.finditer(text, done):
        if _is_boundary(text, match, done):
            done = match.end()
    return done


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _breaks(text: str, previous: tuple[int, int], line: tuple[int, int], longest: int) -> bool:
    before, current = text[previous[0]:previous[1]].rstrip(), text[line[0]:line[1]].strip()
    if _RUNS_ON.search(before) and not (LIST_ITEM.match(current) or _HEADING_MARK.match(current)):
        return False  # even across a blank line: Word paragraphs of OCR'd or converted reports end mid-sentence
    if not current or LIST_ITEM.match(current) or _HEADING_MARK.match(current) or _HEADING_MARK.match(before):
        return True
    if before.endswith(tuple(TERMINAL + ":;؛")) or before.isupper() or current.isupper():
        return True  # a finished line, or a heading in capitals (before or after)
    return len(before) < SHORT_LINE * longest and not current[0].islower()


def _block_sentences(text: str, block: list[tuple[int, int]]) -> list[Sentence]:
    start, end = block[0][0], block[-1][1]
    pieces = _split_line(text, start, end)
    heading = bool(_HEADING_MARK.match(text[start:end])) or (len(pieces) == 1 and _looks_like_heading(text[start:end]))
    return [Sentence(s, e, _clean(text[s:e]), heading) for s, e in pieces]


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], which holds no paragraph break."""
    while start < end and text[start].isspace():
        start += 1
    spans, cursor = [], start
    for match in _END.finditer(text, start, end):
        if _is_boundary(text, match, cursor):
            spans.append((cursor, match.start(2)))
            cursor = match.end()
    tail = text[cursor:end]
    if tail.strip():
        spans.append((cursor, cursor + len(tail.rstrip())))
    return spans


def _is_boundary(text: str, match: re.Match[str], sentence_start: int) -> bool:
    following = text[match.end()]
    if following.islower() or following == "[":
        return False
    if text[match.start()] != ".":
        return True
    word = _LAST_WORD.search(text, sentence_start, match.start())
    if word is None:
        return True
    token = word[1].lower().lstrip("(«\"")
    if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return False
    return not (token.isdigit() and word.start() == sentence_start)  # "1. " opening a numbered item


def _looks_like_heading(block: str) -> bool:
    """An unpunctuated short block (a title wraps over two lines), or one line in capitals."""
    stripped = block.strip()
    if stripped.isupper() and "\n" not in stripped:
        return True
    return not stripped.endswith(tuple(TERMINAL + ":;؛" + _CLOSERS)) and len(stripped.split()) <= MAX_HEADING_WORDS


def _clean(text: str) -> str:
    return " ".join(text.split()).lstrip("#> ").strip()
