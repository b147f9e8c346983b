"""GET /export: documents with their cited pages, as CSV, BibTeX or RIS for a reference manager."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from assistant.api.user_jobs import DocumentsDep
from assistant.export import FORMATS, MEDIA_TYPES, Format, MalformedReference, UnknownReference, export, resolve

router = APIRouter(tags=["export"])
MAX_REFERENCES = 200


@router.get(
    "/export", summary="Export references", response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS}, "description": "The references file."}},
)
def export_references(
    documents: DocumentsDep,
    ids: Annotated[list[str], Query(description="Documents to export: `doc_id`, or `doc_id@page` for a cited page "
                                    "(repeat it, or separate with commas: `ids=a1b2…@2,a1b2…@4,c3d4…`).")],
    format: Annotated[Format, Query(description="`csv`, `bib` (BibTeX) or `ris`.")] = "bib",
) -> Response:
    """One entry per document, in the order given, with the cited pages (and a Word file's section headings)."""
    references = [r for value in ids for r in value.split(",") if r.strip()]
    if not references or len(references) > MAX_REFERENCES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ids: give 1 to {MAX_REFERENCES} references")
    try:
        cited = resolve(documents, references)
    except MalformedReference as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ids: {exc}") from exc
    except UnknownReference as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return Response(export(cited, format), media_type=f"{MEDIA_TYPES[format]}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="mizan-references.{format}"'})
