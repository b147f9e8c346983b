"""Does a retrieved passage hold a piece of evidence? Decided on the text itself, the same way for every retriever.

Matching the passage text against the quote (rather than comparing character spans in the stored pages) works
for retrievers whose chunks carry no span (the LlamaIndex-default baseline reads the PDFs its own way) and for any
future retriever, and it cannot be fooled by a span bug in the chunker. A chunk covers the part of a quote it
holds: the whole quote, or - when a chunk boundary splits the quote - the quote's head at the chunk's end or its
tail at the chunk's start (or the chunk lies wholly inside a long quote). Only those runs count, not any shared
phrase, so a chunk elsewhere that merely repeats "budgétisation sensible au genre" does not hit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from evaluation.questions import Evidence

MIN_COVERAGE = 0.5  # share of the quote's characters a chunk must hold to hit


def normalize(text: str) -> str:
    """Whitespace runs to one space, case folded; NFKC so ligatures and Arabic presentation forms equal their letters."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def covered(chunk: str, quote: str) -> int:
    """Characters of `quote` that `chunk` holds as one run at a chunk boundary (both already normalised)."""
    if not quote or not chunk:
        return 0
    if quote in chunk:
        return len(quote)
    if chunk in quote:
        return len(chunk)
    head = next((n for n in range(len(quote) - 1, 0, -1) if chunk.endswith(quote[:n])), 0)
    tail = next((n for n in range(len(quote) - 1, head, -1) if chunk.startswith(quote[-n:])), 0)
    return max(head, tail)


def hits(text: str, file_name: str, evidence: Sequence[Evidence], same_doc: Callable[[str, str], bool]) -> frozenset[int]:
    """Indexes of the evidence items this passage hits: same document and at least half of the quote covered."""
    chunk = normalize(text)
    found = set()
    for index, item in enumerate(evidence):
        if not same_doc(file_name, item.doc):
            continue
        quote = normalize(item.quote)
        if covered(chunk, quote) >= MIN_COVERAGE * len(quote):
            found.add(index)
    return frozenset(found)
