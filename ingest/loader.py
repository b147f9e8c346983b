"""A corpus folder -> cleaned SourceDocuments with metadata, and the files turned away with their reason.

One bad file never stops a batch: whatever goes wrong with it becomes a `Rejected` naming it, and the
rest of the folder is still loaded. That includes a file too large for its format and one whose parsing
overruns the time budget: files are parsed in a worker process (ingest.worker) that is killed past it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePosixPath

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
    if files is None and not folder.is_dir():
        raise NotADirectoryError(f"corpus folder not found: {folder}")
    limits = limits or ReadLimits()
    result = LoadResult()
    entries, problems = read_manifest(folder)
    result.warnings.extend(problems)
    with WorkerReader(limits.timeout_s, limits.file_reader()) as worker:
        _load_files(folder, _selected(folder, files), result, limits, worker, progress)
    for document in result.documents:
        _apply_metadata(document, entries)
    return result


def _load_files(folder: Path, paths: list[Path], result: LoadResult, limits: ReadLimits, worker: WorkerReader,
                progress: ProgressCallback | None) -> None:
    """Each file into `result`: a document, an alias of an earlier one with the same content, or a rejection."""
    by_id: dict[str, SourceDocument] = {}
    for path in paths:
        file_name = _file_name(folder, path)
        if progress is not None:
            progress(file_name)
        try:
            document = _load_file(path, file_name, result.warnings, limits, worker)
        except IngestError as exc:
            result.rejected.append(Rejected(file_name, exc.reason, transient=exc.transient))
            continue
        except Exception as exc:  # a reader bug on one odd file must not cost the batch
            result.rejected.append(Rejected(file_name, f"unexpected error ({type(exc).__name__}: {exc})"))
            continue
        twin = by_id.get(document.doc_id)
        if twin is not None:
            twin.aliases.append(file_name)
            result.warnings.append(f"{file_name}: same content as {twin.file_name}; kept as an alias")
            continue
        by_id[document.doc_id] = document
        result.documents.append(document)


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


def _load_file(path: Path, file_name: str, warnings: list[str], limits: ReadLimits,
               worker: WorkerReader) -> SourceDocument:
    """Read and clean one file; metadata that needs the manifest comes later, once twins are merged."""
    if not path.is_file():
        raise IngestError("file not found")
    _check_size(path, limits)
    read = worker.read(path)
    pages = clean_pages(read.pages, paginated=not read.labels)
    if not any(pages):
        raise IngestError("no text left after cleaning (only running headers, page numbers or blanks)")
    warnings.extend(f"{file_name}: {note}" for note in read.notes)
    recognised = set(read.ocr_pages)
    return SourceDocument(
        doc_id=document_id(pages), path=path, file_name=file_name, title=_own_title(read, pages, file_name),
        doc_type="autre", year=None, language="und",
        pages=[Page(number, text, label, ocr=number in recognised) for number, (text, label)
               in enumerate(zip(pages, read.labels or [""] * len(pages)), start=1)],
    )


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


def _apply_metadata(document: SourceDocument, entries: dict[str, ManifestEntry]) -> None:
    """Manifest values where given (for the file or one of its aliases), inference for the rest."""
    entry = next((found for name in (document.file_name, *document.aliases)
                  if (found := manifest_entry(entries, name)) is not None), None) or ManifestEntry(file="")
    if entry.title:
        document.title = entry.title
    stem = PurePosixPath(document.file_name).stem
    document.doc_type = entry.doc_type or infer_doc_type(stem, document.title)
    document.year = entry.year or year_from_text(stem) or year_from_text(document.title)
    document.language = entry.language or dominant_language(page.text for page in document.pages)
    document.source, document.licence = entry.source, entry.licence
