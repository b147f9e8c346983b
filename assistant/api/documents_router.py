"""The catalogue: list, read page by page, view page images, download; and, with the key, add and remove documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Path, Query, Response, UploadFile, status
from fastapi.responses import FileResponse

from assistant.api.deps import CatalogueDep, IngestDep, RequiresKey, SettingsDep
from assistant.api.errors import BODY_ERRORS, error, invalid
from assistant.library.catalogue import MEDIA_TYPES, DocumentQuery, NotRenderable
from assistant.library.uploads import (
    UploadRejected,
    check_content,
    read_limited,
    safe_name,
    stage_upload,
    upload_limit_bytes,
)
from core.contract import (
    DocType,
    DocumentDetail,
    DocumentList,
    DocumentSummary,
    Highlight,
    Language,
    PageText,
    UploadAccepted,
)
from ingest.types import SourceDocument

router = APIRouter(prefix="/documents", tags=["documents"])

DocId = Annotated[str, Path(description="The document's id, as in search hits, citations and the catalogue.")]
PageNumber = Annotated[int, Path(ge=1, description="Page number, 1 for the first page (as a PDF viewer counts).")]


def summary(doc: SourceDocument) -> DocumentSummary:
    return DocumentSummary(
        doc_id=doc.doc_id, file_name=doc.file_name, title=doc.title, doc_type=doc.doc_type, year=doc.year,
        language=doc.language, pages=len(doc.pages), source=doc.source, licence=doc.licence, aliases=doc.aliases,
    )


NO_DOCUMENT = {404: error("No document with this id in the index.")}
KEY_ERRORS = {
    401: error("Missing or wrong X-API-Key."),
    403: error("No key is configured on the server: adding and removing documents is disabled."),
}


def _document(catalogue: CatalogueDep, doc_id: str) -> SourceDocument:
    doc = catalogue.document(doc_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No document {doc_id!r} in the index.")
    return doc


@router.get("", summary="List documents")
def list_documents(
    catalogue: CatalogueDep,
    doc_type: Annotated[DocType | None, Query(description="Only this kind of document.")] = None,
    language: Annotated[Language | None, Query(description="Only documents mainly in this language.")] = None,
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words of the title or file name (accents and case ignored).")] = None,
) -> DocumentList:
    """Every indexed document, by title. Documents without a year are left out when a year filter is given; a
    `year_from` after `year_to` matches no document."""
    query = DocumentQuery(doc_type=doc_type, language=language, year_from=year_from, year_to=year_to, text=q)
    documents = [summary(doc) for doc in catalogue.documents(query)]
    return DocumentList(documents=documents, total=len(documents))


@router.get("/{doc_id}", summary="One document", responses=NO_DOCUMENT)
def get_document(doc_id: DocId, catalogue: CatalogueDep) -> DocumentDetail:
    doc = _document(catalogue, doc_id)
    path = catalogue.file(doc)
    return DocumentDetail(
        **summary(doc).model_dump(),
        page_numbers=[page.number for page in doc.pages],
        format=catalogue.file_kind(path) if path else None,
    )


@router.get(
    "/{doc_id}/pages/{page}", summary="A page's text",
    responses={404: error("No document with this id, or no page of this number in it.")},
)
def get_page(
    doc_id: DocId,
    page: PageNumber,
    catalogue: CatalogueDep,
    start: Annotated[int | None, Query(ge=0, description="Start of a span to highlight (e.g. a citation's "
                                       "quote_span); omitted: from the start of the page.")] = None,
    end: Annotated[int | None, Query(ge=0, description="End of the span; omitted: to the end of the page. "
                                     "Past the end of the page: to the end of the page.")] = None,
) -> PageText:
    """The text of one page, with an optional span to highlight (`start`, `end` or both). A passage that runs onto
    the next page has its end in that page's text, so ask for its first page with `start` only. 422 when `start`
    is past the end of the page or `end` is before `start`."""
    doc = _document(catalogue, doc_id)
    found = catalogue.page(doc, page)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Document {doc_id!r} has pages 1 to {len(doc.pages)}, not {page}.")
    highlight = None
    if start is not None or end is not None:
        first = start or 0
        if first > len(found.text):
            raise invalid(("query", "start"), f"start={first} is past the end of page {page} ({len(found.text)} "
                          "characters).", first)
        stop = len(found.text) if end is None else min(end, len(found.text))
        if stop < first:
            raise invalid(("query", "end"), f"end={end} is before start={first}.", end)
        highlight = Highlight(start=first, end=stop)
    return PageText(doc_id=doc_id, page=page, pages=len(doc.pages), text=found.text, highlight=highlight,
                    label=found.label)


@router.get(
    "/{doc_id}/pages/{page}/image",
    summary="A PDF page as an image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The page drawn as a PNG."},
               404: error("No document with this id, no page of this number, or the document is not a PDF.")},
)
def get_page_image(
    doc_id: DocId,
    page: PageNumber,
    catalogue: CatalogueDep,
    scale: Annotated[float, Query(ge=0.5, le=4.0, description="Size relative to the page at 72 dpi.")] = 1.5,
) -> Response:
    """The page as it looks in the PDF, to show a citation in its context. Word, Markdown, HTML and text documents
    have no page images: 404, use the page's text instead."""
    doc = _document(catalogue, doc_id)
    try:
        png = catalogue.render_page(doc, page, scale)
    except NotRenderable as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    # The id is a hash of the content: the image of a page of this id never changes.
    return Response(png, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


@router.get(
    "/{doc_id}/file",
    summary="Download the original file",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The file as it was ingested."},
               404: error("No document with this id, or its file is no longer on the server.")},
)
def get_file(doc_id: DocId, catalogue: CatalogueDep) -> FileResponse:
    """Served inline, so a browser shows PDFs itself (add `#page=N` to the URL to open a cited page)."""
    doc = _document(catalogue, doc_id)
    path = catalogue.file(doc)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"The file of {doc.file_name} is no longer on the server.")
    return FileResponse(
        path, media_type=MEDIA_TYPES[catalogue.file_kind(path)], filename=path.name, content_disposition_type="inline"
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[RequiresKey],
    summary="Add a document (needs the API key)",
    responses={
        **KEY_ERRORS,
        **BODY_ERRORS,
        413: error("The file is larger than the server's limit (MIZAN_UPLOAD_MAX_MB)."),
        415: error("The content is not a PDF, a Word document (DOCX) or readable text."),
    },
)
def upload_document(
    file: Annotated[UploadFile, File(description="A PDF, DOCX, HTML, Markdown or text file.")],
    settings: SettingsDep,
    ingest: IngestDep,
    response: Response,
) -> UploadAccepted:
    """Send one file; it is checked (size, type read from the content, not the name), saved under a safe name, and
    ingested in the background, one file at a time. Follow the returned job until it is `done` (searchable) or
    `failed` (with the reason). A file with the name of an earlier upload replaces that document; a copy of a
    document already in the index is recorded as an alias of it (see `aliases`) and its file is not kept."""
    name = safe_name(file.filename or "")
    try:
        data = read_limited(file.file, upload_limit_bytes(settings))
        check_content(data, name)
    except UploadRejected as exc:
        code = status.HTTP_413_CONTENT_TOO_LARGE if exc.too_large else status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
        raise HTTPException(code, f"{file.filename}: {exc.reason}") from exc
    job = ingest.submit(stage_upload(settings, data), name)
    response.headers["Location"] = f"/jobs/{job.job_id}"
    return UploadAccepted(job_id=job.job_id, status=job.status, file_name=job.file_name, status_url=f"/jobs/{job.job_id}")


@router.delete(
    "/{doc_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[RequiresKey],
    summary="Remove a document (needs the API key)",
    responses={**KEY_ERRORS, **NO_DOCUMENT},
)
def delete_document(doc_id: DocId, catalogue: CatalogueDep) -> None:
    """Removes the document and its passages from the index. An uploaded file is deleted with it; a file of the
    corpus folder stays, and comes back with the next `mizan ingest` of that folder."""
    if not catalogue.delete(doc_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No document {doc_id!r} in the index.")
