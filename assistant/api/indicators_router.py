"""POST /indicators/review, /indicators/draft, /indicators/classify: the indicator workbench over HTTP."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictBool

from assistant.api.errors import BODY_ERRORS
from assistant.api.user_jobs import IndicatorsDep
from assistant.user_jobs.indicators.classify import MarkingSuggestion, Objective
from assistant.user_jobs.indicators.draft import DraftSet
from assistant.user_jobs.indicators.review import IndicatorReview
from core.contract import JsonFloat, Language

router = APIRouter(prefix="/indicators", tags=["indicators"], responses=BODY_ERRORS)  # every route reads a body
MAX_TEXT = 4000


class ReviewRequest(BaseModel):
    indicator: str = Field(min_length=1, max_length=MAX_TEXT, description="The indicator as written in the performance "
                           "project, with its baseline, target, source and frequency if it has them.")
    objective: str = Field("", max_length=MAX_TEXT,
                           description="The programme objective the indicator follows, if any.")
    language: Language | None = Field(None, description="Language of the verdicts; omitted: the indicator's own.")


class DraftRequest(BaseModel):
    description: str = Field(min_length=1, max_length=MAX_TEXT, description="The programme: its aim, beneficiaries, "
                             "actions, data sources, in French, English or Arabic.")
    language: Language | None = Field(None, description="Language of the drafts; omitted: the description's own.")


class ClassifyRequest(BaseModel):
    objective: Objective = Field(description="Is equality between women and men an explicit objective of the "
                                 "programme? `principal` (its main objective), `significant` (an important but "
                                 "secondary one) or `none`.")
    specific_target_group: StrictBool = Field(False,
                                        description="Does the programme target a specific group (women, girls, …)?")
    activity_share: JsonFloat = Field(0, ge=0, le=100, description="Share of the programme's activities (or credits) that "
                                  "serve equality, in percent.")
    language: Language = Field("fr", description="Language of the suggestion's wording.")


@router.post("/review", summary="Review an indicator")
def review(request: ReviewRequest, workbench: IndicatorsDep) -> IndicatorReview:
    """Checks the indicator against each criterion of a gender-sensitive indicator (disaggregated by sex, baseline,
    target and year, source, frequency, link to an objective, outcome not activity, gender measured not only named).
    Each verdict — `pass`, `fail` or `to_check` — says why, lists the words it rests on, and cites the guide passages
    (document, page, exact quote) the criterion comes from."""
    return workbench.review(request.indicator, request.objective, request.language)


@router.post("/draft", summary="Draft indicators for a programme")
def draft(request: DraftRequest, workbench: IndicatorsDep) -> DraftSet:
    """Three to five draft indicators built from templates: every field is either copied from the description or
    marked "to complete" — nothing is invented. The guidance passages the search finds come with them, quoted."""
    return workbench.draft(request.description, request.language)


@router.post("/classify", summary="Suggest a marking code")
def classify(request: ClassifyRequest, workbench: IndicatorsDep) -> MarkingSuggestion:
    """From the answers to the marking questions, a suggested code (G0, G1, G2) with the OECD-DAC marker (0, 1, 2)
    and the documented criteria quoted. Always a suggestion, never an official classification; the reading of the
    documented levels as G-codes is the project's own (see `mapping_note`)."""
    return workbench.classify(request.objective, request.specific_target_group, request.activity_share,
                              request.language)
