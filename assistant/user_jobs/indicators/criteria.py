"""The workbench's data file (`criteria.json`), read once into typed models.

Criteria, detection patterns, templates and marking levels live in data, not code, so that a BSG analyst can read
and correct them, and each rule carries the corpus passage (file, page, exact words) it rests on.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

DATA_FILE = Path(__file__).with_name("criteria.json")
LANGUAGES = ("fr", "en", "ar")
Verdict = Literal["pass", "fail", "to_check"]
Wording = dict[str, str]  # {"fr": ..., "en": ..., "ar": ...}


class SourceRef(BaseModel):
    """A passage of a corpus document that a rule rests on."""

    file: str
    page: int
    quote: str


class Reason(BaseModel):
    verdict: Verdict
    text: Wording
    sources: list[SourceRef] = Field(default_factory=list, description="Cited before the criterion's own sources.")


class Criterion(BaseModel):
    id: str
    label: Wording
    sources: list[SourceRef]
    reasons: dict[str, Reason]


class DomainExtra(BaseModel):
    wording: Wording
    source: SourceRef


class Domain(BaseModel):
    id: str
    keywords: list[str]
    outcome: Wording
    extra: DomainExtra | None = None


class Template(BaseModel):
    id: str
    wording: Wording
    wording_households: Wording | None = None  # when the beneficiaries are households, not persons
    source: SourceRef


class Beneficiary(BaseModel):
    pattern: str
    fr: str
    en: str
    ar: str
    households: bool = False


class Templates(BaseModel):
    indicators: list[Template]
    placeholder: Wording
    slot_names: dict[str, Wording]
    dimensions: dict[str, Wording]
    by: Wording
    list_separators: dict[str, tuple[str, str]]  # between items, before the last
    comma: Wording
    domains: list[Domain]
    beneficiaries: list[Beneficiary]
    residence: list[str]
    age: list[str]


class MarkingLevel(BaseModel):
    objective: Literal["principal", "significant", "none"]
    code: str
    dac: int
    label: Wording


class Marking(BaseModel):
    levels: list[MarkingLevel]
    sources: list[SourceRef]
    notes: dict[str, Wording]
    notes_sources: dict[str, SourceRef] = Field(default_factory=dict)
    disclaimer: Wording
    mapping_note: Wording


class WorkbenchData(BaseModel):
    criteria: list[Criterion]
    patterns: dict[str, list[str]]
    templates: Templates
    marking: Marking

    def source_refs(self) -> list[SourceRef]:
        """Every passage the file cites, once each (for checking them against the corpus)."""
        refs = [s for c in self.criteria for s in c.sources]
        refs += [s for c in self.criteria for r in c.reasons.values() for s in r.sources]
        refs += [t.source for t in self.templates.indicators]
        refs += [d.extra.source for d in self.templates.domains if d.extra]
        refs += self.marking.sources + list(self.marking.notes_sources.values())
        return list({(r.file, r.page, r.quote): r for r in refs}.values())


@cache
def load(path: Path = DATA_FILE) -> WorkbenchData:
    return WorkbenchData.model_validate_json(path.read_text(encoding="utf-8"))


def compile_any(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive regular expression matching any of `patterns`."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def in_language(wording: Wording, language: str) -> str:
    return wording.get(language) or wording["fr"]
