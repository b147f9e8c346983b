"""`mizan backup FILE` / `mizan restore FILE`: everything a data dir holds that cannot be rebuilt, in one tar file.

The archive holds the collection's points as stored (ids, dense and BM25 vectors, payloads: nothing is embedded
again on restore), the docstore, the uploaded files and the feedback database. The points are read through the
vector backend, so a backup of the embedded store restores into a server and back. Models and caches are left out:
`mizan models install` and the first answers rebuild them.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from llama_index.core.storage.docstore import SimpleDocumentStore

from assistant.library.feedback import feedback_path
from assistant.library.uploads import uploads_dir
from core.settings import Settings
from index.backends.base import StoredPoint, VectorBackend

FORMAT = 1
MANIFEST = "mizan-backup.json"
POINTS = "points.jsonl"
DOCSTORE = "docstore.json"
FEEDBACK = "feedback.sqlite3"
UPLOADS = "uploads/"
BATCH = 512


class RestoreRefused(RuntimeError):
    """The data dir or the store already holds an index; restoring would mix two."""


@dataclass
class BackupSummary:
    chunks: int
    documents: int
    uploads: int
    feedback: bool


def write_backup(settings: Settings, backend: VectorBackend, target: Path) -> BackupSummary:
    """Write the archive of `settings.collection` and its data dir to `target` (replaced only once complete)."""
    name = settings.collection
    docstore = settings.docstore_path
    uploads = [p for p in sorted(uploads_dir(settings).glob("*")) if p.is_file()]
    feedback = feedback_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".mizan-backup-") as tmp:
        points, dimension = Path(tmp) / POINTS, 0
        chunks = 0
        with points.open("w", encoding="utf-8") as handle:
            for point in backend.scroll(name) if backend.collection_exists(name) else ():
                dimension = dimension or len(point.vector or [])
                handle.write(json.dumps(_to_json(point), ensure_ascii=False) + "\n")
                chunks += 1
        documents = len(SimpleDocumentStore.from_persist_path(str(docstore)).get_all_document_hashes()) \
            if docstore.exists() else 0
        manifest = {"format": FORMAT, "collection": name, "dimension": dimension, "chunks": chunks,
                    "documents": documents, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        partial = Path(tmp) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(points, POINTS)
            if docstore.exists():
                archive.add(docstore, DOCSTORE)
            for upload in uploads:
                archive.add(upload, UPLOADS + upload.name)
            if feedback.exists():  # through SQLite's backup API: a consistent copy even while the API writes to it
                copy = Path(tmp) / FEEDBACK
                with sqlite3.connect(feedback) as source, sqlite3.connect(copy) as dest:
                    source.backup(dest)
                archive.add(copy, FEEDBACK)
        partial.replace(target)
    return BackupSummary(chunks, documents, len(uploads), feedback.exists())


def restore_backup(settings: Settings, backend: VectorBackend, source: Path) -> BackupSummary:
    """Restore an archive into an empty data dir and store (refused otherwise, before anything is written)."""
    name = settings.collection
    with tarfile.open(source, "r:*") as archive:
        manifest = json.loads(_read(archive, MANIFEST))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{source} is not a Mizan backup of format {FORMAT}")
        if backend.collection_exists(name) and backend.count(name):
            raise RestoreRefused(f"the store already holds {backend.count(name)} chunks in the collection {name!r}")
        if settings.docstore_path.exists():
            raise RestoreRefused(f"a docstore already exists at {settings.docstore_path}")
        chunks = 0
        if manifest["chunks"]:
            backend.ensure_collection(name, int(manifest["dimension"]))
            for batch in _batches(archive):
                backend.upsert(name, batch)
                chunks += len(batch)
            backend.flush()
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        if DOCSTORE in members:
            settings.docstore_path.parent.mkdir(parents=True, exist_ok=True)
            settings.docstore_path.write_bytes(_read(archive, DOCSTORE))
        uploads = [m for m in members if m.startswith(UPLOADS)]
        for member in uploads:
            file_name = PurePosixPath(member).name  # never a path from the archive: only names, in the uploads folder
            uploads_dir(settings).mkdir(parents=True, exist_ok=True)
            (uploads_dir(settings) / file_name).write_bytes(_read(archive, member))
        feedback = FEEDBACK in members and not feedback_path(settings).exists()
        if feedback:
            feedback_path(settings).parent.mkdir(parents=True, exist_ok=True)
            feedback_path(settings).write_bytes(_read(archive, FEEDBACK))
    return BackupSummary(chunks, int(manifest["documents"]), len(uploads), feedback)


def _to_json(point: StoredPoint) -> dict[str, object]:
    return {"id": point.id, "vector": point.vector, "sparse": point.sparse, "payload": point.payload}


def _from_json(data: dict) -> StoredPoint:  # type: ignore[type-arg]
    sparse = data.get("sparse")
    return StoredPoint(data["id"], data["vector"], (sparse[0], sparse[1]) if sparse else None, data["payload"])


def _batches(archive: tarfile.TarFile) -> Iterator[list[StoredPoint]]:
    handle = archive.extractfile(POINTS)
    if handle is None:
        raise ValueError(f"the backup has no {POINTS}")
    batch: list[StoredPoint] = []
    for line in io.TextIOWrapper(handle, encoding="utf-8"):
        if line.strip():
            batch.append(_from_json(json.loads(line)))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _read(archive: tarfile.TarFile, member: str) -> bytes:
    handle = archive.extractfile(member)
    if handle is None:
        raise ValueError(f"{member} in the backup is not a file")
    return handle.read()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(time.time())
    archive.addfile(info, io.BytesIO(data))
