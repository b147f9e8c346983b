"""Does the evidence speak of what the question singles out? Near misses a cosine cannot tell apart.

On real reports the questions a user most needs refused are near misses: "how many WOMEN are covered by
AMO-Tadamon" when the note gives only the total, "the total tax expenditure in 2021" when the report covers
2023 and 2024. The passages found are on the very subject (cosines as high as for answerable questions), and
the extractive answer would quote the total or another year as if it answered. In gender budgeting the first
miss matters most: a figure for everyone is not a figure for women. Two checks on the sentences an answer
would quote:

- a question asking for an amount about women (or by sex) needs a quoted sentence that names women or sex;
- a year the question names must be in a quoted sentence, its heading or its document's title; for "how much"
  questions, one of them in a quoted sentence that also holds a figure (or in the heading or title): "the reforms
  of the 2022, 2023 and 2024 finance laws" names 2022 but gives no amount for it;
- a Moroccan region or city, or another country, the question names (assistant/answers/places.py) must be named,
  in any of its spellings, in the passages quoted; for "how much", a city or country in a quoted sentence or its
  heading, and not only inside its region's name: the regional report's rows all start with the region
  ("Tanger-Tétouan-Al Hoceïma … hôpital des spécialités de Tétouan" gives no cost for Tanger's university hospital);
- so must an acronym or brand name in capitals (assistant/answers/names.py: "ILAYKI INVEST", "FFP2");
- a "how much" question needs a quoted sentence holding a figure (not only a year, nor "3eme");
- a figure per inhabitant needs passages that give one per inhabitant ("GDP per inhabitant" is not answered by a
  region's share of value added).

Real set (real.jsonl): unanswerable questions refused 1 of 12 -> 6 of 12, answerable ones refused unchanged
(2 of 74); sample set unchanged. Places then: real 6 -> 7 of 12, sample 3 -> 5 of 6, answerable unchanged. A city's
amount said of the city itself (2026-12-04): real 8 -> 9 of 12 (r83), answerable unchanged; over the three blind sets
one answerable question more refused (k18, whose answer quoted a regional heading, not the campus's row).
Other names ("the Royal Golf Dar Es Salam") are not checked: across languages they do not match word for word;
acronyms with a translation (PLF, VAT, GDP: the glossary's) refused answerable questions and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.answers.names import named_acronyms, names_acronym
from assistant.answers.places import REGION, named_places, names
from assistant.answers.quotable import answer_kind, holds_kind
from ingest.metadata import YEAR

# "per inhabitant", "par habitant", "الفردي"...: a figure per head is not a total, a share or a growth rate.
PER_HEAD = re.compile(r"(?i)\b(?:per (?:capita|inhabitant|head|person)|par (?:habitant|tête|personne))\b|"
                      r"الفردي|للفرد|لكل (?:فرد|نسمة|ساكن|مواطن)")
# The year of a finance bill named as such ("le PLF 2025", "the 2025 finance bill", "مشروع قانون المالية لسنة 2025")
# says which bill, not which year a figure is for: it need not stand beside the figure.
BILL_YEAR = re.compile(
    r"(?i)\b(?:p?lf|loi de finances|finance (?:bill|law|act))(?: pour l'année| for| of)? ((?:19|20)\d{2})\b|"
    r"\b((?:19|20)\d{2}) finance (?:bill|law|act)\b|قانون المالية (?:لسنة |برسم سنة )?((?:19|20)\d{2})")
# Numbers written as words ("sur trois ans", "three levels", "ثلاثة مستويات"): a figure too, for "how many". Not
# "un"/"one", which are articles as often as numbers.
NUMBER_WORD = re.compile(
    r"(?i)\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|"
    r"soixante|cent|mille|moitié|tiers|quart|double|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|hundred|thousand|half|third|quarter|twice)\b|"
    r"(?<![\u0600-\u06FF])[وبل]?(?:ال)?(?:اثن|ثلاث|أربع|خمس|ست|سبع|ثمان|تسع|عشر|مائ|مئ|ألف|نصف|ثلث|ربع)"
    r"[\u0600-\u06FF]{0,3}(?![\u0600-\u06FF])")
# "femmes", "women", "النساء"... but not "sage-femmes" (midwives).
SEX = re.compile(
    r"(?i)(?<![\w-])(?:femmes?|féminin\w*|filles?|sexe|women|woman|female|girls?|sex)\b|نساء|مرأة|إناث|فتيات|نسوي")


@dataclass(frozen=True)
class Gap:
    kind: Literal["sex", "per_head", "figure", "year", "place", "name"]
    year: str = ""
    place: str = ""
    name: str = ""


def missing_focus(question: str, quoted: Sequence[str], context: Sequence[str], passages: Sequence[str] = (),
                  document_years: Sequence[int | None] = ()) -> Gap | None:
    """The first thing the question singles out that the sentences to be `quoted` do not hold, if any.

    `context`: the quoted sentences' headings and document titles, where a year often is ("Dépenses fiscales
    constatées en 2023 et en 2024"). `passages`: the whole passages the sentences come from; a place is often
    named once, as a table's row or a paragraph's subject, away from the sentence with the figure.
    `document_years`: the years of the quoted passages' documents: "le PLF 2025" is answered by the 2025 bill's
    reports, whose sentences rarely repeat the year."""
    amount = answer_kind(question) == "amount"
    if amount and SEX.search(question) and not any(SEX.search(t) for t in quoted):
        return Gap("sex")
    if PER_HEAD.search(question) and not any(PER_HEAD.search(t) for t in [*quoted, *context, *passages]):
        return Gap("per_head")
    if amount and not any(_gives_figure(t) for t in quoted):  # "how much" is not answered without a figure
        return Gap("figure")
    for place in named_places(question):  # what the passages are about, before when
        if not names(place, [*quoted, *context, *passages]):
            return Gap("place", place=place.name)
        # A figure for a city must be said of it: a regional table's row for another city of the region, or a
        # passage naming the city elsewhere, does not give the amount asked. (A region is named once, as a table's
        # group heading, above rows that do not repeat it.)
        if amount and not place.id.startswith(REGION) and not any(place in named_places(t) for t in [*quoted, *context]):
            return Gap("place", place=place.name)
    for name in named_acronyms(question):
        if not names_acronym(name, [*quoted, *context, *passages]):
            return Gap("name", name=name)
    around = " ".join([*quoted, *context])
    years = [match.group(0) for match in YEAR.finditer(question)]
    bills = {year for match in BILL_YEAR.finditer(question) for year in match.groups() if year}
    of_documents = {str(year) for year in document_years if year}
    for year in years:
        if year not in around and not (year in bills and year in of_documents):
            return Gap("year", year)
    # For an amount, one of the years must stand by a figure: a sentence listing years alone gives none for them
    # (a second year is often only the comparison: "how much does 2025 grow compared with 2024").
    asked = [year for year in years if year not in bills]
    with_figures = " ".join([*(t for t in quoted if _gives_figure(t)), *context])
    if amount and asked and not any(year in with_figures for year in asked):
        return Gap("year", asked[0])
    return None


def _gives_figure(sentence: str) -> bool:
    return holds_kind(sentence, "amount") or bool(NUMBER_WORD.search(sentence))


def names_all(question: str, texts: Sequence[str]) -> bool:
    """Whether `texts` (a passage, its heading, its title) name every place and acronym the question names."""
    return (all(names(place, list(texts)) for place in named_places(question))
            and all(names_acronym(name, list(texts)) for name in named_acronyms(question)))
