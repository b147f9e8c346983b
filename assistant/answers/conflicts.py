"""Figures that disagree: the same quantity given two different values by the passages an answer draws from.

Two reports may give a rate as 19 % and as 19.8 %; quoting one of them hides the other. A figure (a percentage or
an amount in dirhams) is compared with another only when the passages' own words make them the same quantity:
the same kind (a rate, an amount), the same year written in the sentence, the same place (region, rural/urban; the
national level is the default), the same measure — the content words of the clause that introduces the figure
("le taux d'activité des femmes"), compared stem by stem — and words after the figure that do not tell the two
apart (rows of a table are different things). Sentences giving two figures of one kind, or two years, are left out
as ambiguous ("19 % en 2023 contre 21 % en 2024"). Values that agree once rounded to the less precise one (19 % and
19.0 %, 19 % and 19.4 %, 1,7 milliard and 1 650 millions) are not a conflict; 19 % and 19.8 % are.

A disagreement is shown when the answer quotes one of its figures, or when the question asks about that quantity
(most of its measure words, and its year if the question names one). The check is deliberately narrow: a missed
disagreement costs less than a false alarm on a ministry's figures.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from assistant.answers import labels
from assistant.answers.citations import citation
from assistant.answers.evidence import Evidence, PassageSentences, Source
from assistant.answers.extractive import Quote
from core.contract import Citation, Conflict, ConflictValue
from index.analyzer import BM25Analyzer
from index.lexical import terms_of
from index.sentences import Sentence
from ingest.metadata import YEAR

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩٫٪", "0123456789,%")  # one character for one: offsets are kept
_UNITS = {
    "%": r"%|pour ?cent|per ?cent|percent|في المائة|في المئة|بالمائة",
    "MDH": r"millions? de dirhams|millions? dirhams?|mdh|مليون درهم",
    "MMDH": r"milliards? de dirhams|billions? dirhams?|mmdh|مليار درهم",
}
# Units of one dimension are compared in the first one's terms: 1,7 milliard and 1 700 millions are one amount.
_DIMENSION = {"%": ("%", Decimal(1)), "MDH": ("MDH", Decimal(1)), "MMDH": ("MDH", Decimal(1000))}
_VALUE = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?\s*(" + "|".join(_UNITS.values()) + r")(?!\w)",
    re.IGNORECASE,
)
_UNIT_OF = [(unit, re.compile(rf"^(?:{pattern})$", re.IGNORECASE)) for unit, pattern in _UNITS.items()]
_CLAUSE_END = re.compile(r"[,;:()]|،|؛| - | – | — ")
# Places the corpus distinguishes; the national level ("au niveau national", "Maroc") is every figure's default.
_PLACES = {
    "rural": r"\brura(?:l|le|ux|les)\b|القروي|قروي",
    "urbain": r"\burba(?:in|ine|ins|ines|n)\b|الحضري|حضري",
    "tanger-tetouan-al hoceima": r"\btanger\b|طنجة",
    "oriental": r"\boriental\b|الشرق",
    "fes-meknes": r"\bf[eè]s\b|\bmekn[eè]s\b|فاس",
    "rabat-sale-kenitra": r"\brabat\b|\bk[ée]nitra\b|الرباط",
    "beni mellal-khenifra": r"\bb[ée]ni mellal\b|بني ملال",
    "casablanca-settat": r"\bcasablanca\b|الدار البيضاء",
    "marrakech-safi": r"\bmarrakech\b|مراكش",
    "draa-tafilalet": r"\bdr[aâ]a\b|درعة",
    "souss-massa": r"\bsouss\b|سوس",
    "guelmim-oued noun": r"\bguelmim\b|كلميم",
    "laayoune-sakia el hamra": r"\bla[aâ]youne\b|العيون",
    "dakhla-oued ed-dahab": r"\bdakhla\b|الداخلة",
}
_PLACE = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _PLACES.items()]
_DEFAULT_PLACE = re.compile(
    r"\b(?:au niveau|à l'échelle|à l'échelon)\s+national\w*|\bnational\w*\b|\bmaroc\b|\bmorocco\b|\bnationwide\b|"
    r"الوطني|المغرب", re.IGNORECASE)
# Words that introduce a figure without saying what it measures ("était de", "stood at", "بلغت").
_FILLER = (
    "était est a atteint atteignait atteint s'établit s'établissait établi passé passe représente représentait "
    "situe situait chiffre chiffré estimé évalué environ près plus moins selon d'après soit niveau contre ordre "
    "was is were are stood stands reached reaches amounted amounts about around nearly some estimated according "
    "بلغ بلغت وصل وصلت حوالي نحو كان كانت يبلغ تبلغ ناهز ناهزت قدر قدرت حسب وفق"
)
MIN_MEASURE_WORDS = 2
MEASURE_IN_QUESTION = 2 / 3  # share of a figure's measure words a question must hold to be about it
_SEPARATOR = {"fr": " ; ", "ar": "؛ "}

CONFLICT_INTRO = {
    "fr": "Les sources diffèrent sur un même chiffre",
    "en": "The sources differ on the same figure",
    "ar": "تختلف المصادر حول الرقم نفسه",
}


@dataclass(frozen=True)
class Mention:
    source: int  # index in the answer's sources
    sentence: Sentence
    value: str  # as written ("19,8 %")
    amount: Decimal  # in the dimension's base unit (% or millions of dirhams)
    step: Decimal  # the precision the value is written with, in the same unit (19,8 % -> 0.1)
    unit: str  # the dimension: % or MDH
    year: str
    place: frozenset[str]
    measure: frozenset[frozenset[str]]  # one group of stems per content word of the clause before the figure
    measure_text: str  # the words that say what is measured, as written
    qualifier: frozenset[frozenset[str]] = frozenset()  # content words after the figure, to the clause's end


def with_conflicts(
    language: str, text: str, citations: list[Citation], evidence: Evidence, sources: list[Source],
    passages: list[PassageSentences], quotes: list[Quote], analyzer: BM25Analyzer,
) -> tuple[str, list[Citation], list[Conflict]]:
    """The extractive answer with the disagreeing figures of its sources shown, each with its citation."""
    groups = disagreements(mentions(passages, analyzer))
    relevant = [group for group in groups if any(_quoted(m, quotes) for m in group) or _asked(group[0], evidence)]
    if not relevant:
        return text, citations, []
    citations = list(citations)
    opening, closing = labels.QUOTES.get(language, labels.QUOTES["en"])
    lines, conflicts = [text, "", labels.heading(CONFLICT_INTRO.get(language, CONFLICT_INTRO["en"]), language)], []
    for group in relevant:
        first = group[0]
        values = [ConflictValue(value=m.value, n=_cited(m, sources, citations)) for m in group]
        where = ", ".join(filter(None, [first.year, *sorted(first.place)]))
        lines.append(f"- {opening}{first.measure_text}{closing} ({where}){labels.COLON[language]} "
                     + _SEPARATOR.get(language, "; ").join(f"{v.value} [{v.n}]" for v in values))
        conflicts.append(Conflict(measure=first.measure_text, year=first.year, place=", ".join(sorted(first.place)),
                                  values=values))
    return "\n".join(lines), citations, conflicts


def mentions(passages: list[PassageSentences], analyzer: BM25Analyzer) -> list[Mention]:
    """Every unambiguous figure of the passages: one figure of its dimension (a rate, an amount) and one year in
    its sentence ("200 millions … et 1,7 milliard" in one sentence are two amounts of what, nobody can say)."""
    filler = _filler(analyzer)
    found: list[Mention] = []
    seen: set[tuple[str, str]] = set()  # overlapping chunks repeat sentences
    for index, passage in enumerate(passages):
        for sentence in passage.sentences:
            if sentence.heading:
                continue
            text = sentence.text.translate(_DIGITS)
            values = list(_VALUE.finditer(text))
            years = set(YEAR.findall(_VALUE.sub(" ", text)))
            if len(years) != 1:
                continue
            for match in values:
                unit, scale = _DIMENSION[_unit(match[3])]
                if sum(1 for m in values if _DIMENSION[_unit(m[3])][0] == unit) != 1 or (sentence.text, match[0]) in seen:
                    continue
                measure, measure_text = _measure(text, match.start(), analyzer, filler)
                if len(measure) < MIN_MEASURE_WORDS:
                    continue
                seen.add((sentence.text, match[0]))
                digits = re.sub(r"\D", "", match[1])
                fraction = match[2] or ""
                number = Decimal(f"{digits}.{fraction}" if fraction else digits)
                found.append(Mention(
                    source=index, sentence=sentence, value=sentence.text[match.start():match.end()],
                    amount=number * scale, step=Decimal(1).scaleb(-len(fraction)) * scale, unit=unit,
                    year=next(iter(years)), place=_places(text), measure=measure, measure_text=measure_text,
                    qualifier=_qualifier(text, match.end(), analyzer, filler),
                ))
    return found


@dataclass(frozen=True)
class Figure:
    """A figure as written in a sentence, read for the researcher's figures view (no ambiguity rule applies)."""

    value: str  # as written ("19,8 %")
    amount: Decimal  # in the dimension's base unit (% or millions of dirhams)
    unit: str  # % or MDH
    year: str  # the sentence's year nearest the figure ("19 % en 2023 contre 21 % en 2024"), "" if none
    measure: str  # the words before it that say what it measures ("le taux d'activité des femmes")
    start: int
    end: int


def figures_in(text: str, analyzer: BM25Analyzer) -> list[Figure]:
    """Every rate and dirham amount of a sentence, with what it measures and its year.

    Looser than `mentions`, which must never pair two different things: here a figure is only shown, so its year
    is the one written just after it ("884,64 MDH en 2022"), else the nearest before it, and its measure the
    sentence's subject.
    """
    filler = _filler(analyzer)
    plain = text.translate(_DIGITS)
    years = [(m.start(), m[0]) for m in YEAR.finditer(_VALUE.sub(lambda v: " " * len(v[0]), plain))]
    found = []
    for match in _VALUE.finditer(plain):
        unit, scale = _DIMENSION[_unit(match[3])]
        digits, fraction = re.sub(r"\D", "", match[1]), match[2] or ""
        number = Decimal(f"{digits}.{fraction}" if fraction else digits)
        found.append(Figure(value=text[match.start():match.end()], amount=number * scale, unit=unit,
                            year=_year_of(years, match.start(), match.end()),
                            measure=_loose_measure(plain[:match.start()], analyzer, filler),
                            start=match.start(), end=match.end()))
    return found


_FIGURE_CLAUSE_END = re.compile(r"(?<!\d)[,;:()]|[,;:()](?!\d)|،|؛| - | – | — ")
FOLLOWING_YEAR_CHARS = 12  # "884,64 MDH en 2022", "19 % au titre de 2023" is further and left to the year before


def _year_of(years: list[tuple[int, str]], start: int, end: int) -> str:
    after = [year for at, year in years if end <= at <= end + FOLLOWING_YEAR_CHARS]
    before = [year for at, year in years if at < start]
    return after[0] if after else before[-1] if before else years[0][1] if years else ""


def _loose_measure(before: str, analyzer: BM25Analyzer, filler: frozenset[str]) -> str:
    """The sentence's first clause before the figure that names something (two content words, no figure): its
    subject, in the way reports write them ("Les dotations d'équilibre, versées par …, s'élèvent à …")."""
    bounds = [0] + [m.end() for m in _FIGURE_CLAUSE_END.finditer(before)] + [len(before)]
    for start, end in zip(bounds, bounds[1:]):
        clause = before[start:end]
        if not _VALUE.search(clause) and len(_content(clause, analyzer, filler)) >= MIN_MEASURE_WORDS:
            return _trimmed(clause, analyzer, filler)
    return ""


@cache
def _filler(analyzer: BM25Analyzer) -> frozenset[str]:
    """The stems of the verbs that introduce figures, once per analyzer (the figures view reads many sentences)."""
    return terms_of(analyzer, _FILLER).all


def disagreements(found: list[Mention]) -> list[list[Mention]]:
    """Mentions of one quantity whose values do not agree, even once rounded.

    One quantity: the same dimension, year, place and measure, and words after the figure that do not tell two
    things apart — one side's words hold the other's ("… 19 % dans la province" and "… 19,8 % en 2023 dans la
    province"), while "taux réduit de 10 % sur les huiles" and "taux réduit de 15 % au rachat des titres" are two
    rows of a table about two things.
    """
    by_quantity: dict[tuple[object, ...], list[list[Mention]]] = defaultdict(list)
    for mention in found:
        clusters = by_quantity[(mention.unit, mention.year, mention.place, mention.measure)]
        cluster = next((c for c in clusters if all(_same_thing(mention, other) for other in c)), None)
        if cluster is None:
            clusters.append([mention])
        else:
            cluster.append(mention)
    return [group for clusters in by_quantity.values() for group in clusters
            if any(not agree(a, b) for i, a in enumerate(group) for b in group[i + 1:])]


def agree(a: Mention, b: Mention) -> bool:
    """Equal once the more precise value is rounded to the other's precision (19 and 19.0 or 19.4 agree; 19.8 not;
    1,7 milliard and 1 650 millions agree)."""
    rough, precise = (a, b) if a.step >= b.step else (b, a)
    steps = (precise.amount / rough.step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return steps * rough.step == rough.amount


def _same_thing(a: Mention, b: Mention) -> bool:
    return a.qualifier <= b.qualifier or b.qualifier <= a.qualifier


def _unit(written: str) -> str:
    return next(unit for unit, pattern in _UNIT_OF if pattern.match(written.strip()))


def _measure(
    text: str, value_start: int, analyzer: BM25Analyzer, filler: frozenset[str],
) -> tuple[frozenset[frozenset[str]], str]:
    """The content words of the nearest clause before the figure that says what it measures, walking back over
    clauses that hold only a year, a place or a verb ("Le taux …, en 2023, s'établissait à 19 %")."""
    end = value_start
    bounds = [0] + [m.end() for m in _CLAUSE_END.finditer(text, 0, value_start)]
    for start in reversed(bounds):
        groups = _content(text[start:end], analyzer, filler)
        if len(groups) >= MIN_MEASURE_WORDS:
            return groups, _trimmed(text[start:end], analyzer, filler)
        if groups:  # a clause that says something else: the measure is not further back
            break
        end = start
    return frozenset(), ""


def _qualifier(text: str, value_end: int, analyzer: BM25Analyzer, filler: frozenset[str]) -> frozenset[frozenset[str]]:
    """The content words from the figure to the end of its clause: what it applies to ("sur les huiles")."""
    boundary = _CLAUSE_END.search(text, value_end)
    return _content(text[value_end:boundary.start() if boundary else len(text)], analyzer, filler)


def _content(clause: str, analyzer: BM25Analyzer, filler: frozenset[str]) -> frozenset[frozenset[str]]:
    """A clause's content words, without its places, years, figures and the verbs that introduce figures."""
    clause = _DEFAULT_PLACE.sub(" ", clause)
    for _, pattern in _PLACE:
        clause = pattern.sub(" ", clause)
    return frozenset(g for g in terms_of(analyzer, YEAR.sub(" ", clause)).words
                     if not g & filler and not any(t[0].isdigit() for t in g))


def _trimmed(clause: str, analyzer: BM25Analyzer, filler: frozenset[str]) -> str:
    """The clause without the verb and preposition before the figure: "le taux d'activité des femmes"."""
    words = clause.split()
    while words and (not terms_of(analyzer, words[-1]).words or terms_of(analyzer, words[-1]).all & filler):
        words.pop()
    return " ".join(words).strip(" ,;:")


def _places(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in _PLACE if pattern.search(text))


def _quoted(mention: Mention, quotes: list[Quote]) -> bool:
    return any(q.source == mention.source and any(s <= mention.sentence.start and mention.sentence.end <= e
                                                  for s, e in q.spans) for q in quotes)


def _asked(mention: Mention, evidence: Evidence) -> bool:
    """The question asks about this quantity: most of its measure words, and its year when the question has one."""
    asked_years = {n for n in evidence.terms.numbers if YEAR.fullmatch(n)}
    if asked_years and mention.year not in asked_years:
        return False
    shared = sum(1 for group in mention.measure if group & evidence.terms.all)
    return shared / len(mention.measure) >= MEASURE_IN_QUESTION


def _cited(mention: Mention, sources: list[Source], citations: list[Citation]) -> int:
    """The number of a citation of the same passage that quotes the mention's sentence, else of a new one."""
    hit = sources[mention.source].hit
    for existing in citations:
        if existing.chunk_id == hit.chunk_id and mention.sentence.text in existing.quote:
            return existing.n
    n = len(citations) + 1
    citations.append(citation(n, sources[mention.source], [(mention.sentence.start, mention.sentence.end)]))
    return n
