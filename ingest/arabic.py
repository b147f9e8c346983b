"""Arabic text from shaped PDFs back into logical order and base letters.

Many Arabic PDFs (and every PDF shaped by arabic-reshaper + python-bidi) draw each line already shaped
(presentation forms, U+FB50-U+FEFF) and in visual order: read left to right, the words are reversed while
numbers and Latin words stay left to right. Searching and embedding need logical order and base letters.
A line is only reordered when its shaped words prove it is visual (a word starts with a final form), so
text that is already logical passes through unchanged apart from unshaping.
"""

from __future__ import annotations

import re
import unicodedata

_PRESENTATION = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFC]+")
_SHAPED_WORD = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFC]{2,}")
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")
_OPENING, _CLOSING = "([{«‹", ")]}»›"


def has_presentation_forms(text: str) -> bool:
    """True when the text holds shaped Arabic glyphs, the mark of a PDF drawn in visual order."""
    return _PRESENTATION.search(text) is not None


def unshape(text: str) -> str:
    """Presentation forms to base letters (NFKC on them only: lam-alef ligatures become lam + alef)."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _form(char: str) -> str:
    decomposition = unicodedata.decomposition(char)
    return decomposition[1:decomposition.index(">")] if decomposition.startswith("<") else ""


def is_visual_line(line: str) -> bool:
    """Whether shaped words in the line read backwards.

    In logical order a joined word opens with an initial form and closes with a final one; reversed, it
    opens with a final form and closes with an initial one. Majority vote over the line's shaped words.
    """
    visual = logical = 0
    for word in _SHAPED_WORD.findall(line):
        first, last = _form(word[0]), _form(word[-1])
        visual += (first == "final") + (last == "initial")
        logical += (first == "initial") + (last == "final")
    return visual > logical


def _direction(char: str) -> str | None:
    """'R' for right-to-left letters, 'L' for left-to-right letters and all digits, None for neutrals."""
    bidi = unicodedata.bidirectional(char)
    if bidi in ("R", "AL"):
        return "R"
    if bidi in ("L", "EN", "AN"):
        return "L"
    if bidi == "NSM":  # a combining mark travels with its (right-to-left) letter
        return "R"
    return None


def visual_to_logical(line: str) -> str:
    """Reverse a visually ordered right-to-left line, keeping runs of digits and Latin words left to right.

    A neutral (space, punctuation) between two left-to-right characters belongs to their run ("130-13",
    "ONU Femmes"); any other neutral follows the right-to-left paragraph. Renderers draw brackets mirrored
    in right-to-left runs, so reversed brackets are mirrored back, unless the PDF was made without
    mirroring (python-bidi does not mirror), which shows as brackets closing before they open.
    """
    mirrored = _reorder(line, mirror=True)
    if _brackets_in_order(mirrored):
        return mirrored
    plain = _reorder(line, mirror=False)
    return plain if _brackets_in_order(plain) else mirrored


def _brackets_in_order(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char in _OPENING) - (char in _CLOSING)
        if depth < 0:
            return False
    return True


def _reorder(line: str, mirror: bool) -> str:
    strong = [_direction(char) for char in line]
    following: list[str] = [""] * len(line)
    upcoming = "R"
    for index in range(len(line) - 1, -1, -1):
        following[index] = upcoming
        upcoming = strong[index] or upcoming
    resolved: list[str] = []
    previous = "R"
    for index, direction in enumerate(strong):
        if direction is None:
            direction = "L" if previous == "L" and following[index] == "L" else "R"
        else:
            previous = direction
        resolved.append(direction)
    runs: list[tuple[str, str]] = []
    start = 0
    for index in range(1, len(line) + 1):
        if index == len(line) or resolved[index] != resolved[start]:
            runs.append((resolved[start], line[start:index]))
            start = index
    table = _MIRROR if mirror else {}
    return "".join(text if direction == "L" else text[::-1].translate(table) for direction, text in reversed(runs))


def fix_arabic_text(text: str) -> str:
    """Logical order and base letters for every shaped line; other lines are returned as they are."""
    lines = []
    for line in text.split("\n"):
        if has_presentation_forms(line):
            line = unshape(visual_to_logical(line) if is_visual_line(line) else line)
        lines.append(line)
    return "\n".join(lines)
