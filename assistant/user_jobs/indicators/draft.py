"""Draft indicators from a programme description: templates of the data file, filled only with what it says.

Nothing is invented: a field is either copied from the description (the words it came from are returned with
it) or left as "[to complete: …]" for the programme team. The drafts come with the guidance passages that the
search finds for the description, each quoted exactly from its page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from assistant.answers.citations import page_span
from assistant.search.service import SearchFilters, SearchService
from assistant.user_jobs.indicators.criteria import WorkbenchData, compile_any, in_language
from assistant.user_jobs.indicators.guidance import GuidanceCitation, GuidanceLocator
from assistant.user_jobs.indicators.review import Rules, clauses, normalized, reader_language
from index.analyzer import BM25Analyzer
from index.lexical import terms_of
from index.sentences import QUESTION_ENDS, split_passage

FieldStatus = Literal["filled", "to_complete"]
GUIDANCE_TYPES = ["guide", "loi"]
GUIDANCE_QUERY = ("indicateur de performance sensible au genre ventilé par sexe valeur de référence cible source "
                  "fréquence")
MAX_GUIDANCE = 4
_ELISION = re.compile(r"\b(d|l)e (?=[aeiouyéèêëàâîïôûœAEIOUYÉÈÊÀÂÎÔÛ])")
MIN_QUOTE_WORDS = 8
FIELDS = ("objective", "baseline", "target", "data_source", "frequency")


class DraftField(BaseModel):
    name: str = Field(description="objective, baseline, target, data_source or frequency.")
    value: str = Field(description="Copied from the description, or a [to complete: …] placeholder.")
    status: FieldStatus


class DraftIndicator(BaseModel):
    template: str = Field(description="The template's id in the data file.")
    wording: str
    status: FieldStatus = Field(description="to_complete when the wording itself still has a placeholder.")
    fields: list[DraftField]
    source: GuidanceCitation = Field(description="The guide passage the template follows.")


class DraftSet(BaseModel):
    description: str
    language: str
    beneficiaries: str = Field(description="As found in the description (in the reader's language), or a placeholder.")
    outcome: str
    indicators: list[DraftIndicator]
    guidance: list[GuidanceCitation] = Field(description="Passages the search found for this description.")


def draft(
    data: WorkbenchData, rules: Rules, locator: GuidanceLocator, search: SearchService, analyzer: BM25Analyzer,
    description: str, language: str | None = None,
) -> DraftSet:
    text = normalized(description)
    lang = reader_language(description, language)
    templates = data.templates

    pending = in_language(templates.placeholder, lang)  # "[à compléter : {what}]"

    def placeholder(slot: str) -> str:
        return pending.format(what=in_language(templates.slot_names[slot], lang))

    found = next((b for b in templates.beneficiaries if re.search(b.pattern, text, re.IGNORECASE)), None)
    beneficiaries = getattr(found, lang) if found else placeholder("beneficiaries")
    domain = next((d for d in templates.domains if compile_any([rf"\b{k}\b" if k.isascii() else k for k in d.keywords])
                   .search(text)), None)
    outcome = in_language(domain.outcome, lang) if domain else placeholder("outcome")
    others = [name for name, patterns in (("residence", templates.residence), ("age", templates.age))
              if compile_any(patterns).search(text)]
    by = in_language(templates.by, lang)

    def listed(names: list[str]) -> str:
        return by.format(list=_listed(names, templates.dimensions, templates.list_separators, lang))

    by_all = listed(["sex", *others])
    by_other = in_language(templates.comma, lang) + listed(others) if others else ""
    fields = [_field(name, value, placeholder) for name, value in _from_description(rules, text).items()]

    indicators = []
    for template in templates.indicators:
        pattern = template.wording
        if found is not None and found.households and template.wording_households is not None:
            pattern = template.wording_households
        wording = _elided(in_language(pattern, lang).format(
            beneficiaries=beneficiaries, outcome=outcome, by_all=by_all, by_other=by_other), lang)
        indicators.append(_indicator(template.id, wording, fields, locator.cite(template.source), pending))
    if domain is not None and domain.extra is not None:
        wording = in_language(domain.extra.wording, lang)
        source = locator.cite(domain.extra.source)
        indicators.append(_indicator(f"{domain.id}_example", wording, fields, source, pending))
    return DraftSet(
        description=description, language=lang, beneficiaries=beneficiaries, outcome=outcome, indicators=indicators,
        guidance=guidance(search, analyzer, locator, description),
    )


def _listed(
    names: list[str], words: dict[str, dict[str, str]], separators: dict[str, tuple[str, str]], lang: str,
) -> str:
    """"sexe, milieu de résidence et âge" / "sex and age" / "الجنس والوسط"."""
    items = [in_language(words[name], lang) for name in names]
    between, last = separators.get(lang) or separators["fr"]
    return items[0] if len(items) == 1 else between.join(items[:-1]) + last + items[-1]


def _elided(text: str, lang: str) -> str:
    """French elision after filling a template: "taux de insertion" -> "taux d'insertion"."""
    return _ELISION.sub(r"\1'", text) if lang == "fr" else text


def _from_description(rules: Rules, text: str) -> dict[str, str]:
    """The clauses of the description that state each field ("" when it does not)."""
    parts = clauses(text)

    def first(name: str) -> str:
        return next((c for c in parts if rules.find(name, c)), "")

    baseline_code, baseline = rules.decide["baseline"](text, "")
    target_code, target = rules.decide["target"](text, "")
    return {
        "objective": first("objective"),
        "baseline": baseline[0] if baseline_code == "pass" else "",
        "target": target[0] if target_code == "pass" else "",
        "data_source": first("data_source"),
        "frequency": first("frequency"),
    }


def _field(name: str, value: str, placeholder: Callable[[str], str]) -> DraftField:
    if value:
        return DraftField(name=name, value=value, status="filled")
    return DraftField(name=name, value=placeholder(name), status="to_complete")


def _indicator(
    template: str, wording: str, fields: list[DraftField], source: GuidanceCitation, pending: str,
) -> DraftIndicator:
    unfilled = pending.split("{what}")[0] in wording  # "[à compléter : " left in the wording
    return DraftIndicator(template=template, wording=wording, status="to_complete" if unfilled else "filled",
                          fields=fields, source=source)


def guidance(
    search: SearchService, analyzer: BM25Analyzer, locator: GuidanceLocator, description: str,
) -> list[GuidanceCitation]:
    """The sentence of each guide passage found for the description that holds most words of the guidance query
    and the description, quoted exactly and located on its page."""
    query = f"{description[:400]} {GUIDANCE_QUERY}"
    hits = search.search(query, k=8, filters=SearchFilters(doc_types=GUIDANCE_TYPES)) or search.search(query, k=8)
    wanted = terms_of(analyzer, query).all
    found: list[GuidanceCitation] = []
    for hit in hits:
        sentences = [s for s in split_passage(hit.text)
                     if not s.heading and not s.text.endswith(QUESTION_ENDS) and len(s.text.split()) >= MIN_QUOTE_WORDS]
        if not sentences:
            continue
        best = max(sentences, key=lambda s: sum(1 for group in terms_of(analyzer, s.text).words if group & wanted))
        page, _ = page_span(hit, best.start, best.end)
        citation = locator.cite_at(hit.doc_id, page, best.text)
        if citation.verified and all(c.quote != citation.quote for c in found):
            found.append(citation)
        if len(found) == MAX_GUIDANCE:
            break
    return found
