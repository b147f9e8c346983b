"""Page texts as extracted -> page texts fit to chunk, cite and embed. Pure functions, no I/O.

What is removed is noise for retrieval: running headers and footers repeat on every page and would make
every chunk of a report look alike; invisible characters and line-break hyphens split words the index
then never matches.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict

# NFKC only where compatibility forms are pure rendering artefacts: Latin ligatures (ﬁ) and Arabic
# presentation forms. NFKC everywhere would also rewrite ², ½, ™ and full-width text.
_COMPATIBILITY_FORMS = re.compile(r"[\uFB00-\uFDFF\uFE70-\uFEFC]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")
_LETTERS = r"[^\W\d_]"
# The right-hand word is only looked at, not consumed: "non-\ndiscri-\nmination" has two breaks.
_LINE_BREAK_HYPHEN = re.compile(rf"({_LETTERS}+)-[ \t]*\n[ \t]*(?=({_LETTERS}+))")
_WORD = re.compile(rf"{_LETTERS}+(?:-{_LETTERS}+)*")
# French prefixes that keep their hyphen before a noun or adjective (socio-économique, sous-programme).
_HYPHEN_PREFIXES = frozenset({"socio", "non", "sous", "quasi", "vice", "demi", "semi", "mi", "ex", "néo", "neo"})

RUNNING_ZONE = 3  # lines at the top and at the bottom of a page where headers and footers live
RUNNING_SHARE = 0.4  # share of pages a line must recur on (0.4: alternating odd/even headers count)
RUNNING_MIN_PAGES = 3


def normalize_unicode(text: str) -> str:
    """NFC, unified line ends and spaces; invisible characters (soft hyphens, zero-width, bidi marks) go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROLS.sub("", text)
    text = _COMPATIBILITY_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return unicodedata.normalize("NFC", text)


def collapse_whitespace(text: str) -> str:
    """One space between words, no space at line ends, at most one blank line (a paragraph break)."""
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _line_key(line: str) -> str:
    """Page numbers and years vary from page to page; the header they sit in does not."""
    return _DIGITS.sub("#", line.casefold())


def strip_running_lines(pages: list[str]) -> list[str]:
    """Drop lines that recur at the top or bottom of many pages ("Page 3", "- 12 -", the bill's title).

    Lines count as the same when they differ only by numbers, provided those numbers run with the pages
    (page numbers do; the totals of a table row at the foot of several pages do not). Expects lines
    already whitespace-collapsed. Documents of fewer than RUNNING_MIN_PAGES pages are returned as they
    are: nothing can be told to repeat.
    """
    if len(pages) < RUNNING_MIN_PAGES:
        return list(pages)
    threshold = max(RUNNING_MIN_PAGES, math.ceil(RUNNING_SHARE * len(pages)))
    split = [page.split("\n") for page in pages]
    top: dict[str, list[tuple[int, str]]] = defaultdict(list)
    bottom: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for number, lines in enumerate(split):
        content = [line for line in lines if line]
        for zone, found in ((top, content[:RUNNING_ZONE]), (bottom, content[-RUNNING_ZONE:])):
            for key, line in {_line_key(line): line for line in found}.items():
                zone[key].append((number, line))
    running_top = {key for key, seen in top.items() if _is_running(seen, threshold)}
    running_bottom = {key for key, seen in bottom.items() if _is_running(seen, threshold)}
    if not running_top and not running_bottom:
        return list(pages)
    return ["\n".join(_strip_zones(lines, running_top, running_bottom)) for lines in split]


def _is_running(seen: list[tuple[int, str]], threshold: int) -> bool:
    """Recurs on enough pages, identical or with a number that grows with the page (a page number)."""
    if len(seen) < threshold:
        return False
    if len({line for _, line in seen}) == 1:
        return True
    numbers = [[int(digits) for digits in _DIGITS.findall(line)] for _, line in seen]
    return any(all(later[slot] > earlier[slot] for earlier, later in zip(numbers, numbers[1:]))
               for slot in range(min(len(values) for values in numbers)))


def _strip_zones(lines: list[str], running_top: set[str], running_bottom: set[str]) -> list[str]:
    content_positions = [index for index, line in enumerate(lines) if line]
    drop = {index for index in content_positions[:RUNNING_ZONE] if _line_key(lines[index]) in running_top}
    drop |= {index for index in content_positions[-RUNNING_ZONE:] if _line_key(lines[index]) in running_bottom}
    return [line for index, line in enumerate(lines) if index not in drop]


def vocabulary(pages: list[str]) -> set[str]:
    """Words (hyphenated compounds whole) the document itself spells, to settle line-break hyphens.

    Matches are taken one at a time: `findall` would first list every word of the page, and one page of a
    50 MB text file holds millions (450 MB of strings for a set of a few thousand).
    """
    words: set[str] = set()
    for page in pages:
        words.update(match.group().casefold() for match in _WORD.finditer(page))
    return words


def join_hyphenated(text: str, known_words: set[str] | frozenset[str] = frozenset()) -> str:
    """Rejoin words hyphenated at a line break: "budgéti-\\nsation" -> "budgétisation".

    A real compound split at its hyphen keeps the hyphen ("socio-\\néconomique"). The document decides
    first (does it spell the word elsewhere with or without the hyphen?); otherwise a capital after the
    break (Rabat-Salé) or a known prefix (socio-, sous-, non-) keeps it; otherwise the hyphen was
    typographic and goes.
    """

    def rejoin(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if (left + right).casefold() in known_words:
            return left
        if f"{left}-{right}".casefold() in known_words:
            return left + "-"
        if right[0].isupper() or left.casefold() in _HYPHEN_PREFIXES:
            return left + "-"
        return left

    return _LINE_BREAK_HYPHEN.sub(rejoin, text)


def clean_pages(pages: list[str], paginated: bool = True) -> list[str]:
    """The whole cleaning, page count preserved (an emptied page stays, so page numbers stay right).

    Only paginated formats have running headers: the units of a Word file are sections, whose repeated
    lines (a table's column names) are content.
    """
    pages = [collapse_whitespace(normalize_unicode(page)) for page in pages]
    if paginated:
        pages = strip_running_lines(pages)
    known = vocabulary(pages)
    return [collapse_whitespace(join_hyphenated(page, known)) for page in pages]
