"""A suggested marking code for a programme, from the user's answers to the marking questions.

The user answers three questions (is equality an explicit objective, and principal or significant? is a specific
group targeted? what share of the activities serves equality?). The objective decides the level — the three
levels the corpus documents (principal, significant, not targeted), i.e. the OECD-DAC marker 2/1/0 — and the other
two answers only raise notes where they disagree with it. Reading the levels as Morocco's G2/G1/G0 is the
project's own (no indexed document defines the codes), G+ is never suggested, and every suggestion says it is not
official.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.user_jobs.indicators.criteria import WorkbenchData, in_language
from assistant.user_jobs.indicators.guidance import GuidanceCitation, GuidanceLocator

Objective = Literal["principal", "significant", "none"]
MAJORITY = 50.0  # % of activities: below it, "principal" deserves a second look


class MarkingLevelView(BaseModel):
    code: str
    dac_marker: int
    label: str


class MarkingSuggestion(BaseModel):
    code: str = Field(description="Suggested code on the G0/G1/G2 reading of the documented levels "
                      "(G+ is never suggested).")
    dac_marker: int = Field(description="OECD-DAC gender equality policy marker: 0, 1 or 2.")
    level: str = Field(description="The documented level, in the reader's language.")
    objective: Objective
    specific_target_group: bool
    activity_share: float
    language: str
    notes: list[str] = Field(default_factory=list,
                             description="Where the answers disagree with the level, or what to keep in mind.")
    criteria: list[GuidanceCitation] = Field(description="The passages the levels rest on.")
    scale: list[MarkingLevelView]
    official: bool = Field(False, description="Always false: a suggestion, never an official classification.")
    disclaimer: str
    mapping_note: str = Field(description="Says that the G-code reading is the project's own.")


def classify(
    data: WorkbenchData, locator: GuidanceLocator, objective: Objective, specific_target_group: bool,
    activity_share: float, language: str = "fr",
) -> MarkingSuggestion:
    marking = data.marking
    level = next(lv for lv in marking.levels if lv.objective == objective)
    notes = []
    if objective == "principal" and activity_share < MAJORITY:
        notes.append("principal_low_share")
    if objective == "none" and activity_share > 0:
        notes.append("none_with_share")
    if objective == "none" and specific_target_group:
        notes.append("target_group_without_objective")
    notes.append("marking_needs_indicators")
    criteria = [locator.cite(ref) for ref in marking.sources]
    criteria += [locator.cite(marking.notes_sources[n]) for n in notes if n in marking.notes_sources]
    return MarkingSuggestion(
        code=level.code, dac_marker=level.dac, level=in_language(level.label, language), objective=objective,
        specific_target_group=specific_target_group, activity_share=activity_share, language=language,
        notes=[in_language(marking.notes[n], language) for n in notes], criteria=criteria,
        scale=[MarkingLevelView(code=lv.code, dac_marker=lv.dac, label=in_language(lv.label, language))
               for lv in marking.levels],
        disclaimer=in_language(marking.disclaimer, language), mapping_note=in_language(marking.mapping_note, language),
    )
