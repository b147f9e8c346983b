"""Corpus folder -> vector store (Qdrant Edge or a server), incrementally, through LlamaIndex's IngestionPipeline.

The pipeline's docstore (UPSERTS strategy) is what makes re-ingestion cheap: a document whose id and hash are
already stored is skipped before chunking and embedding. Document ids are content hashes, so two names for one
content are one document, and a changed file is a *new* document: the old one is retired here, by file name.
The docstore also keeps each document's text, so the whole index can be rebuilt from it without the files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.schema import BaseNode, Document, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore

from core.settings import Settings
from index.analyzer import BM25Analyzer
from index.backends.base import VectorBackend
from index.backends.vector_store import BackendVectorStore
from index.embedder import Embedder, MizanEmbedding
from ingest.chunking import Chunker, passage_overhead
from ingest.feeder import Feeder
from ingest.loader import ReadLimits, apply_metadata, corpus_manifest, stream_files
from ingest.metadata import ManifestEntry
from ingest.ocr import OcrOptions
from ingest.types import PAGE_BREAK, Page, Rejected, SourceDocument

# Files read ahead of the embedder, waiting in the feeder's queue: enough that the model never waits for a
# small file, few enough that a fast reader cannot fill memory.
READ_AHEAD_FILES = 8
# Document metadata kept in the docstore: the catalogue the API and UI list.
CATALOGUE_KEYS = ("file_name", "aliases", "title", "doc_type", "year", "language", "source", "licence", "path", "pages")


@dataclass
class IngestReport:
    files: int = 0
    documents: int = 0
    pages: int = 0
    chunks_embedded: int = 0
    documents_embedded: int = 0
    removed: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    aliased: dict[str, str] = field(default_factory=dict)  # a copy's file name -> the stored document's file name
    # (event, file name, time.perf_counter()): "read" when the reader process handed a file over, "embedded" when
    # its chunks were stored; how reading and embedding overlapped (tests, `mizan bench ingest`)
    timeline: list[tuple[str, str, float]] = field(default_factory=list)


def read_limits(settings: Settings) -> ReadLimits:
    """The per-file size and time limits ingestion applies, and how it reads scanned pages, from the settings."""
    ocr = (OcrOptions(settings.ocr_languages, settings.ocr_dpi, settings.ocr_page_timeout_s)
           if settings.ocr == "auto" else None)
    return ReadLimits(max_mb={"pdf": settings.max_pdf_mb, "docx": settings.max_docx_mb, "html": settings.max_html_mb,
                              "text": settings.max_text_mb}, timeout_s=settings.parse_timeout_s, ocr=ocr)


def to_llama_document(doc: SourceDocument) -> Document:
    metadata: dict[str, Any] = {
        "file_name": doc.file_name,
        "aliases": list(doc.aliases),
        "title": doc.title,
        "doc_type": doc.doc_type,
        "year": doc.year,
        "language": doc.language,
        "source": doc.source,
        "licence": doc.licence,
        "path": str(doc.path),
        "pages": len(doc.pages),
        "page_numbers": [p.number for p in doc.pages],
        "page_labels": [p.label for p in doc.pages] if any(p.label for p in doc.pages) else [],
    }
    if any(p.ocr for p in doc.pages):  # only then: the stored hash of every other document stays as it was
        metadata["ocr_pages"] = [p.number for p in doc.pages if p.ocr]
    return Document(id_=doc.doc_id, text=PAGE_BREAK.join(p.text for p in doc.pages), metadata=metadata)


def from_llama_document(document: BaseNode) -> SourceDocument:
    meta = document.metadata
    texts = document.get_content().split(PAGE_BREAK)
    numbers = meta.get("page_numbers") or list(range(1, len(texts) + 1))
    labels = meta.get("page_labels") or [""] * len(texts)
    recognised = set(meta.get("ocr_pages") or [])
    return SourceDocument(
        doc_id=document.id_,
        path=Path(meta.get("path", "")),
        file_name=meta["file_name"],
        title=meta.get("title", ""),
        doc_type=meta.get("doc_type", "autre"),
        year=meta.get("year"),
        language=meta.get("language", "und"),
        pages=[Page(number=n, text=t, label=label, ocr=n in recognised) for n, t, label in zip(numbers, texts, labels)],
        source=meta.get("source", ""),
        licence=meta.get("licence", ""),
        aliases=list(meta.get("aliases", [])),
    )


class PageChunker(TransformComponent):
    """Turns whole documents into page-aware chunks inside the pipeline (LlamaIndex's splitter does the cutting).

    A document the reader process has already cut (see `ingest.loader.stream_files`) takes its chunks from
    `ready`, keyed by document id; the pipeline still decides whether it is embedded at all.
    """

    chunker: Any  # ingest.chunking.Chunker
    ready: dict[str, list[BaseNode]] = {}

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        chunks: list[BaseNode] = []
        for node in nodes:
            cut = self.ready.pop(node.id_, None)
            chunks.extend(cut if cut is not None else self.chunker(from_llama_document(node)))
        return chunks


class Indexer:
    """Owns the docstore and the vector store of one collection; created once per process."""

    def __init__(self, settings: Settings, backend: VectorBackend, embedder: Embedder, analyzer: BM25Analyzer) -> None:
        self.settings = settings
        self.backend = backend
        self.embedder = embedder
        self.on_nodes: list[Callable[[list[BaseNode]], None]] = []  # called with each run's new chunks
        if backend.collection_exists(settings.collection):  # a model change must not mix vector sizes
            backend.ensure_collection(settings.collection, embedder.dimension)
        # A missing collection is created by the first write: until then a docstore without it shows (needs_rebuild).
        self.vector_store = BackendVectorStore(backend, settings.collection, analyzer.sparse_doc_fn)
        self.docstore_path = settings.docstore_path
        self.docstore = _load_docstore(self.docstore_path)
        self.chunker = Chunker(
            embedder.tokenizer,
            chunk_size=min(settings.chunk_size, embedder.max_seq_length),
            chunk_overlap=settings.chunk_overlap,
            reserved_tokens=passage_overhead(embedder.tokenizer, embedder.prefix("passage")),
            context_tokens=settings.context_tokens,
            caption_tokens=settings.table_caption_tokens,
        )
        self.page_chunker = PageChunker(chunker=self.chunker, ready={})
        self.pipeline = IngestionPipeline(
            transformations=[self.page_chunker, MizanEmbedding(embedder=embedder)],
            vector_store=self.vector_store,
            docstore=self.docstore,
            docstore_strategy=DocstoreStrategy.UPSERTS,
            disable_cache=True,
        )

    # -- catalogue -------------------------------------------------------------------------------------------

    def documents(self) -> list[SourceDocument]:
        return [from_llama_document(d) for d in self.docstore.docs.values()]

    def document_count(self) -> int:
        """Without deserialising every stored document and its text (a status check asks this often)."""
        return len(self.docstore.get_all_document_hashes())

    def document(self, doc_id: str) -> SourceDocument | None:
        node = self.docstore.get_document(doc_id, raise_error=False)
        return from_llama_document(node) if node is not None else None

    def needs_rebuild(self) -> bool:
        """The docstore lists documents whose collection the store lacks (see `missing_vectors`)."""
        return missing_vectors(self.settings, self.backend, self.docstore) > 0

    def delete(self, doc_id: str) -> bool:
        if self.docstore.get_document(doc_id, raise_error=False) is None:
            return False
        self.vector_store.delete(doc_id)
        self.docstore.delete_document(doc_id, raise_error=False)
        self.docstore.persist(str(self.docstore_path))
        self.backend.flush()
        return True

    # -- ingestion -------------------------------------------------------------------------------------------

    def ingest(
        self,
        folder: Path,
        *,
        prune: bool = False,
        files: list[Path] | None = None,
        on_file: Callable[[str], None] | None = None,
        on_pages: Callable[[int, int], None] | None = None,
        pages_per_run: int = 64,
    ) -> IngestReport:
        """Load, chunk, embed and store what changed in `folder`; retire documents replaced or (with prune) gone.

        Files are read, cleaned and chunked in a worker process while the documents before them are embedded
        (see ingest.feeder): a new document is embedded as soon as it is read. A document whose content the
        docstore already holds waits for the end of the reading, since what becomes of it (skipped, renamed,
        an alias of a stored copy) depends on every name this run reads.

        `on_file(name)` is called as each file is read (from the feeder's thread), `on_pages(done, total)` as
        pages are indexed (`total`: the pages read so far).
        """
        started = time.perf_counter()
        entries, problems = corpus_manifest(folder, files)
        report = IngestReport(warnings=list(problems))
        stored = frozenset(self.docstore.get_all_document_hashes().values())
        fresh: list[SourceDocument] = []  # embedded as they came
        held: list[SourceDocument] = []  # already stored: settled once every name of the run is known
        progress = _Progress(report, on_pages)
        stream = stream_files(folder, files, entries, progress=on_file, limits=read_limits(self.settings),
                              chunker=self.chunker, stored=stored)
        try:
            with Feeder(stream, maxsize=READ_AHEAD_FILES) as feeder:
                for run in feeder.runs(lambda loaded: loaded.pages, pages_per_run):
                    batch = []
                    for loaded in run:
                        report.timeline.append(("read", loaded.file_name, loaded.read_at))
                        report.warnings.extend(loaded.warnings)
                        if loaded.rejected is not None:
                            report.rejected.append(loaded.rejected)
                        elif loaded.document is not None:
                            report.pages += len(loaded.document.pages)
                            if loaded.document.doc_id in stored:
                                held.append(loaded.document)
                                continue
                            if loaded.chunks is not None:
                                self.page_chunker.ready[loaded.document.doc_id] = list(loaded.chunks)
                            batch.append(loaded.document)
                    fresh.extend(batch)
                    self._embed(batch, report)
                    progress.advance(batch)
        finally:
            self.page_chunker.ready.clear()
        loaded_documents = fresh + held
        report.documents = len(loaded_documents)
        report.files = sum(1 + len(d.aliases) for d in loaded_documents) + len(report.rejected)

        self._settle_copies(fresh, entries, report)
        names = {name for d in loaded_documents for name in (d.file_name, *d.aliases)}
        for document in held:
            if document.aliases:
                apply_metadata(document, entries)  # a copy's name may have a manifest row of its own
            self._keep_stored_aliases(document, names, prune=prune and files is None)
        to_index = [d for d in held if not self._aliased_to_stored(d, names, report)]
        for batch in _batches(to_index, pages_per_run):
            self._embed(batch, report)
            progress.advance(batch)

        present = {name: d.doc_id for d in loaded_documents for name in (d.file_name, *d.aliases)}
        # a file that now reads as broken no longer holds its stored content; one whose reading failed still may
        present.update({r.file_name: "" for r in report.rejected if not r.transient})
        kept = {r.file_name for r in report.rejected if r.transient}
        self._release_names(present)
        for doc_id in self._retired(present, kept, prune=prune and files is None):
            self.vector_store.delete(doc_id)
            self.docstore.delete_document(doc_id, raise_error=False)
            report.removed.append(doc_id)
        self.docstore.persist(str(self.docstore_path))
        self.backend.flush()
        report.seconds = time.perf_counter() - started
        return report

    def _settle_copies(self, fresh: list[SourceDocument], entries: dict[str, ManifestEntry],
                       report: IngestReport) -> None:
        """Embedded documents whose content later files repeated: their docstore entries take those names as
        aliases. Where an alias's manifest row changes what the chunks carry (title, type, year, language), the
        document is embedded again (rare: a row given for the copy and none for the first file)."""
        for document in fresh:
            if not document.aliases:
                continue
            embedded = (document.title, document.doc_type, document.year, document.language)
            apply_metadata(document, entries)
            if (document.title, document.doc_type, document.year, document.language) != embedded:
                self._embed([document], report)
            else:
                self.docstore.add_documents([to_llama_document(document)], allow_update=True)

    def rebuild(self, on_pages: Callable[[int, int], None] | None = None, pages_per_run: int = 64) -> IngestReport:
        """Drop the collection and index every document again from the docstore's text (no file is read).

        This is how an index moves to another store (the old embedded store's data dirs, a new server) or takes new
        chunk settings. The docstore file is rewritten only at the end, so an interrupted rebuild can be run again.
        """
        started = time.perf_counter()
        documents = self.documents()
        name = self.settings.collection
        if self.backend.collection_exists(name):
            self.backend.drop_collection(name)
        self.docstore = SimpleDocumentStore()  # empty, so the pipeline takes every document as new
        self.pipeline.docstore = self.docstore
        report = IngestReport(documents=len(documents), pages=sum(len(d.pages) for d in documents))
        report.files = sum(1 + len(d.aliases) for d in documents)
        self._index(documents, report, on_pages, pages_per_run)
        self.docstore.persist(str(self.docstore_path))
        self.backend.flush()
        report.seconds = time.perf_counter() - started
        return report

    def _index(
        self,
        documents: list[SourceDocument],
        report: IngestReport,
        on_pages: Callable[[int, int], None] | None,
        pages_per_run: int,
    ) -> None:
        """Chunk, embed and store the documents the docstore does not hold yet, in runs of ~`pages_per_run` pages."""
        progress = _Progress(report, on_pages)
        for batch in _batches(documents, pages_per_run):
            self._embed(batch, report)
            progress.advance(batch)

    def _embed(self, documents: list[SourceDocument], report: IngestReport) -> None:
        """One pipeline run: the documents the docstore lacks (or holds with another hash) chunked, embedded, stored."""
        if not documents:
            return
        nodes = self.pipeline.run(documents=[to_llama_document(d) for d in documents])
        for listener in self.on_nodes:
            listener(nodes)
        report.chunks_embedded += len(nodes)
        report.documents_embedded += len({n.ref_doc_id for n in nodes})
        now = time.perf_counter()
        report.timeline.extend(("embedded", d.file_name, now) for d in documents)

    def _keep_stored_aliases(self, document: SourceDocument, names: set[str], *, prune: bool) -> None:
        """A document read again keeps the aliases it was given by earlier runs.

        An alias of an upload has no file of its own (see `_aliased_to_stored`), so a run that does not see it
        must not drop it; only a whole-folder run with prune, which sees every file, says which names are gone.
        """
        stored = self.docstore.get_document(document.doc_id, raise_error=False)
        # read again under its name, or under another while its own name is read too (with other content: the
        # upload worker moved it there to make room, see assistant.library.jobs)
        if prune or stored is None or stored.metadata.get("file_name") not in names:
            return
        document.aliases.extend(alias for alias in stored.metadata.get("aliases", [])
                                if alias not in names and alias not in document.aliases)

    def _aliased_to_stored(self, document: SourceDocument, names: set[str], report: IngestReport) -> bool:
        """Whether `document` is a copy of a stored document whose own file is still there; its names then become
        aliases of that document, which keeps its name and metadata (its passages need nothing new).

        Indexed as usual, the copy would take over the stored document (same id, other metadata): the catalogue
        would name it after the copy and the first file would be left with no entry. A stored document whose
        file is gone, or is read in this same run, was renamed or replaced: that is indexed as usual.
        """
        stored = self.docstore.get_document(document.doc_id, raise_error=False)
        if stored is None:
            return False
        first = stored.metadata.get("file_name", "")
        if first in names or not Path(stored.metadata.get("path", "")).is_file():
            return False
        aliases = list(stored.metadata.get("aliases", []))
        for name in (document.file_name, *document.aliases):
            report.aliased[name] = first
            report.warnings.append(f"{name}: same content as {first}; kept as an alias")
            if name not in aliases:
                aliases.append(name)
        if aliases != stored.metadata.get("aliases", []):
            stored.metadata["aliases"] = aliases
            self.docstore.add_documents([stored], allow_update=True)  # the stored hash follows the metadata
        return True

    def _release_names(self, present: dict[str, str]) -> None:
        """A name read in this run with other content is no longer an alias of the document it named: an alias has
        no file of its own (an upload's copy), so nothing else would ever take it back, and the catalogue would
        list one name under two documents."""
        for doc_id, stored in list(self.docstore.docs.items()):
            aliases = stored.metadata.get("aliases", [])
            mine = [alias for alias in aliases if present.get(alias, doc_id) == doc_id]
            if mine != aliases:
                stored.metadata["aliases"] = mine
                self.docstore.add_documents([stored], allow_update=True)

    def _retired(self, present: dict[str, str], kept: set[str], *, prune: bool) -> list[str]:
        """A stored document is retired when each of its files now holds other content, or is gone (with prune);
        never while one of its files could not be read this time (`kept`)."""
        retired = []
        for doc_id, stored in list(self.docstore.docs.items()):
            names = [stored.metadata.get("file_name", ""), *stored.metadata.get("aliases", [])]
            if kept.intersection(names):
                continue
            if all((n in present and present[n] != doc_id) or (n not in present and prune) for n in names):
                retired.append(doc_id)
        return retired


def missing_vectors(settings: Settings, backend: VectorBackend, docstore: SimpleDocumentStore | None = None) -> int:
    """How many documents the docstore lists while the store has no collection for them (0: the two agree).

    It happens after a change of store: a data dir of the old embedded store (qdrant-client's local mode, see
    `index.store.legacy_collection`), a new MIZAN_QDRANT_URL, a deleted Edge folder. Ingesting then would skip
    every document as unchanged, so commands ask for `mizan ingest --rebuild` instead.
    """
    if backend.collection_exists(settings.collection):
        return 0
    docstore = docstore if docstore is not None else _load_docstore(settings.docstore_path)
    return len(docstore.get_all_document_hashes())


def _load_docstore(path: Path) -> SimpleDocumentStore:
    return SimpleDocumentStore.from_persist_path(str(path)) if path.exists() else SimpleDocumentStore()


class _Progress:
    """`on_pages(done, total)` as runs of documents are indexed; `total` is what has been read so far."""

    def __init__(self, report: IngestReport, on_pages: Callable[[int, int], None] | None) -> None:
        self.report, self.on_pages, self.done = report, on_pages, 0

    def advance(self, documents: list[SourceDocument]) -> None:
        self.done += sum(len(d.pages) for d in documents)
        if self.on_pages is not None and documents:
            self.on_pages(self.done, self.report.pages)


def _batches(documents: Iterable[SourceDocument], pages_per_run: int) -> Iterable[list[SourceDocument]]:
    """Runs of whole documents of about `pages_per_run` pages: big enough batches for the encoder, steady progress."""
    batch: list[SourceDocument] = []
    pages = 0
    for doc in documents:
        batch.append(doc)
        pages += len(doc.pages)
        if pages >= pages_per_run:
            yield batch
            batch, pages = [], 0
    if batch:
        yield batch
