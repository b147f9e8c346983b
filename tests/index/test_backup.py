"""`mizan backup` / `mizan restore`: a data dir and its collection round-trip through one archive, into another store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from llama_index.core.schema import Document
from llama_index.core.storage.docstore import SimpleDocumentStore
from qdrant_client import QdrantClient
from test_backends_congruence import CORPUS, DIM, NAME  # seeded points with BM25 vectors and payloads

from assistant.library.backup import RestoreRefused, restore_backup, write_backup
from core.settings import Settings
from index.backends.edge import EdgeBackend
from index.backends.server import ServerBackend


def _data_dir(folder: Path) -> Settings:
    settings = Settings(data_dir=folder, collection=NAME, qdrant_url=None)  # type: ignore[call-arg]
    docstore = SimpleDocumentStore()
    document = Document(id_="doc-1", text="Budget sensible au genre.", metadata={"file_name": "uploads/note.md"})
    docstore.add_documents([document])
    docstore.set_document_hash("doc-1", document.hash)
    settings.docstore_path.parent.mkdir(parents=True)
    docstore.persist(str(settings.docstore_path))
    (folder / "uploads").mkdir()
    (folder / "uploads" / "note.md").write_text("Budget sensible au genre.", encoding="utf-8")
    with sqlite3.connect(folder / "feedback.sqlite3") as db:
        db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, rating INTEGER)")
        db.execute("INSERT INTO feedback (rating) VALUES (-1)")
    return settings


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect")  # the target server here: the local mode
def test_backup_restores_into_another_store(tmp_path: Path) -> None:
    source = _data_dir(tmp_path / "before")
    edge = EdgeBackend(tmp_path / "before" / "edge")
    try:
        edge.ensure_collection(NAME, DIM)
        edge.upsert(NAME, CORPUS)
        written = write_backup(source, edge, tmp_path / "backup.tar.gz")
    finally:
        edge.close()
    assert (written.chunks, written.documents, written.uploads, written.feedback) == (len(CORPUS), 1, 1, True)

    target = Settings(data_dir=tmp_path / "after", collection=NAME, qdrant_url=None)  # type: ignore[call-arg]
    server = ServerBackend(QdrantClient(":memory:"))  # a backup of Edge restores into a server as well
    try:
        restored = restore_backup(target, server, tmp_path / "backup.tar.gz")
        assert restored == written
        stored = {p.id: p for p in server.scroll(NAME)}
        for point in CORPUS:
            assert stored[point.id].payload == point.payload
            assert stored[point.id].vector == pytest.approx(point.vector, abs=1e-6)
            assert dict(zip(*stored[point.id].sparse)) == pytest.approx(dict(zip(*point.sparse)))  # type: ignore[misc]
        assert target.docstore_path.read_bytes() == source.docstore_path.read_bytes()
        assert (tmp_path / "after" / "uploads" / "note.md").read_text(encoding="utf-8") == "Budget sensible au genre."
        with sqlite3.connect(tmp_path / "after" / "feedback.sqlite3") as db:
            assert db.execute("SELECT rating FROM feedback").fetchall() == [(-1,)]
        with pytest.raises(RestoreRefused, match="already holds"):  # never mixed into an index
            restore_backup(target, server, tmp_path / "backup.tar.gz")
    finally:
        server.close()
