"""Moroccan regions and cities, and other countries, a question names, in any French, English or Arabic spelling.

A figure for Morocco, or for another city, is not a figure for Tanger, and Morocco's organic budget law is not
Tunisia's: a question that names a place is only answered by sentences (or their heading or title) that name the
same place. Morocco itself is not a place here: it is what the corpus is about, and rarely named in a sentence. The spellings are the glossary's
`lieu` rows and its twelve regions (`reg_*`; index/glossary.csv, with their sources), so "Tangier", "Tanger" and "بطنجة" are one place, and
"tunisienne", "Tunisian" and "التونسية" name Tunisia.
Matching is on folded text (accents, case, hyphens; Arabic hamza forms and ta marbuta) with the Arabic
one-letter proclitics allowed in front ("بطنجة", "وفاس").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from index.analyzer import fold_accents, normalize_text
from index.glossary import read_glossary

ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
PROCLITICS = "(?:[وفبلك]{1,2})?"
# OCR reads the article of "Al Hoceïma" as "AI" (capital i) in the regional report's tables: "Tanger-Tétouan-AI
# Hoceima" is the region, not the city of Tanger, and "d'AI-Hoceima" is the city.
OCR_AL = re.compile(r"(?<!\w)ai (?=hoceima)")


def fold(text: str) -> str:
    """The BM25 analyzer's text clean-up and accent folding, plus ta marbuta and alef maksura (the analyzer keeps
    them for its stemmer), with hyphens and apostrophes as spaces: "Fès-Meknès" and "فاس مكناس" as typed."""
    bare = fold_accents(normalize_text(text).translate(ARABIC_FOLD))
    return OCR_AL.sub("al ", " ".join(re.sub(r"[-‐–'’_]", " ", bare).split()))


REGION = "reg_"  # the glossary id prefix of the twelve regions


@dataclass(frozen=True)
class Place:
    id: str
    name: str  # the canonical French name, said in a refusal
    pattern: re.Pattern[str]


def _pattern(forms: list[str]) -> re.Pattern[str]:
    alternatives = []
    for form in sorted({fold(f) for f in forms}, key=len, reverse=True):
        body = re.escape(form).replace(r"\ ", " ")
        prefix = PROCLITICS if re.search(r"[\u0600-\u06FF]", form) else ""
        alternatives.append(prefix + body)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


@cache
def places() -> tuple[Place, ...]:
    return tuple(
        Place(entry.id, entry.forms["fr"][0], _pattern([f for forms in entry.forms.values() for f in forms]))
        for entry in read_glossary() if entry.domain == "lieu" or entry.id.startswith(REGION)
    )


@lru_cache(maxsize=1024)  # asked once per question and again for each passage the answer may quote from
def named_places(text: str) -> tuple[Place, ...]:
    """The places `text` names, leaving out a city named only inside a region's name ("Fès" in "Fès-Meknès")."""
    folded = fold(text)
    found = [(place, [m.span() for m in place.pattern.finditer(folded)]) for place in places()]
    found = [(place, spans) for place, spans in found if spans]
    regions = [span for place, spans in found if place.id.startswith(REGION) for span in spans]
    return tuple(place for place, spans in found
                 if place.id.startswith(REGION) or not all(any(a <= s and e <= b for a, b in regions) for s, e in spans))


def names(place: Place, texts: list[str]) -> bool:
    return any(place.pattern.search(fold(text)) for text in texts)
