"""Which sentences may be quoted as an answer, and which kind of fact a question asks for.

Real reports are full of lines that sit close to any question in embedding space but answer nothing: footnotes
("(96) Forum économique mondial, rapport Global gender gap 2023."), source and note lines under tables, table of
contents entries ("Tableau 4 : Ventilation ... par secteur 12"), figure captions, and markup, links or code. They
are never quoted. And a "how much / when" question is answered by a sentence holding a figure or a date, so such
sentences get a small bonus over those that only talk about the subject.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from ingest.metadata import YEAR

AnswerKind = Literal["amount", "date", "other"]

_REFERENCE_WORDS = re.compile(
    r"(?i)\b(source|sources|note|notes|cf|voir|ibid|op\. ?cit|https?|www|rapport|report|enquête|survey|étude|study|"
    r"forum|banque mondiale|world bank|bulletin officiel|dahir|décret|(?:19|20)\d{2})\b")
_FOOTNOTE_MARK = re.compile(r"^(?:\(\d{1,3}\)|\[\d{1,3}\]|\d{1,3}(?=\s+[A-ZÀ-ÝÉ«\"“]))\s*")
_SOURCE_LINE = re.compile(r"(?i)^(?:\(\*+\)|\*+\s|sources?\s*:|notes?\s*:|n\.?\s?b\.?\s*:|lecture\s*:|المصدر\s*:)")
_CAPTION = re.compile(
    r"(?i)^(?:tableau|graphique|figure|fig\.|encadré|schéma|carte|table|chart|box|map|جدول|رسم بياني|الشكل)"
    r"\s*(?:n°\s*)?\d+[\w.-]*\s*[:.\-–—]")
_TOC_LINE = re.compile(r"(?:\.{3,}|…{2,}|\s)\s*\d{1,3}$")
_TOC_START = re.compile(r"(?i)^(?:tableau|graphique|figure|chapitre|partie|section|annexe|encadré|titre)\b")
_DOT_LEADERS = re.compile(r"\.{5,}|…{3,}|(?:\. ){4,}")
_MARKUP = re.compile(r"<[a-zA-Z/][^>]*>|\]\(|javascript:|\{\{|\}\}|^\s*[{<]")
_URL = re.compile(r"https?://\S+|www\.\S+")
# Code shown on a page (a script, a style sheet, a shell line): its words can match a question, it answers nothing.
_CODE = re.compile(
    r"\bfunction\s*[\w$]*\s*\(|=>|\b(?:var|let|const)\s+[\w$]+\s*=|\b(?:document|window|console)\.[a-z]\w*\s*[(.=]|"
    r"\b(?:alert|eval|prompt|confirm|fetch|setTimeout)\s*\(|[;{]\s*\}|\{\s*[\w-]+\s*:\s*[^;{}]+;|\$\(|"
    r"\bdef\s+\w+\(|#include\b|&&|\|\||==")
_CODE_CHARS = frozenset("{}[]<>=$\\|`^~")
MAX_CODE_CHARS = 0.05  # of a sentence's visible characters: prose has almost none of them

_AMOUNT_QUESTION = re.compile(
    r"(?i)\b(combien|montant|how much|how many|what (?:share|amount|percentage|proportion|rate|number|level)|"
    r"quel(?:le)?s? (?:est |sont |était )?(?:le |la |les )?(?:part|taux|nombre|coût|enveloppe|pourcentage|"
    r"proportion|niveau|volume|total|budget)|share|rate|amount|total|cost|costs)\b|كم|مبلغ|نسبة|عدد|حجم|قيمة|(?<![\u0600-\u06FF])(?:[وفب]?ال|[وفبل])?(?:كلفة|تكلفة)")  # not "المكلفة" (in charge of)
_DATE_QUESTION = re.compile(
    r"(?i)\b(quand|en quelle année|depuis quand|à quelle date|when|what year|which year|since when)\b|متى|أي سنة|منذ متى")
_FIGURE = re.compile(r"\d[\d\s.,]*\d\s*(?:%|‰)|\d+(?:[.,]\d+)?\s*(?:%|dh|dirhams|mdh|mmdh|millions?|milliards?|"
                     r"points?|درهم|مليون|مليار)|\d{1,3}(?:[ \u202f.]\d{3})+|(?<![\w-])\d+(?:,\d+)?(?![\w-])", re.IGNORECASE)
# (a digit inside a word, as "imp6t" or "2eme" in converted and scanned reports, is not a figure)


@lru_cache(maxsize=1 << 15)
def is_quotable(text: str) -> bool:
    """False for footnotes, source/note lines, captions, table-of-contents lines, markup, links and code.

    Cached: every question that retrieves a passage weighs its sentences again."""
    stripped = text.strip()
    if not stripped or _SOURCE_LINE.match(stripped) or _CAPTION.match(stripped) or _MARKUP.search(stripped):
        return False
    if _DOT_LEADERS.search(stripped) or (_TOC_START.match(stripped) and _TOC_LINE.search(stripped)):
        return False
    if sum(len(url) for url in _URL.findall(stripped)) * 2 > len(stripped):
        return False
    visible = len(stripped) - sum(1 for char in stripped if char.isspace())
    if _CODE.search(stripped) or sum(stripped.count(char) for char in _CODE_CHARS) > MAX_CODE_CHARS * visible:
        return False
    footnote = _FOOTNOTE_MARK.match(stripped)
    if footnote and (_REFERENCE_WORDS.search(stripped) or len(stripped.split()) <= 20):
        return False
    letters = sum(char.isalpha() for char in stripped)
    return letters >= 0.3 * len(stripped) or bool(_FIGURE.search(stripped))


def answer_kind(question: str) -> AnswerKind:
    """What the question asks for: an amount (how much, what share), a date (when), or anything else."""
    if _DATE_QUESTION.search(question):
        return "date"
    if _AMOUNT_QUESTION.search(question):
        return "amount"
    return "other"


def holds_kind(sentence: str, kind: AnswerKind) -> bool:
    """Whether a sentence holds the kind of fact asked for (a year for "when", a figure other than a year for "how much")."""
    if kind == "date":
        return bool(YEAR.search(sentence))
    if kind == "amount":
        return any(not YEAR.fullmatch(m.group(0).strip()) for m in _FIGURE.finditer(sentence))
    return False
