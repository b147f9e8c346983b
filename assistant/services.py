"""`build_services(settings)`: the one place the process's objects are made, for the API, the CLI and the tests.

The embedder, the vector backend, the BM25 analyzer and the sentence vectors are made once here and handed to
everything that reads them (indexer, search, answers, the document library), so no one calls a four-argument
constructor by hand and no module keeps a copy of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.answers.conversation import ConversationStore
from assistant.answers.evidence import EvidenceMeter
from assistant.answers.llm import get_llm
from assistant.answers.service import AnswerService
from assistant.answers.translation import QueryTranslator
from assistant.library.catalogue import Catalogue
from assistant.library.feedback import FeedbackStore, feedback_path
from assistant.library.jobs import IngestQueue, WriteLock
from assistant.search.service import SearchService
from core.settings import Settings
from index.analyzer import BM25Analyzer
from index.backends.base import VectorBackend
from index.backends.factory import close_backend, open_backend
from index.embedder import Embedder, get_embedder
from index.indexer import Indexer
from index.sentence_store import SentenceVectorStore
from ingest.language import detect_language

WARM_QUESTIONS = (
    "Comment formuler un indicateur sensible au genre ?",
    "When did Morocco start gender-responsive budgeting?",
    "ما هو دور مركز التميز لميزانية النوع الاجتماعي؟",
)


@dataclass
class Services:
    """The models, the store and the services over them; an API server's live as long as it does."""

    settings: Settings
    backend: VectorBackend  # Qdrant Edge in a folder, or a Qdrant server: chosen once, from the settings
    embedder: Embedder
    analyzer: BM25Analyzer
    sentences: SentenceVectorStore
    indexer: Indexer
    search: SearchService
    answers: AnswerService
    lock: WriteLock  # index writes, one at a time (searches never take it)
    catalogue: Catalogue
    ingest: IngestQueue  # its worker thread runs only once started (the API's lifespan starts it)
    feedback: FeedbackStore
    conversations: ConversationStore

    def warm(self) -> None:
        """Pay first-use costs at start-up rather than in the first users' requests: ONNX Runtime's and oneDNN's
        first runs, and lingua's language models, which load on first detection (under 20 clients the first
        phase's /search p95 was 1.66 s against 1.05 s once warm)."""
        for question in WARM_QUESTIONS:
            detect_language(question)
            self.embedder.embed_queries([question])

    def close(self) -> None:
        """Release the embedded store (its folder lock) so another process, or a test, can open it."""
        close_backend(self.settings)
        self.sentences.close()


def build_services(settings: Settings) -> Services:
    backend = open_backend(settings)
    embedder = get_embedder(settings)  # one model per process and path, whoever asks
    analyzer = BM25Analyzer()
    sentences = SentenceVectorStore(sentence_store_path(settings.data_dir), embedder)
    indexer = Indexer(settings, backend, embedder, analyzer)
    search = SearchService(settings, backend, embedder, analyzer, sentences, translator=_translator(settings))
    if settings.warm_sentences:
        indexer.on_nodes.append(lambda nodes: sentences.warm(
            [(n.metadata.get("section") or "", n.get_content()) for n in nodes]))
    meter = EvidenceMeter(backend, settings.collection, embedder, analyzer, sentences)
    lock = WriteLock()
    return Services(
        settings=settings, backend=backend, embedder=embedder, analyzer=analyzer, sentences=sentences,
        indexer=indexer, search=search, answers=AnswerService(settings, search, meter, analyzer), lock=lock,
        catalogue=Catalogue(settings, indexer, lock), ingest=IngestQueue(settings, indexer, lock),
        feedback=FeedbackStore(feedback_path(settings)), conversations=ConversationStore(),
    )


def _translator(settings: Settings) -> QueryTranslator | None:
    """Only when asked for: building it loads the LLM (the local GGUF takes seconds and ~1.5 GB)."""
    llm = get_llm(settings) if settings.query_translation != "off" else None
    return QueryTranslator(llm) if llm is not None else None


def sentence_store_path(data_dir: Path) -> Path:
    return data_dir.resolve() / "cache" / "sentence-vectors.sqlite"
