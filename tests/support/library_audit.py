"""Do the four records of a library agree: the uploads folder, the store's points, the docstore on disk, and the
catalogue the API lists? Shared by the integrity and restart tests; returns what disagrees, in sentences.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from llama_index.core.storage.docstore import SimpleDocumentStore

from core.settings import Settings
from index.backends.base import VectorBackend
from index.indexer import from_llama_document

UPLOADS = "uploads/"


def uploaded_files(settings: Settings) -> list[str]:
    """Every file under the uploads folder, the hidden staging folder included."""
    folder = settings.data_dir / "uploads"
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def audit(settings: Settings, backend: VectorBackend, catalogue: list[dict]) -> list[str]:
    """Disagreements between disk, store, docstore and `catalogue` (GET /documents' list); [] when they agree."""
    problems: list[str] = []
    stored = SimpleDocumentStore.from_persist_path(str(settings.docstore_path)) if settings.docstore_path.exists() \
        else SimpleDocumentStore()
    docs = {doc.doc_id: doc for doc in (from_llama_document(d) for d in stored.docs.values())}

    listed = {d["doc_id"]: (d["file_name"], sorted(d["aliases"])) for d in catalogue}
    on_disk = {doc_id: (doc.file_name, sorted(doc.aliases)) for doc_id, doc in docs.items()}
    if listed != on_disk:
        problems.append(f"catalogue {listed} != docstore on disk {on_disk}")

    owners: dict[str, list[str]] = defaultdict(list)
    for doc in docs.values():
        for name in (doc.file_name, *doc.aliases):
            owners[name].append(doc.doc_id)
    problems += [f"{name} is a name of {ids}" for name, ids in owners.items() if len(ids) > 1]

    points: Counter[str] = Counter()
    if backend.collection_exists(settings.collection):
        for point in backend.scroll(settings.collection):
            doc_id = point.payload.get("doc_id", "")
            points[doc_id] += 1
            doc = docs.get(doc_id)
            if doc is not None and point.payload.get("file_name") != doc.file_name:
                problems.append(f"a point of {doc_id} says {point.payload.get('file_name')}, "
                                f"the docstore {doc.file_name}")
    problems += [f"{count} points of {doc_id}, which the docstore lacks" for doc_id, count in points.items()
                 if doc_id not in docs]
    problems += [f"{doc.file_name} ({doc_id}) has no point" for doc_id, doc in docs.items() if not points[doc_id]]

    files = uploaded_files(settings)
    named = sorted(doc.file_name.removeprefix(UPLOADS) for doc in docs.values() if doc.file_name.startswith(UPLOADS)
                   and doc.path.is_file())
    if files != named:
        problems.append(f"uploads folder {files} != uploaded documents with a file {named}")
    return problems
