"""Review of one indicator against the criteria of the data file: a verdict per criterion, each with its passage.

Detection is deliberately plain: the patterns of `criteria.json` (French, English, Arabic words and phrases) are
searched in the indicator's text, and each verdict lists the words it matched, so a user can see why the rule
decided as it did and an analyst can correct the pattern rather than the code. A rule that cannot decide says
"to check" instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant.user_jobs.indicators.criteria import (
    Criterion,
    SourceRef,
    Verdict,
    WorkbenchData,
    compile_any,
    in_language,
)
from assistant.user_jobs.indicators.guidance import GuidanceCitation, GuidanceLocator
from ingest.language import detect_language

LANGUAGES = ("fr", "en", "ar")
_CLAUSE = re.compile(r"[;؛\n]|\.(?=\s|$)|،")  # a full stop between digits (19.8) is not a boundary


class CriterionVerdict(BaseModel):
    criterion: str = Field(description="The criterion's id in the data file.")
    label: str
    verdict: Verdict
    reason_code: str
    reason: str = Field(description="Why, in the reader's language.")
    found: list[str] = Field(default_factory=list, description="The indicator's words the rule matched (empty: none).")
    citations: list[GuidanceCitation] = Field(description="The passages the criterion rests on.")


class IndicatorReview(BaseModel):
    indicator: str
    objective: str
    language: str = Field(description="The language of the verdicts' wording (fr, en or ar).")
    verdicts: list[CriterionVerdict]
    counts: dict[str, int] = Field(description="Verdicts per kind: pass, fail, to_check.")
    passed: bool = Field(description="No criterion failed (some may still be to check).")


class Rules:
    """The data file's patterns, compiled once, and the per-criterion decisions built on them."""

    def __init__(self, patterns: dict[str, list[str]]) -> None:
        self.patterns = {name: compile_any(values) for name, values in patterns.items()}
        self.decide: dict[str, Callable[[str, str], tuple[str, list[str]]]] = {
            "sex_disaggregated": self._sex_disaggregated,
            "gender_measured": self._gender_measured,
            "baseline": self._baseline,
            "target": self._target,
            "data_source": lambda text, _: self._named("data_source", text),
            "frequency": lambda text, _: self._named("frequency", text),
            "objective_link": self._objective_link,
            "outcome": self._outcome,
        }

    def find(self, name: str, text: str) -> list[str]:
        return list(dict.fromkeys(m[0] for m in self.patterns[name].finditer(text)))

    def _sex_disaggregated(self, text: str, _: str) -> tuple[str, list[str]]:
        if found := self.find("not_separated", text):  # "non ventilé par sexe" names the breakdown to deny it
            return "fail", found
        if found := self.find("separated", text):
            return "pass", found
        if found := self.find("specific", text):
            return "pass_specific", found
        if found := self.find("one_sex_by_nature", text):
            return "to_check_one_sex", found
        return "fail", []

    def _gender_measured(self, text: str, _: str) -> tuple[str, list[str]]:
        if found := self.find("not_separated", text):
            return "fail_named", found
        if found := self.find("separated", text) + self.find("specific", text):
            return "pass", found
        if found := self.find("one_sex_by_nature", text):
            return "to_check_one_sex", found
        if found := self.find("gender_named", text):
            return "fail_named", found  # "femmes et hommes" named, one value for both
        return "fail", []

    def _baseline(self, text: str, _: str) -> tuple[str, list[str]]:
        stated = [c for c in clauses(text) if self.find("baseline", c)]
        if not stated:
            return "fail", []
        settled = [c for c in stated if not self.find("pending", c) and self.find("value", c)]
        return ("pass", settled) if settled else ("to_check", stated)

    def _target(self, text: str, _: str) -> tuple[str, list[str]]:
        stated = [c for c in clauses(text) if self.find("target", self.patterns["not_target"].sub(" ", c))]
        if not stated:
            return "fail", []
        open_ = [c for c in stated if not self.find("pending", c)]
        if dated := [c for c in open_ if self.find("year", c)]:
            return "pass", dated
        if valued := [c for c in open_ if self.find("value", c)]:
            return "fail_no_year", valued
        return "to_check", stated

    def _named(self, name: str, text: str) -> tuple[str, list[str]]:
        found = self.find(name, text)
        return ("pass", found) if found else ("fail", [])

    def _objective_link(self, text: str, objective: str) -> tuple[str, list[str]]:
        if objective.strip():
            return "pass", [objective.strip()]
        return self._named("objective", text)

    def _outcome(self, text: str, _: str) -> tuple[str, list[str]]:
        if found := self.find("outcome", text):
            return "pass", found
        if found := self.find("activity", text):
            return "fail", found
        if found := self.find("count", text):
            return "to_check_count", found
        return "to_check", []


def reader_language(text: str, requested: str | None) -> str:
    """The language asked for, else the indicator's own (French when it cannot be told)."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    detected = detect_language(text)
    return detected if detected in LANGUAGES else "fr"


def review(
    data: WorkbenchData, rules: Rules, locator: GuidanceLocator, indicator: str, objective: str = "",
    language: str | None = None,
) -> IndicatorReview:
    text = normalized(indicator)
    lang = reader_language(indicator, language)
    verdicts = []
    for criterion in data.criteria:
        code, found = rules.decide[criterion.id](text, normalized(objective))
        reason = criterion.reasons[code]
        verdicts.append(CriterionVerdict(
            criterion=criterion.id, label=in_language(criterion.label, lang), verdict=reason.verdict,
            reason_code=code, reason=in_language(reason.text, lang), found=[" ".join(f.split()) for f in found],
            citations=cite(locator, criterion, reason.sources, lang),
        ))
    counts = Counter(v.verdict for v in verdicts)
    return IndicatorReview(
        indicator=indicator, objective=objective, language=lang, verdicts=verdicts,
        counts={kind: counts.get(kind, 0) for kind in ("pass", "fail", "to_check")}, passed=counts["fail"] == 0,
    )


def cite(
    locator: GuidanceLocator, criterion: Criterion, first: list[SourceRef], language: str,
) -> list[GuidanceCitation]:
    """The reason's own passages, then the criterion's passages in the reader's language (its first one when
    none is in that language)."""
    own = [locator.cite(ref) for ref in criterion.sources]
    chosen = [c for c in own if _language_of(c) == language] or own[:1]
    return [locator.cite(ref) for ref in first] + chosen


def _language_of(citation: GuidanceCitation) -> str:
    return citation.quote_language or detect_language(citation.quote)


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c.strip()]


def normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("’", "'").replace("ʼ", "'")
