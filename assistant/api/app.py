"""`create_app(settings)`: the FastAPI application, its routers, and the lifespan that owns the process's services.

Models, the vector backend and the ingestion worker are created once when the server starts and released when it
stops; the embedded store's folder lock goes with them, so `mizan` commands can open the index again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.answers.llm import get_llm
from assistant.api import (
    answers_router,
    brief_router,
    documents_router,
    errors,
    export_router,
    feedback_router,
    health_router,
    indicators_router,
    jobs_router,
    research_router,
    search_router,
)
from assistant.api.user_jobs import build_user_jobs
from assistant.library.uploads import upload_limit_bytes
from assistant.services import build_services
from core.settings import Settings, get_settings

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
    {"name": "indicators", "description": "Review, draft and classify gender-sensitive indicators, with cited criteria."},
    {"name": "brief", "description": "Delegation briefs: cited bullet points on one topic, as JSON or Markdown."},
    {"name": "export", "description": "Documents with their cited pages as CSV, BibTeX or RIS."},
    {"name": "research", "description": "How a topic is covered (documents by type, year, language, source), and "
     "documents similar to a document."},
    {"name": "health", "description": "Server status."},
]

MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around the file itself


class UploadSizeLimit:
    """Stops an upload as soon as its body is over the limit, before Starlette spools it all to disk.

    A Content-Length over the limit is refused before any byte is read; a body without one (chunked) is counted
    as it arrives. The slack covers the multipart framing; the upload route then checks the file's exact size.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit + MULTIPART_SLACK
        self.detail = f"file larger than the {limit / 1024 / 1024:g} MB limit"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == "/documents"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await JSONResponse({"detail": self.detail}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # FastAPI passes an HTTPException raised while reading the body through as is
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, self.detail)
            return message

        await self.app(scope, counted, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings)
        services.warm()
        get_llm(settings)  # load the model (or fail on its configuration) at start-up, not in someone's first question
        app.state.services = services
        app.state.user_jobs = build_user_jobs(services)
        services.ingest.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(services.ingest.stop)
            services.close()

    app = FastAPI(title="Mizan API", version="0.1.0", description=DESCRIPTION, openapi_tags=TAGS, lifespan=lifespan)
    for module in (health_router, search_router, answers_router, documents_router, jobs_router, feedback_router,
                   indicators_router, brief_router, export_router, research_router):
        app.include_router(module.router)
    errors.install(app)
    app.add_middleware(UploadSizeLimit, limit=upload_limit_bytes(settings))
    return app
