"""Citation markers in text, and Citations built from a quoted stretch of a retrieved passage."""

from __future__ import annotations

import re

from assistant.answers.evidence import Source
from assistant.search.service import Hit
from core.contract import Citation
from ingest.chunking import PAGE_SEPARATOR

# "[2]", "[1, 3]", "[1][2]" and the "[Source 2]" / "[source 1; source 3]" that small models like to write.
_LABEL = r"(?:sources?|src|doc(?:ument)?s?|passages?)?\s*"
MARKER = re.compile(rf"\[\s*{_LABEL}(\d{{1,3}}(?:\s*[,;]\s*{_LABEL}\d{{1,3}})*)\s*\]", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?؟،])")
MAX_QUOTE_CHARS = 600  # a quote spanning several supporting sentences stays readable in a source panel


def marker_numbers(text: str) -> list[int]:
    """Every number cited in `text`, in order, repeats kept."""
    return [int(n) for match in MARKER.finditer(text) for n in _NUMBER.findall(match[1])]


def strip_markers(text: str) -> str:
    return _SPACE_BEFORE_PUNCT.sub(r"\1", MARKER.sub("", text)).strip()


def format_marker(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def citation(n: int, source: Source, spans: list[tuple[int, int]]) -> Citation:
    """Citation `n` quoting the source's passage from the first of `spans` to the last, so that the quote is
    always the page text at its span; one sentence only when the stretch would be longer than MAX_QUOTE_CHARS."""
    hit = source.hit
    start, end = min(spans)[0], max(e for _, e in spans)
    if end - start > MAX_QUOTE_CHARS:
        start, end = min(spans)
    page, span = page_span(hit, start, end)
    return Citation(
        n=n, doc_id=hit.doc_id, file=hit.file_name, title=hit.title, page=page, quote=" ".join(hit.text[start:end].split()),
        chunk_id=hit.chunk_id, score=round(source.cosine, 4), quote_span=span,
        locator=hit.locator if page == hit.page else "", ocr=hit.ocr,
    )


def page_span(hit: Hit, start: int, end: int) -> tuple[int, tuple[int, int] | None]:
    """Page of a stretch of a chunk, and its character span in that page's text when it can be known.

    A chunk's span starts in its first page and ends in its last (pages joined by PAGE_SEPARATOR), so a stretch
    inside the last page's part, or before it in a two-page chunk, maps back exactly; a stretch across a page
    break, or in the middle page of a longer chunk, keeps the first page and no span.
    """
    chunk_start, chunk_end = hit.quote_span
    if hit.page_breaks:
        return _by_breaks(hit, start, end)
    if hit.page == hit.page_end:
        return hit.page, (chunk_start + start, chunk_start + end)
    last_page_from = len(hit.text) - chunk_end
    if start >= last_page_from:
        return hit.page_end, (start - last_page_from, end - last_page_from)
    if hit.page_end == hit.page + 1 and end <= last_page_from - len(PAGE_SEPARATOR):
        return hit.page, (chunk_start + start, chunk_start + end)
    return hit.page, None


def _by_breaks(hit: Hit, start: int, end: int) -> tuple[int, tuple[int, int] | None]:
    """The page where the stretch starts, from the chunk's recorded page starts; a span only when it ends there."""
    starts = [(hit.page, -hit.quote_span[0])] + list(hit.page_breaks)  # the first page starts before the chunk
    index = max(i for i, (_, offset) in enumerate(starts) if offset <= start)
    page, offset = starts[index]
    following = starts[index + 1][1] if index + 1 < len(starts) else len(hit.text) + len(PAGE_SEPARATOR)
    return page, ((start - offset, end - offset) if end <= following - len(PAGE_SEPARATOR) else None)
