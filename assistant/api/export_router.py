"""GET /export: documents with their cited pages, as CSV, BibTeX or RIS for a reference manager."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import StringConstraints

from assistant.api.errors import error, invalid
from assistant.api.user_jobs import DocumentsDep
from assistant.user_jobs.export import (
    FORMATS,
    MEDIA_TYPES,
    Format,
    MalformedReference,
    UnknownReference,
    export,
    resolve,
)

router = APIRouter(tags=["export"])
MAX_REFERENCES = 200
_ONE = r"[0-9a-f]{6,64}(@[0-9]{1,5})?"  # as export.resolve reads a reference
References = Annotated[str, StringConstraints(pattern=rf"^[\s,]*{_ONE}(\s*,[\s,]*{_ONE})*[\s,]*$")]


@router.get(
    "/export", summary="Export references", response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS}, "description": "The references file."},
               404: error("A reference names no document in the index, or a page the document does not have.")},
)
def export_references(
    documents: DocumentsDep,
    ids: Annotated[list[References], Query(description="Documents to export: `doc_id`, or `doc_id@page` for a cited "
                                           "page (repeat it, or separate with commas: `ids=a1b2…@2,a1b2…@4,c3d4…`), "
                                           f"{MAX_REFERENCES} at most.")],
    format: Annotated[Format, Query(description="`csv`, `bib` (BibTeX) or `ris`.")] = "bib",
) -> Response:
    """One entry per document, in the order given, with the cited pages (and a Word file's section headings)."""
    references = [r for value in ids for r in value.split(",") if r.strip()]
    if not references or len(references) > MAX_REFERENCES:
        raise invalid(("query", "ids"), f"give 1 to {MAX_REFERENCES} references", ids)
    try:
        cited = resolve(documents, references)
    except MalformedReference as exc:
        raise invalid(("query", "ids"), str(exc), ids) from exc
    except UnknownReference as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return Response(export(cited, format), media_type=f"{MEDIA_TYPES[format]}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="mizan-references.{format}"'})
