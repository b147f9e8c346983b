"""Is the server up, and what does it serve: for load balancers, `make run`, and the UI's status line."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from assistant.api.deps import CatalogueDep, SettingsDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="Always `ok` when the server answers.")
    documents: int = Field(description="Documents in the catalogue.")
    passages: int = Field(description="Indexed passages (chunks), uploads being indexed included as they are written.")
    collection: str
    store: str = Field(description="`embedded` (Qdrant Edge in a folder on this server) or `server` (a Qdrant server "
                       "or cluster).")
    llm: str = Field(description="The LLM backend answers may use (`none`: extractive answers only).")
    uploads_enabled: bool = Field(description="Whether a key is configured for adding and removing documents.")


@router.get("/health", summary="Server status")
def health(catalogue: CatalogueDep, settings: SettingsDep) -> Health:
    """Answers as soon as the models and the index are loaded, with the size of what the server searches; it never
    waits for an upload being indexed."""
    return Health(
        status="ok",
        documents=catalogue.count(),
        passages=catalogue.passages(),
        collection=settings.collection,
        store="server" if settings.qdrant_url else "embedded",
        llm=settings.llm,
        uploads_enabled=bool(settings.api_key),
    )
