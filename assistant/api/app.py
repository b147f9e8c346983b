"""`create_app(settings)`: the FastAPI application, its routers, and the lifespan that owns the process's services.

Models, the Qdrant client and the ingestion worker are created once when the server starts and released when it
stops; the embedded store's folder lock goes with them, so `mizan` commands can open the index again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api import documents_router, feedback_router, health_router, jobs_router, search_router
from assistant.api.deps import Services
from assistant.catalogue import Catalogue
from assistant.feedback import FeedbackStore, feedback_path
from assistant.jobs import IngestQueue, StoreLock
from assistant.runtime import build_runtime
from assistant.uploads import upload_limit_bytes
from index.store import close_client
from mizan.settings import Settings, get_settings

DESCRIPTION = """
Cited search and answers over documents on gender-responsive budgeting (budgétisation sensible au genre, BSG)
in Morocco: guides, laws, reports and studies, in French, Arabic and English.

* **Search** returns passages with their document and page; **ask** and **chat** answer in the question's
  language and cite the passages they use, or say that the documents do not answer.
* **Documents** lists what is indexed and shows each page's text (and image, for PDFs).
* Adding and removing documents needs the server's API key in the `X-API-Key` header; everything else,
  feedback included, is open.
"""

TAGS = [
    {"name": "search", "description": "Find passages."},
    {"name": "answers", "description": "Questions answered with citations, at once or streamed."},
    {"name": "documents", "description": "The catalogue, pages, files; uploads and their ingestion jobs."},
    {"name": "feedback", "description": "Rate answers (no key needed)."},
    {"name": "health", "description": "Server status."},
]

MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around the file itself


def build_services(settings: Settings) -> Services:
    runtime = build_runtime(settings)
    lock = StoreLock(readers_wait=settings.qdrant_url is None)
    return Services(
        settings=settings,
        runtime=runtime,
        lock=lock,
        catalogue=Catalogue(settings, runtime.indexer, lock),
        ingest=IngestQueue(settings, runtime.indexer, lock),
        feedback=FeedbackStore(feedback_path(settings)),
    )


class UploadSizeLimit:
    """Refuses an upload whose Content-Length is over the limit before its body is read and spooled to disk.

    The upload route counts the bytes again as it reads them, for clients that send no length.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == "/documents":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.limit + MULTIPART_SLACK:
                detail = f"file larger than the {self.limit / 1024 / 1024:g} MB limit"
                await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings)
        app.state.services = services
        services.ingest.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(services.ingest.stop)
            close_client(settings)

    app = FastAPI(title="Mizan API", version="0.1.0", description=DESCRIPTION, openapi_tags=TAGS, lifespan=lifespan)
    for module in (health_router, search_router, documents_router, jobs_router, feedback_router):
        app.include_router(module.router)
    app.add_middleware(UploadSizeLimit, limit=upload_limit_bytes(settings))
    return app
