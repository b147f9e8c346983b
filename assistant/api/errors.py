"""The API's error bodies, one shape per status, as the OpenAPI spec declares them.

* **422** is always FastAPI's validation shape, `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`,
  whether pydantic found the error or a route did (`invalid()`: a check that needs the index, such as a span
  past the end of a page, or a configuration, such as `strategy: "llm"` on a server without an LLM).
* **Every other error** (400, 401, 403, 404, 405, 413, 415) is `{"detail": "a sentence"}`: `ErrorDetail`, declared
  in the `responses=` of each route that returns it (`error()`); `BODY_ERRORS` on every route that reads a body,
  since FastAPI answers 400 for a body it cannot read (JSON that is not UTF-8, a broken multipart form).
* A **405** (OPTIONS included: the API answers no OPTIONS) lists in `Allow` every method of the path, not only
  those of the first route that matched it (Starlette's own answer, wrong for paths such as /documents with one
  route per method).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope


class ErrorDetail(BaseModel):
    """The body of every error but 422."""

    detail: str = Field(description="What went wrong, in a sentence.")


def error(description: str) -> dict[str, Any]:
    """A `responses=` entry for an error status answered with `ErrorDetail`."""
    return {"model": ErrorDetail, "description": description}


def invalid(loc: tuple[str | int, ...], msg: str, value: object = None) -> RequestValidationError:
    """A 422 raised by a route, in the shape pydantic's own 422s have (`loc` as in them: `("query", "end")`)."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": value}])


BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: error("The body could not be read (JSON that is not UTF-8, a broken multipart form).")
}


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at the scope's path (included routers' routes too)."""
    methods: set[str] = set()
    for route in iter_route_contexts(routes):
        if route.methods and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    return sorted(methods)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        allow = ", ".join(allowed_methods(request.app.router.routes, request.scope))
        exc = StarletteHTTPException(exc.status_code, exc.detail, headers={**(exc.headers or {}), "Allow": allow})
    return await http_exception_handler(request, exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, http_error)
