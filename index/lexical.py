"""Lexical overlap through the BM25 analyzer, so "words in common" means what it means for search.

Each content word of a text becomes a group of terms (a Latin word gives its French and its English stem, as in
a query), so overlap is counted per word and neither language's stemmer has to be guessed for a short sentence.
Numbers are terms too: the guard uses them to catch figures a passage does not contain.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from index.analyzer import TOKEN_RE, BM25Analyzer, normalize_text


@dataclass(frozen=True)
class Terms:
    words: tuple[frozenset[str], ...]  # one group of stems per content word, in text order, repeats dropped
    numbers: frozenset[str]  # the whole numbers ("2015", "130-13"), a subset of `all`
    all: frozenset[str]

    def __len__(self) -> int:
        return len(self.words)


@lru_cache(maxsize=1 << 14)
def terms_of(analyzer: BM25Analyzer, text: str) -> Terms:
    """Cached: the same passages' sentences are weighed again by every question that retrieves them."""
    groups: dict[frozenset[str], None] = {}
    numbers = set()
    for match in TOKEN_RE.finditer(normalize_text(text)):
        group = frozenset(analyzer.token_terms(match[0]))
        if not group:
            continue
        groups[group] = None
        if match[0][0].isdigit():
            numbers.add(max(group, key=len))  # "130-13" also gives "130" and "13": the whole is the longest
    words = tuple(groups)
    return Terms(words=words, numbers=frozenset(numbers), all=frozenset(t for g in words for t in g))


def passage_terms(analyzer: BM25Analyzer, title: str, text: str) -> Terms:
    """A passage's words with its document title's: "le rapport 2025" is answered by a passage of that report.
    One spelling of the text, so the refusal test and search's re-ranking share the cached entry."""
    return terms_of(analyzer, f"{title}\n{text}")


def without(words: Terms, known: Terms) -> Terms:
    """The words of `words` that `known` does not have (what a sentence adds to the question it answers)."""
    kept = tuple(group for group in words.words if not group & known.all)
    all_terms = frozenset(t for g in kept for t in g)
    return Terms(words=kept, numbers=words.numbers & all_terms, all=all_terms)


def coverage(words: Terms, within: Terms) -> float:
    """Share of `words`' content words found in `within` (1.0 for a text with no content word)."""
    if not words.words:
        return 1.0
    return sum(1 for group in words.words if group & within.all) / len(words.words)


def missing_numbers(words: Terms, within: frozenset[str]) -> frozenset[str]:
    """Numbers of `words` absent from the terms `within` (figures a text does not back)."""
    return words.numbers - within
