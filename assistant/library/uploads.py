"""Files people send to the API: a safe name, a size limit, a type read from the content, an atomic save.

Uploads live under <data_dir>/uploads and are ingested with the data dir as their folder, so their catalogue
names ("uploads/note.pdf") never collide with the corpus's own ("note.pdf"): the indexer reads a known name with
new content as a new version and retires the old document, which must only happen to an earlier upload.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from core.settings import Settings
from ingest import readers

UPLOADS = "uploads"
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-]+")
_READ_BLOCK = 1 << 20


class UploadRejected(ValueError):
    """The file is refused before ingestion; `reason` says why in words fit for the person who sent it."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / UPLOADS


def incoming_dir(settings: Settings) -> Path:
    """Hidden ('.'), so no corpus scan of the data dir would ever take a half-processed upload for a document."""
    return uploads_dir(settings) / ".incoming"


def upload_limit_bytes(settings: Settings) -> int:
    return int(settings.upload_max_mb * 1024 * 1024)


def safe_name(raw: str) -> str:
    """A plain file name from whatever the client sent: no folders, no traversal, no hidden or invisible characters.

    NFKC first, so look-alikes ("／", "‥", fullwidth letters) become the characters they imitate and are then
    dealt with like them; control and format characters (NUL, bidi overrides that make "fdp.exe" read as
    "exe.pdf", zero-width joiners) are dropped; what remains outside letters, digits, '.', '-', '_' becomes '_'.
    """
    name = unicodedata.normalize("NFKC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", name)).strip("._-")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension.lower()[:16]
    stem = stem[: MAX_NAME_CHARS - len(extension) - 1].rstrip("._-") or "upload"
    return f"{stem}.{extension}" if extension else stem


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """The whole stream, or UploadRejected as soon as it passes `limit` bytes (a missing Content-Length is no escape)."""
    blocks: list[bytes] = []
    size = 0
    while block := stream.read(_READ_BLOCK):
        size += len(block)
        if size > limit:
            raise UploadRejected(f"file larger than the {limit / 1024 / 1024:g} MB limit", too_large=True)
        blocks.append(block)
    return b"".join(blocks)


def check_content(data: bytes, name: str) -> str:
    """The kind of document the bytes hold (pdf, docx or text), judged by content as the ingest readers judge it.

    Only the cheap part of reading happens here (magic bytes, ZIP parts, text decoding); a PDF that turns out to
    be encrypted or scanned is reported by the ingestion job, with the same reasons `mizan ingest` gives.
    """
    if not data:
        raise UploadRejected("empty file")
    extension = PurePosixPath(name).suffix.lower()
    try:
        return readers.sniff(data, extension)
    except readers.IngestError as exc:
        raise UploadRejected(exc.reason) from exc


def stage_upload(settings: Settings, data: bytes) -> Path:
    """Write the file to the uploads' hidden incoming folder in one step; the ingestion worker gives it its name.

    Staging, rather than writing the final name now, keeps two uploads of one name in order: each job ingests
    its own bytes, whatever arrived after it.
    """
    folder = incoming_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    fd, staged = tempfile.mkstemp(dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return Path(staged)


def publish(settings: Settings, staged: Path, name: str) -> Path:
    """Move a staged file to its name under the uploads folder, replacing an earlier upload of that name."""
    folder = uploads_dir(settings).resolve()
    target = folder / name
    if target.parent != folder:  # safe_name makes this impossible; nothing may ever be written outside the folder
        raise UploadRejected(f"unsafe file name: {name!r}")
    os.replace(staged, target)
    return target
