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
_ARABIC_WORD = re.compile(r"[\u0600-\u06FF]+")
_LATIN_IN_RTL = re.compile(r"^[.,;:!?…)\]]+(?=[^\W\d_])")  # "officielle." drawn in a right-to-left paragraph
_NEUTRAL_RUN = " -–+/.,:\u00a0\u202f"


def has_presentation_forms(text: str) -> bool:
    """True when the text holds shaped Arabic glyphs, the mark of a PDF drawn in visual order."""
    return _PRESENTATION.search(text) is not None


def unshape(text: str) -> str:
    """Presentation forms to base letters (NFKC on them only: lam-alef ligatures become lam + alef)."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _form(char: str) -> str:
    decomposition = unicodedata.decomposition(char)
    return decomposition[1:decomposition.index(">")] if decomposition.startswith("<") else ""


def order_score(line: str) -> int:
    """Evidence that the shaped words of a line read backwards (> 0) or forwards (< 0); 0 for none.

    Shaping joins letters: in logical order a joined pair is (initial|medial, medial|final); reversed it
    is (final|medial, medial|initial). Each pair whose order is unambiguous is one vote.
    """
    score = 0
    for word in _SHAPED_WORD.findall(line):
        forms = [_form(char) for char in word]
        for left, right in zip(forms, forms[1:]):
            if (left == "initial" and right in ("medial", "final")) or (left == "medial" and right == "final"):
                score -= 1
            elif (left == "final" and right in ("medial", "initial")) or (left == "medial" and right == "initial"):
                score += 1
    return score


def is_visual_line(line: str) -> bool:
    """Whether the shaped words of a line read backwards (a PDF drawn in visual order)."""
    return order_score(line) > 0


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


def visual_to_logical(line: str, mirror: bool = True) -> str:
    """Reverse a visually ordered right-to-left line, keeping runs of digits and Latin words left to right.

    A neutral (space, punctuation) between two left-to-right characters belongs to their run ("130-13",
    "ONU Femmes"); any other neutral follows the right-to-left paragraph. Renderers draw brackets mirrored
    in right-to-left runs, so reversed brackets are mirrored back unless `mirror` is False (PDFs made
    with python-bidi, which does not mirror).
    """
    strong = [_direction(char) for char in line]
    following: list[str] = [""] * len(line)
    upcoming = "R"
    for index in range(len(line) - 1, -1, -1):
        following[index] = upcoming
        upcoming = strong[index] or upcoming
    latin = _latin_stretches(line, strong)
    resolved: list[str] = []
    previous = "R"
    for index, direction in enumerate(strong):
        if direction is None:
            joined = previous == "L" and following[index] == "L"
            if joined and not latin[index] and _between_digits(line, index):
                joined = unicodedata.bidirectional(line[index]) == "CS" and _single_separator(line, index)
            direction = "L" if joined else "R"
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


def _latin_stretches(line: str, strong: list[str | None]) -> list[bool]:
    """Per character: whether its stretch of non-Arabic characters holds a Latin letter.

    Digits after Arabic letters are Arabic numbers to the bidi algorithm: only a single common separator
    ("12,5", "2023/2024") joins two of them, while a dash or a space between them is drawn right to left
    ("130-13" is drawn "13-130" by every browser and office suite). Beside Latin words they stay one run.
    """
    flags = [False] * len(line)
    start = 0
    for end in range(len(line) + 1):
        if end == len(line) or strong[end] == "R":
            has_latin = any(char.isalpha() and strong[start + i] == "L" for i, char in enumerate(line[start:end]))
            flags[start:end] = [has_latin] * (end - start)
            start = end + 1
    return flags


def _between_digits(line: str, index: int) -> bool:
    left = line[:index].rstrip(_NEUTRAL_RUN)
    right = line[index + 1:].lstrip(_NEUTRAL_RUN)
    return bool(left) and bool(right) and left[-1].isdigit() and right[0].isdigit()


def _single_separator(line: str, index: int) -> bool:
    return 0 < index < len(line) - 1 and line[index - 1].isdigit() and line[index + 1].isdigit()


def _bracket_faults(text: str) -> int:
    """How badly brackets pair up: low for the right mirroring choice.

    A bracket closing with nothing open counts double: a page may well end inside a quotation, but no
    text closes one before opening it.
    """
    depth = faults = 0
    for char in text:
        depth += (char in _OPENING) - (char in _CLOSING)
        if depth < 0:
            faults, depth = faults + 2, 0
    return faults + depth


def rejoin_split_words(text: str, reference: str) -> str:
    """Join two neighbouring Arabic fragments that are one word in `reference` and never two there.

    Layout extraction places glyphs by their advance widths; where a browser positions a word's glyphs itself
    (kerning, ligatures) a gap can open inside the word ("تم لك" for "تملك"). Plain extraction keeps the word
    whole but its line order is not reliable: it serves as the list of the page's words.
    """
    words = reference.split()
    known, pairs = set(words), set(zip(words, words[1:])) | set(zip(words[1:], words))

    def join(line: str) -> str:
        tokens = line.split()
        out: list[str] = []
        for token in tokens:
            if (out and _ARABIC_WORD.fullmatch(out[-1]) and _ARABIC_WORD.fullmatch(token)
                    and out[-1] + token in known and (out[-1], token) not in pairs):
                out[-1] += token
            else:
                out.append(token)
        return " ".join(out) if len(out) < len(tokens) else line

    return "\n".join(join(line) for line in text.split("\n"))


def fix_arabic_text(text: str) -> str:
    """Logical order and base letters for every shaped line; other lines are returned as they are.

    A shaped line without evidence either way (one short word) follows the majority of the text's lines.
    Whether brackets were drawn mirrored is decided once for the whole text, because a quotation often
    opens on one line and closes on the next.
    """
    lines = text.split("\n")
    scores = {index: order_score(line) for index, line in enumerate(lines) if has_presentation_forms(line)}
    mostly_visual = sum((score > 0) - (score < 0) for score in scores.values()) > 0
    visual = [index for index, score in scores.items() if score > 0 or (score == 0 and mostly_visual)]
    if visual:
        variants = {mirror: [visual_to_logical(lines[index], mirror) for index in visual] for mirror in (True, False)}
        mirror = _bracket_faults("\n".join(variants[True])) <= _bracket_faults("\n".join(variants[False]))
        for index, line in zip(visual, variants[mirror]):
            lines[index] = line
        if mostly_visual:  # a Latin line of a right-to-left page ends with its full stop drawn first
            lines = [visual_to_logical(line, mirror) if index not in scores and _LATIN_IN_RTL.match(line) else line
                     for index, line in enumerate(lines)]
    return "\n".join(unshape(line) if index in scores else line for index, line in enumerate(lines))
