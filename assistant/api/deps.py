"""Everything a route may ask for, as `Annotated` aliases: the process's services and the write key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from assistant.answers.conversation import ConversationStore
from assistant.answers.service import AnswerService
from assistant.library.catalogue import Catalogue
from assistant.library.feedback import FeedbackStore
from assistant.library.jobs import IngestQueue
from assistant.search.service import SearchService
from assistant.services import Services
from core.settings import Settings


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def _settings(services: ServicesDep) -> Settings:
    return services.settings


def _search(services: ServicesDep) -> SearchService:
    return services.search


def _catalogue(services: ServicesDep) -> Catalogue:
    return services.catalogue


def _ingest(services: ServicesDep) -> IngestQueue:
    return services.ingest


def _feedback(services: ServicesDep) -> FeedbackStore:
    return services.feedback


def _answers(services: ServicesDep) -> AnswerService:
    return services.answers


def _conversations(services: ServicesDep) -> ConversationStore:
    return services.conversations


SettingsDep = Annotated[Settings, Depends(_settings)]
SearchDep = Annotated[SearchService, Depends(_search)]
CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
IngestDep = Annotated[IngestQueue, Depends(_ingest)]
FeedbackDep = Annotated[FeedbackStore, Depends(_feedback)]
AnswersDep = Annotated[AnswerService, Depends(_answers)]
ConversationsDep = Annotated[ConversationStore, Depends(_conversations)]

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="The server's MIZAN_API_KEY. Needed only to add or remove documents.",
)


def _require_api_key(settings: SettingsDep, key: Annotated[str | None, Security(_api_key_header)]) -> None:
    if not settings.api_key:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Adding and removing documents is disabled on this server. To enable it, set MIZAN_API_KEY in the "
            "server's environment (or .env), restart it, and send that key in the X-API-Key header.",
        )
    if key is None or not hmac.compare_digest(key.encode(), settings.api_key.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Missing or wrong API key: send the server's MIZAN_API_KEY in the X-API-Key header.",
            headers={"WWW-Authenticate": "ApiKey"},
        )


RequiresKey = Depends(_require_api_key)
