"""Acronyms and brand names a question asks about ("ILAYKI INVEST", "DDCTD", "FFP2"), which no translation changes.

A programme, fund or body named in capitals is what the question is about: passages on a neighbouring programme
answer with the neighbour's figures ("how many loans did ILAYKI INVEST grant" answered with the TAMWIL fund's
totals). Unlike a topic word, such a name is written the same in French, English and Arabic questions about French
pages, so it can be required word for word. Left out: the glossary's terms, whose acronym changes with the
language (VAT/TVA, GDP/PIB, GRB/BSG) and which the glossary already bridges for search, and Roman numerals.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from assistant.answers.places import fold
from index.glossary import read_glossary

# Two or more capitals (digits allowed after the first letter), standing alone or hyphenated: "ILAYKI", "FFP2", "CE-BSG".
ACRONYM = re.compile(r"(?<![\w])[A-Z][A-Z0-9]{2,}(?![\w])")
ROMAN = re.compile(r"[IVXLCDM]+")


@cache
def _glossary_words() -> frozenset[str]:
    """Every word of every glossary form, folded: an acronym among them has a translation the answer may use."""
    return frozenset(word for entry in read_glossary() for forms in entry.forms.values() for form in forms
                     for word in fold(form).split())


@lru_cache(maxsize=1024)  # asked once per question and again for each passage the answer may quote from
def named_acronyms(question: str) -> tuple[str, ...]:
    """The acronyms and capitalised brand names of `question` an answer must quote, in order, once each."""
    found: list[str] = []
    for match in ACRONYM.finditer(question):
        name = match.group(0)
        if ROMAN.fullmatch(name) or fold(name) in _glossary_words() or name in found:
            continue
        found.append(name)
    return tuple(found)


def names_acronym(name: str, texts: list[str]) -> bool:
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(name)) + r"(?!\w)")
    return any(pattern.search(fold(text)) for text in texts)
