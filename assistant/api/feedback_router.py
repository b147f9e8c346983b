"""POST /feedback: a thumbs up or down on an answer, open to every user."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel

from assistant.api.deps import FeedbackDep
from assistant.api.errors import BODY_ERRORS
from assistant.library.feedback import Feedback

router = APIRouter(tags=["feedback"])


class FeedbackSaved(BaseModel):
    id: int


@router.post("/feedback", status_code=status.HTTP_201_CREATED, summary="Rate an answer", responses=BODY_ERRORS)
def post_feedback(feedback: Feedback, store: FeedbackDep) -> FeedbackSaved:
    """Tell us whether an answer helped. Anyone may send feedback: no API key is needed (the key guards only adding
    and removing documents). The question, the answer and its citations are stored with your rating and comment
    on this server, so send nothing you would not want kept."""
    return FeedbackSaved(id=store.add(feedback))
