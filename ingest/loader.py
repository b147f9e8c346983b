"""A corpus folder -> cleaned SourceDocuments with metadata, and the files turned away with their reason.

One bad file never stops a batch: whatever goes wrong with it becomes a `Rejected` naming it, and the
rest of the folder is still loaded. That includes a file too large for its format and one whose parsing
overruns the time budget: files are parsed in a worker process (ingest.worker) that is killed past it.

The same process cleans each file and, for ingestion, cuts it into chunks (`stream_files`), so all the work a
file needs before embedding runs beside the embedder (see ingest.feeder) and counts against its budget.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePosixPath

from llama_index.core.schema import TextNode

from ingest.chunking import Chunker
from ingest.cleaning import clean_pages
from ingest.language import dominant_language
from ingest.metadata import (
    MANIFEST_NAME,
    ManifestEntry,
    infer_doc_type,
    manifest_entry,
    read_manifest,
    title_from_name,
    title_from_text,
    usable_title,
    year_from_text,
)
from ingest.ocr import OcrOptions, budget_for
from ingest.readers import BINARY_EXTENSIONS, TEXT_EXTENSIONS, IngestError, ReadResult, looks_like_html, read_file
from ingest.types import PAGE_BREAK, Page, Rejected, SourceDocument
from ingest.worker import WorkerReader

ProgressCallback = Callable[[str], None]
DOC_ID_CHARS = 16
MB = 1024 * 1024
# Largest file read, per format (what the content is, not its name), in MB; settings max_<format>_mb.
DEFAULT_MAX_MB: Mapping[str, float] = {"pdf": 200, "docx": 100, "html": 20, "text": 100}
DEFAULT_PARSE_TIMEOUT_S = 120.0  # settings parse_timeout_s
FORMAT_NAMES = {"pdf": "PDF", "docx": "DOCX", "html": "HTML", "text": "text"}
_HEAD_BYTES = 2048


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost before it is turned away: its size per format, and seconds of parsing (OCR of
    its scanned pages included); and how scanned PDF pages are read (`ocr`; None: not at all).

    `reader` is what the worker process runs on each file, as `reader(path, ocr=...)` (tests swap in a slow or
    failing one); it must be a module-level function, since it is sent to the worker by name.
    """

    max_mb: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MAX_MB))
    timeout_s: float = DEFAULT_PARSE_TIMEOUT_S
    reader: Callable[..., ReadResult] = read_file
    ocr: OcrOptions | None = field(default_factory=OcrOptions)

    def file_reader(self) -> Callable[[Path], ReadResult]:
        """The reader with its OCR options, the OCR budget taken from the file's."""
        ocr = replace(self.ocr, budget_s=budget_for(self.timeout_s)) if self.ocr is not None else None
        return partial(self.reader, ocr=ocr)


@dataclass
class LoadResult:
    documents: list[SourceDocument] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # loaded anyway: wrong extension, empty pages, manifest rows

    @property
    def pages(self) -> int:
        return sum(len(document.pages) for document in self.documents)


def corpus_files(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted, except the manifest and anything hidden or private ('.', '_')."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts) or relative.as_posix() == MANIFEST_NAME:
            continue
        if path.is_file():
            found.append(path)
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def document_id(pages: list[str]) -> str:
    """Hash of the cleaned text: the same content under two names, or ingested twice, gets one id."""
    return hashlib.sha256(PAGE_BREAK.join(pages).encode("utf-8")).hexdigest()[:DOC_ID_CHARS]


def load_corpus(folder: Path, files: list[Path] | None = None,
                progress: ProgressCallback | None = None, limits: ReadLimits | None = None) -> LoadResult:
    """Read, clean and describe the documents of `folder` (all of them, or only `files`).

    `files` may be absolute or relative to `folder`; file names in the result are relative to `folder`.
    `progress` is called with each file name before that file is read. Only a missing `folder` raises.
    """
    entries, problems = corpus_manifest(folder, files)
    result = LoadResult(warnings=list(problems))
    for loaded in stream_files(folder, files, entries, progress=progress, limits=limits):
        result.warnings.extend(loaded.warnings)
        if loaded.rejected is not None:
            result.rejected.append(loaded.rejected)
        elif loaded.document is not None:
            result.documents.append(loaded.document)
    for document in result.documents:
        if document.aliases:  # a twin's name may have a manifest row of its own
            apply_metadata(document, entries)
    return result


def corpus_manifest(folder: Path, files: list[Path] | None = None) -> tuple[dict[str, ManifestEntry], list[str]]:
    """The manifest's rows of `folder` and its problems; a missing `folder` raises when all of it is to be read."""
    if files is None and not folder.is_dir():
        raise NotADirectoryError(f"corpus folder not found: {folder}")
    return read_manifest(folder)


@dataclass
class LoadedFile:
    """One file as the reader process hands it over: a document, a copy of an earlier one, or a rejection."""

    file_name: str
    document: SourceDocument | None = None  # None: rejected, or the same content as an earlier file (`alias_of`)
    # cut by the reader process; None when not cut there (no chunker, or its content was already stored)
    chunks: list[TextNode] | None = None
    alias_of: SourceDocument | None = None  # the earlier document this file's name was added to as an alias
    rejected: Rejected | None = None
    warnings: list[str] = field(default_factory=list)
    read_at: float = 0.0  # time.perf_counter() when its reading ended (pipeline timelines, tests)

    @property
    def pages(self) -> int:
        return len(self.document.pages) if self.document is not None else 0


@dataclass
class Prepared:
    """What the reader process returns for one file: its document, with the chunks cut from it when asked."""

    document: SourceDocument
    notes: list[str]
    chunks: list[TextNode] | None


def stream_files(folder: Path, files: list[Path] | None, entries: dict[str, ManifestEntry], *,
                 progress: ProgressCallback | None = None, limits: ReadLimits | None = None,
                 chunker: Chunker | None = None, stored: frozenset[str] = frozenset()) -> Iterator[LoadedFile]:
    """Each file of `folder` (or `files`) as it is read, in order: reading, cleaning, the file's own manifest row
    and, with a `chunker`, chunking happen in the worker process, within the file's time budget.

    A document whose id is in `stored` is not chunked (the docstore holds it: it is most likely skipped). A file
    with the content of an earlier one is yielded with `alias_of` that document, whose aliases now name it.
    Closing the generator shuts the worker process down.
    """
    limits = limits or ReadLimits()
    prepare = partial(prepare_file, folder=folder, read=limits.file_reader(), entries=entries, chunker=chunker,
                      stored=stored)
    by_id: dict[str, SourceDocument] = {}
    with WorkerReader(limits.timeout_s, prepare) as worker:
        for path in _selected(folder, files):
            file_name = _file_name(folder, path)
            if progress is not None:
                progress(file_name)
            try:
                if not path.is_file():
                    raise IngestError("file not found")
                _check_size(path, limits)
                prepared: Prepared = worker.read(path)
            except IngestError as exc:
                yield LoadedFile(file_name, rejected=Rejected(file_name, exc.reason, transient=exc.transient),
                                 read_at=time.perf_counter())
                continue
            except Exception as exc:  # a reader bug on one odd file must not cost the batch
                yield LoadedFile(file_name, read_at=time.perf_counter(), rejected=Rejected(
                    file_name, f"unexpected error ({type(exc).__name__}: {exc})"))
                continue
            document = prepared.document
            warnings = [f"{file_name}: {note}" for note in prepared.notes]
            twin = by_id.get(document.doc_id)
            if twin is not None:
                twin.aliases.append(file_name)
                warnings.append(f"{file_name}: same content as {twin.file_name}; kept as an alias")
                yield LoadedFile(file_name, alias_of=twin, warnings=warnings, read_at=time.perf_counter())
                continue
            by_id[document.doc_id] = document
            yield LoadedFile(file_name, document=document, chunks=prepared.chunks, warnings=warnings,
                             read_at=time.perf_counter())


def prepare_file(path: Path, *, folder: Path, read: Callable[[Path], ReadResult],
                 entries: dict[str, ManifestEntry], chunker: Chunker | None, stored: frozenset[str]) -> Prepared:
    """Run in the worker process: one file read, cleaned, described from its own manifest row and chunked."""
    file_name = _file_name(folder, path)
    result = read(path)
    pages = clean_pages(result.pages, paginated=not result.labels)
    if not any(pages):
        raise IngestError("no text left after cleaning (only running headers, page numbers or blanks)")
    recognised = set(result.ocr_pages)
    document = SourceDocument(
        doc_id=document_id(pages), path=path, file_name=file_name, title=_own_title(result, pages, file_name),
        doc_type="autre", year=None, language="und",
        pages=[Page(number, text, label, ocr=number in recognised) for number, (text, label)
               in enumerate(zip(pages, result.labels or [""] * len(pages)), start=1)],
    )
    apply_metadata(document, entries)
    chunks = chunker(document) if chunker is not None and document.doc_id not in stored else None
    return Prepared(document, list(result.notes), chunks)


def _selected(folder: Path, files: list[Path] | None) -> list[Path]:
    if files is None:
        return corpus_files(folder)
    chosen = []
    for path in files:
        if not path.is_absolute() and not path.exists() and (folder / path).exists():
            path = folder / path
        chosen.append(path)
    return chosen


def _file_name(folder: Path, path: Path) -> str:
    for base, candidate in ((folder, path), (folder.resolve(), path.resolve())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name


def _check_size(path: Path, limits: ReadLimits) -> None:
    """Refuse a file larger than its format allows, judged from its first bytes, before anything parses it."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc})") from exc
    kind = file_format(head, path.suffix.lower())
    limit = limits.max_mb.get(kind)
    if limit is not None and size > limit * MB:
        raise IngestError(f"too large for {FORMAT_NAMES[kind]}: {size / MB:.1f} MB (limit {limit:g} MB)")


def file_format(head: bytes, extension: str) -> str:
    """'pdf', 'docx', 'html' or 'text': the size limit a file falls under, from its first bytes (as the reader
    judges it: content first, then the name). A ZIP that is not a DOCX counts as DOCX; the reader refuses it."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or BINARY_EXTENSIONS.get(extension) == "docx":
        return "docx"
    if BINARY_EXTENSIONS.get(extension) == "pdf":
        return "pdf"
    if TEXT_EXTENSIONS.get(extension) == "html" or looks_like_html(head.decode("utf-8", errors="ignore")):
        return "html"
    return "text"


def _own_title(read: ReadResult, pages: list[str], file_name: str) -> str:
    return usable_title(read.title) or title_from_text(pages) or title_from_name(file_name)


def apply_metadata(document: SourceDocument, entries: dict[str, ManifestEntry]) -> None:
    """Manifest values where given (for the file or one of its aliases), inference for the rest. Applied again
    once a document's aliases are known, it changes only what a manifest row given for an alias sets."""
    entry = next((found for name in (document.file_name, *document.aliases)
                  if (found := manifest_entry(entries, name)) is not None), None) or ManifestEntry(file="")
    if entry.title:
        document.title = entry.title
    stem = PurePosixPath(document.file_name).stem
    document.doc_type = entry.doc_type or infer_doc_type(stem, document.title)
    document.year = entry.year or year_from_text(stem) or year_from_text(document.title)
    document.language = entry.language or dominant_language(page.text for page in document.pages)
    document.source, document.licence = entry.source, entry.licence
