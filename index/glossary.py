"""Cross-lingual query expansion from a trilingual glossary of gender-budgeting and public-finance terms.

BM25 only matches words the passage spells, and the corpus is mostly French: an English or Arabic question
("tax expenditures on VAT", "النفقات الجبائية") shares no word with the French page that answers it. The
glossary (`glossary.csv`: fr, en, ar forms separated by '|', the first canonical, with the source of each
equivalence) finds the English and Arabic terms of a question and adds their French forms to the BM25 query.
Terms are compared as the BM25 analyzer sees them (stemmed, stop words out, Arabic normalised), so plurals,
articles and prefixes ("والميزانية") still match.

Two kinds of entries: gender-budgeting and public-finance terms from reference sources, and the finance-bill
reports' own frequent vocabulary (borrowing, tax allowances, sectors, bodies; source "PLF 2025 reports (corpus
term …)"), written by readers who never saw a question. The second kind carried to questions nobody tuned on (two
blind held-out sets, Arabic R@5 0.333 -> 0.500 and 0.750 -> 0.875; evaluation/RESULTS.md).

A form of four terms or more also matches with one of them left out: questions name a body by the words that single
it out ("المرافق المسيرة بصورة مستقلة", without "الدولة", is the SEGMA). Shorter forms must match whole: without one
of three words "gender responsive budget" is only "responsive budget".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.analyzer import BM25Analyzer

GLOSSARY_PATH = Path(__file__).with_name("glossary.csv")
FOREIGN = ("en", "ar")  # languages expanded; French is the corpus's own
MIN_PARTIAL_TERMS = 4  # forms this long still match with one of their terms missing from the question


@dataclass(frozen=True)
class Entry:
    id: str
    forms: dict[str, tuple[str, ...]]  # language -> forms, canonical first
    domain: str
    source: str


_Table = dict[tuple[str, ...], tuple[int, Entry]]  # term sequence -> (rank, entry)


class Glossary:
    """Created once per process: the entries and, per language, each form's analysed term sequence."""

    def __init__(self, entries: list[Entry], analyzer: BM25Analyzer) -> None:
        self.entries = entries
        self.analyzer = analyzer
        patterns = {
            lang: sorted(((terms, entry) for entry in entries for form in entry.forms[lang]
                          if (terms := tuple(analyzer.terms(form, lang)))), key=lambda pair: -len(pair[0]))
            for lang in FOREIGN
        }
        # Whole forms first, then long forms with one term left out ("المرافق المسيرة بصورة مستقلة" for "مرافق الدولة
        # المسيرة بصورة مستقلة"): a question names a body by the words that single it out, not always by its title.
        # A whole form keeps its rank (longest first, then the file's order), which decides among overlapping
        # matches of one length and the order of the expansion; the partial forms go by position.
        self._tables: dict[str, tuple[_Table, _Table]] = {
            lang: (_table((terms, rank, entry) for rank, (terms, entry) in enumerate(pairs)),
                   _table((terms[:i] + terms[i + 1:], 0, entry) for terms, entry in pairs
                          if len(terms) >= MIN_PARTIAL_TERMS for i in range(len(terms))))
            for lang, pairs in patterns.items()
        }
        self._lengths = {lang: [sorted({len(key) for key in table}, reverse=True) for table in tables]
                         for lang, tables in self._tables.items()}

    def matches(self, question: str, lang: str) -> list[Entry]:
        """Entries whose `lang` form the question holds, longest first; a shorter term inside a longer one is
        not counted again ("gender budget report" does not also yield "budget")."""
        if lang not in self._tables:
            return []
        terms = self.analyzer.terms(question, lang)
        used = [False] * len(terms)
        found: dict[str, Entry] = {}
        for table, lengths in zip(self._tables[lang], self._lengths[lang]):
            for length in lengths:
                hits = sorted((table[key][0], start, table[key][1]) for start in range(len(terms) - length + 1)
                              if (key := tuple(terms[start:start + length])) in table)
                for _, start, entry in hits:
                    if not any(used[start:start + length]):
                        used[start:start + length] = [True] * length
                        found.setdefault(entry.id, entry)
        return list(found.values())

    def expansion(self, question: str, lang: str) -> str:
        """The French forms of the glossary terms in the question, as extra query text ('' when none)."""
        return " ".join(form for entry in self.matches(question, lang) for form in entry.forms["fr"])


def _table(rows: Iterable[tuple[tuple[str, ...], int, Entry]]) -> _Table:
    """Where two entries share a term sequence, the first one (the longer form's, then the file's order) keeps it."""
    table: _Table = {}
    for terms, rank, entry in rows:
        table.setdefault(terms, (rank, entry))
    return table


def read_glossary(path: Path = GLOSSARY_PATH) -> list[Entry]:
    """The glossary rows; a malformed row is an error naming its line (the file ships with the code)."""
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            forms = {lang: tuple(f.strip() for f in (row.get(lang) or "").split("|") if f.strip()) for lang in ("fr", "en", "ar")}
            if not all(forms.values()) or not (row.get("id") or "").strip():
                raise ValueError(f"{path}:{number}: every row needs an id and fr, en and ar forms")
            entries.append(Entry(row["id"].strip(), forms, (row.get("domain") or "").strip(), (row.get("source") or "").strip()))
    return entries


@cache
def get_glossary(analyzer: BM25Analyzer) -> Glossary:
    return Glossary(read_glossary(), analyzer)
