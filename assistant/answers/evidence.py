"""How well the retrieved passages match the question, measured on scales that mean the same for every query.

Hybrid search ranks by RRF, whose scores only encode ranks, so they cannot say "nothing relevant was found".
The dense cosine between the question and each passage can: it is recomputed here from the passage vectors the
search returned with its hits and the question vector the search used (nothing is embedded again), next to the
share of the question's words a passage holds. The meter also splits the best passages into sentences and embeds
them, once, for extraction and the guard to share.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache

from assistant.answers.thresholds import Thresholds
from assistant.search.service import Hit
from index.analyzer import BM25Analyzer
from index.backends.base import VectorBackend
from index.embedder import Embedder
from index.lexical import Terms, coverage, missing_numbers, passage_terms, terms_of
from index.sentence_store import SentenceVectorStore, in_context
from index.sentences import Sentence, split_passage
from ingest.language import detect_language, other_language

SENTENCE_CACHE = 512  # passages whose embedded sentences are kept (~40 kB each)


@dataclass(frozen=True)
class Source:
    """A retrieved passage as the strategies see it."""

    hit: Hit
    vector: np.ndarray  # the passage embedding stored in the index
    cosine: float  # with the question
    terms: Terms


@dataclass(frozen=True)
class PassageSentences:
    sentences: list[Sentence]
    contexts: list[str]  # what was embedded for each sentence: the sentence under its heading
    vectors: np.ndarray  # one passage embedding per sentence
    language: str = ""  # the passage's, as detected at ingest


@dataclass(frozen=True)
class Evidence:
    question: str
    vector: np.ndarray
    terms: Terms
    sources: list[Source]  # in search rank order
    bridged_terms: Terms | None = None  # `terms` with the glossary's French forms of an English or Arabic question

    @property
    def extraction_terms(self) -> Terms:
        """The words a quoted sentence is credited for holding: a question's own, and the French forms the glossary
        gives its terms ("الحج" -> "pèlerinage"), as search used them; without these an Arabic question shares no
        word with the French sentence that answers it. Refusal keeps `terms`: a French form is no evidence that the
        question's own words were found."""
        return self.bridged_terms if self.bridged_terms is not None else self.terms

    @property
    def best_cosine(self) -> float:
        return max((s.cosine for s in self.sources), default=0.0)

    @property
    def best_coverage(self) -> float:
        """Share of the question's words found in the passage that holds most of them."""
        return max((coverage(self.terms, s.terms) for s in self.sources), default=0.0)

    @property
    def cross_language(self) -> bool:
        """The question is in another language than the passage closest to it (an English question, French pages)."""
        if not self.sources:
            return False
        best = max(self.sources, key=lambda s: s.cosine)
        return other_language(best.hit.language, detect_language(self.question))

    def is_weak(self, thresholds: Thresholds) -> bool:
        """Too far from the question (cosine, then words), or asking about a number (a year) no passage holds.

        The number test catches what cosines cannot: "crédits pour l'égalité en 2024" sits as close to the
        corpus as an answerable question, but no retrieved passage or title says 2024. Across languages, cosines
        run lower and words cannot match, so only the cross-language cosine floor applies.
        """
        best = self.best_cosine
        if self.cross_language:
            if best < thresholds.refuse_below_cosine_cross:
                return True
        elif best < thresholds.refuse_below_cosine:
            return True
        elif best < thresholds.confident_cosine and self.best_coverage < thresholds.min_coverage:
            return True
        return bool(missing_numbers(self.terms, frozenset().union(*(s.terms.all for s in self.sources))))


class EvidenceMeter:
    """Created once per process with the shared embedder, analyzer and vector backend."""

    def __init__(self, backend: VectorBackend, collection: str, embedder: Embedder, analyzer: BM25Analyzer,
                 store: SentenceVectorStore) -> None:
        self.backend = backend
        self.collection = collection
        self.embedder = embedder
        self.analyzer = analyzer
        self.store = store
        self._sentences: LRUCache[tuple[str, str, str], PassageSentences] = LRUCache(maxsize=SENTENCE_CACHE)
        self._lock = threading.Lock()

    def measure(self, question: str, hits: list[Hit], vector: np.ndarray | None = None, expansion: str = "") -> Evidence:
        """`vector`: the question's embedding, as the search used it (embedded here when not given); hits searched
        `with_vectors` bring their passage vectors, others are read from the store. `expansion`: the glossary's
        French forms of the question's terms (SearchService.expansion)."""
        vector = self.embedder.embed_queries([question])[0] if vector is None else vector
        passages = self._passage_vectors(hits)
        sources = [
            Source(hit=hit, vector=passage, cosine=float(passage @ vector), terms=self._terms(hit))
            for hit, passage in zip(hits, passages)
        ]
        return Evidence(question=question, vector=vector, terms=terms_of(self.analyzer, question), sources=sources,
                        bridged_terms=terms_of(self.analyzer, f"{question}\n{expansion}") if expansion else None)

    def sentences(self, sources: list[Source]) -> list[PassageSentences]:
        """The sentences of each source, embedded as passages in one batch (extraction and the guard share them).

        Each sentence is embedded under its heading ("Nos systèmes n'enregistrent pas le sexe. Que faire ? —
        Conservez l'indicateur global..."): an FAQ answer or a list item means little without its title, and on
        the dev set this lifts the evidence sentence to first place for 19 questions instead of 14.

        Embedding them would be most of an extractive answer's time (~80 sentences, ~1.7 s on one busy core): their
        vectors come from the sentence store, filled at ingest (`warm_sentences`), and the last SENTENCE_CACHE
        passages are also kept in memory, split and stacked.
        """
        keys = [(s.hit.chunk_id, s.hit.section, s.hit.text) for s in sources]
        languages = {s.hit.chunk_id: s.hit.language for s in sources}
        with self._lock:
            known = {key: self._sentences[key] for key in keys if key in self._sentences}
        missing = list(dict.fromkeys(key for key in keys if key not in known))
        split = [split_passage(text) for _, _, text in missing]
        contexts = [in_context(sentences, section) for sentences, (_, section, _) in zip(split, missing)]
        vectors = self.store.vectors([text for texts in contexts for text in texts])
        row = 0
        for key, sentences, texts in zip(missing, split, contexts):
            known[key] = PassageSentences(sentences, texts, vectors[row:row + len(sentences)], languages[key[0]])
            row += len(sentences)
        with self._lock:
            for key in keys:
                self._sentences[key] = known[key]  # the most recently used; the least is dropped past SENTENCE_CACHE
        return [known[key] for key in keys]

    def _terms(self, hit: Hit) -> Terms:
        """The passage's words and its document title's: "le rapport 2025" is answered by a passage of that report."""
        return passage_terms(self.analyzer, hit.title, hit.text)

    def _passage_vectors(self, hits: list[Hit]) -> list[np.ndarray]:
        stored = {h.chunk_id: h.vector for h in hits if h.vector is not None}
        unread = [h.chunk_id for h in hits if h.vector is None]
        if unread:
            points = self.backend.retrieve(self.collection, unread, with_vectors=True)
            stored.update({p.id: p.vector for p in points if p.vector is not None})
        missing = [h.text for h in hits if h.chunk_id not in stored]
        # only if the point vanished since the search
        embedded = iter(self.embedder.embed_passages(missing) if missing else [])
        return [
            _unit(np.asarray(stored[h.chunk_id], dtype=np.float32)) if h.chunk_id in stored else next(embedded)
            for h in hits
        ]


def _unit(vector: np.ndarray) -> np.ndarray:
    """Qdrant normalises vectors of a cosine collection, but a server may return them as stored: normalise anyway."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
