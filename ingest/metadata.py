"""Document metadata: the corpus manifest when it has a row, inference from name, file and text otherwise.

Also the section-heading test used to label chunks, because a title and a section heading are found the
same way (a short line set apart by markup, numbering or capitals).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.text import fold
from ingest.types import DOC_TYPES, LANGS

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "title", "doc_type", "year", "language", "source", "licence")
MIN_YEAR, MAX_YEAR = 1900, 2099
MAX_HEADING_CHARS = 120
MAX_TITLE_CHARS = 200
MAX_PLAIN_HEADING_WORDS, MAX_PLAIN_HEADING_CHARS = 12, 80

YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")  # a year standing alone; shared with the answer layer
_DOC_TYPE_WORDS = (  # first match wins: a "guide de la loi organique" is a guide, the PLF gender report a rapport
    ("guide", ("guide", "guides", "manuel", "handbook", "دليل")),
    ("rapport", ("rapport", "rapports", "report", "تقرير")),
    ("etude", ("etude", "etudes", "study", "studies", "دراسة")),
    ("loi", ("loi", "lois", "law", "dahir", "decret", "قانون", "ظهير", "مرسوم")),
)
_DOC_TYPE_SYNONYMS = {"law": "loi", "report": "rapport", "study": "etude", "other": "autre"}
_JUNK_TITLES = {"untitled", "sans titre", "document", "titre", "title", "(anonymous)", "anonymous"}
_PRODUCER_PREFIX = re.compile(r"^(microsoft (word|powerpoint|excel) - )", re.IGNORECASE)
_FILE_LIKE = re.compile(r"\.(docx?|pdf|odt|rtf|txt|md|html?)$", re.IGNORECASE)
# A working file name stored as the title ("NP PLF 2025 Fr 18.10.2024 12h CM - Copie"): drafts, copies, dates, times.
_WORKING_NAME = re.compile(r"\b(copie|copy|draft|brouillon|final|v\d+)\b|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\b\d{1,2}h\d{0,2}\b",
                           re.IGNORECASE)
# A title line cut before its end ("RAPPORT SUR" / "LES DEPENSES FISCALES") continues on the next line.
_DANGLING = {"de", "des", "du", "d", "sur", "la", "le", "les", "l", "pour", "et", "en", "à", "a", "au", "aux",
             "of", "on", "the", "and", "for", "in", "to"}
# Letterhead lines that open Moroccan official documents but are never their title.
_LETTERHEAD = re.compile(r"^(royaume du maroc|kingdom of morocco|المملكة المغربية|minist[eè]re|وزارة)",
                         re.IGNORECASE)

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){1,3}\.?|\d{1,2}[.)]|[IVX]{1,5}[.)-]|[A-H][.)])\s+(\S.*)$")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_SENTENCE_END = ".:!?»)؟…"
_UNFINISHED_END = ".,;:!?…،؛؟"


@dataclass
class ManifestEntry:
    """One manifest row; None means 'not given, infer it'."""

    file: str
    title: str | None = None
    doc_type: str | None = None
    year: int | None = None
    language: str | None = None
    source: str = ""
    licence: str = ""


# --- manifest -----------------------------------------------------------------------------------------

def read_manifest(folder: Path) -> tuple[dict[str, ManifestEntry], list[str]]:
    """Entries keyed by file name (relative to `folder`, '/' separated) and the problems found.

    A bad field is reported (row and field named) and left to inference; the rest of its row still
    applies. No manifest is no problem.
    """
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}, []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{MANIFEST_NAME}: unreadable ({exc}); ignored"]
    reader = csv.DictReader(io.StringIO(text))
    columns = [name.strip().casefold() for name in reader.fieldnames or []]
    if "file" not in columns:
        return {}, [f"{MANIFEST_NAME}: no 'file' column; ignored"]
    reader.fieldnames = columns
    entries: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    for row in reader:
        where = f"{MANIFEST_NAME} row {reader.line_num}"
        entry, row_problems = _parse_row(row, where)
        problems.extend(row_problems)
        if entry is None:
            continue
        if entry.file in entries:
            problems.append(f"{where}: file '{entry.file}' listed twice; first row kept")
            continue
        if not (folder / entry.file).is_file():
            problems.append(f"{where}: file '{entry.file}' not found in the corpus")
        entries[entry.file] = entry
    return entries, problems


def _parse_row(row: dict[str, str | None], where: str) -> tuple[ManifestEntry | None, list[str]]:
    values = {key: (value or "").strip() for key, value in row.items() if key is not None and isinstance(value, str)}
    file = values.get("file", "").replace("\\", "/").removeprefix("./")
    if not file:
        return None, [f"{where}: field 'file' is empty; row ignored"]
    problems: list[str] = []
    entry = ManifestEntry(file=str(PurePosixPath(file)), title=values.get("title") or None,
                          source=values.get("source", ""), licence=values.get("licence", ""))
    if raw := values.get("doc_type"):
        doc_type = _DOC_TYPE_SYNONYMS.get(fold(raw), fold(raw))
        if doc_type in DOC_TYPES:
            entry.doc_type = doc_type
        else:
            problems.append(f"{where} ({file}): field 'doc_type' '{raw}' is not one of {', '.join(DOC_TYPES)}; "
                            "inferred instead")
    if raw := values.get("year"):
        if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
            entry.year = int(raw)
        else:
            problems.append(f"{where} ({file}): field 'year' '{raw}' is not a year; inferred instead")
    if raw := values.get("language"):
        if raw.casefold() in LANGS:
            entry.language = raw.casefold()
        else:
            problems.append(f"{where} ({file}): field 'language' '{raw}' is not one of {', '.join(LANGS)}; "
                            "detected instead")
    return entry, problems


def manifest_entry(entries: dict[str, ManifestEntry], file_name: str) -> ManifestEntry | None:
    """The row for a file: by its relative path, else by its bare name when that is unambiguous."""
    if file_name in entries:
        return entries[file_name]
    base = PurePosixPath(file_name).name
    matches = [entry for key, entry in entries.items() if PurePosixPath(key).name == base]
    return matches[0] if len(matches) == 1 and "/" not in matches[0].file else None


# --- inference ----------------------------------------------------------------------------------------

def year_from_text(text: str) -> int | None:
    """The last 19xx/20xx standing alone in a file name or title ("PLF_2025_rapport_genre" -> 2025)."""
    years = YEAR.findall(text)
    return int(years[-1]) if years else None


def infer_doc_type(*texts: str) -> str:
    """guide, rapport, etude or loi from keywords in the file name and title; else autre."""
    words = set(re.split(r"[\W_]+", fold(" ".join(texts))))
    for doc_type, keywords in _DOC_TYPE_WORDS:
        if words.intersection(keywords):
            return doc_type
    return "autre"


def usable_title(raw: str | None) -> str | None:
    """A title stored in the file, unless it is a producer's placeholder or just a file name."""
    if not raw:
        return None
    title = " ".join(_PRODUCER_PREFIX.sub("", raw).split())
    if (_FILE_LIKE.search(title) or _WORKING_NAME.search(title) or fold(title) in _JUNK_TITLES
            or sum(char.isalpha() for char in title) < 3):
        return None
    return title[:MAX_TITLE_CHARS]


def title_from_text(pages: list[str]) -> str | None:
    """The first heading of the document, else its first line that is not letterhead."""
    for page in pages[:2]:
        lines = [line.strip() for line in page.split("\n") if line.strip()]
        for index, line in enumerate(lines[:15]):
            heading = heading_of(line)
            if heading and not _LETTERHEAD.match(heading) and sum(char.isalpha() for char in heading) >= 3:
                return _readable(_completed(heading, lines[index + 1:index + 3]))[:MAX_TITLE_CHARS]
        for line in lines:
            if not _LETTERHEAD.match(line) and sum(char.isalpha() for char in line) >= 3:
                return line[:MAX_TITLE_CHARS]
    return None


def _completed(heading: str, following: list[str]) -> str:
    """A heading that ends on a preposition or article goes on with the next line(s)."""
    for line in following:
        words = re.split(r"[\s']+", fold(heading))
        if not words or words[-1] not in _DANGLING:
            break
        heading = f"{heading} {line}"
    return heading


def _readable(title: str) -> str:
    """A cover title set in capitals reads as a sentence ("RAPPORT SUR LES DEPENSES" -> "Rapport sur les depenses")."""
    letters = [char for char in title if char.isalpha()]
    if len(title.split()) >= 3 and all(char.isupper() for char in letters if char.lower() != char.upper()):
        return title[0] + title[1:].lower()
    return title


def title_from_name(file_name: str) -> str:
    stem = PurePosixPath(file_name).stem
    return " ".join(re.split(r"[_\-\s]+", stem)).strip() or file_name


# --- section headings ---------------------------------------------------------------------------------

def heading_of(line: str) -> str | None:
    """The heading a line is, or None: a markdown '#' heading, a numbered title ("1.2 Titre", "II. Contexte")
    or a short line in capitals. Sentences (ending in '.', ',', ';') and table rows are not headings."""
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or " | " in line:
        return None
    if match := _MARKDOWN_HEADING.match(line):
        return match.group(1)
    if line[-1] in ".,;" or _digit_heavy(line):
        return None
    if match := _NUMBERED_HEADING.match(line):
        rest = match.group(1)
        if (rest[0].isupper() or _ARABIC_LETTER.match(rest)) and sum(char.isalpha() for char in rest) >= 3:
            return line
        return None
    cased = [char for char in line if char.isalpha() and char.lower() != char.upper()]
    if len(cased) >= 4 and all(char.isupper() for char in cased):
        return line
    return None


def _digit_heavy(line: str) -> bool:
    visible = [char for char in line if not char.isspace()]
    return sum(char.isdigit() for char in visible) > 0.3 * len(visible)


def headings(text: str) -> list[tuple[int, str]]:
    """(offset of the line, heading) for every heading line of a text, in order.

    Besides the lines `heading_of` recognises alone, a PDF loses the bold that marks a sentence-case
    heading ("Les secteurs sociaux"), so a short unpunctuated line is also taken for one when it stands
    between a finished sentence (or the page top) and a longer line that opens a paragraph.
    """
    lines = text.split("\n")
    found = []
    offset = 0
    for index, line in enumerate(lines):
        heading = heading_of(line) or (line.strip() if _between_paragraphs(lines, index) else None)
        if heading:
            found.append((offset, heading))
        offset += len(line) + 1
    return found


def _between_paragraphs(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if not 2 <= len(line.split()) <= MAX_PLAIN_HEADING_WORDS or len(line) > MAX_PLAIN_HEADING_CHARS:
        return False
    if line[-1] in _UNFINISHED_END or " | " in line or not _opens(line):
        return False
    # walk from the line rather than slice: a slice copies the rest of the document for every candidate
    # line, which made a long text file of short lines quadratic
    before = next((other for at in range(index - 1, -1, -1) if (other := lines[at].strip())), "")
    after = next((other for at in range(index + 1, len(lines)) if (other := lines[at].strip())), "")
    return (not before or before[-1] in _SENTENCE_END) and len(after) > len(line) and _opens(after)


def _opens(line: str) -> bool:
    """Whether a line can begin a heading or a paragraph: a capital, a digit, an Arabic letter, a bullet."""
    first = line[0]
    return first.isupper() or first.isdigit() or first in "•«-–" or _ARABIC_LETTER.match(first) is not None
