"""AnswerService: question (+ history) -> standalone question -> hits -> evidence -> refusal or a cited answer.

One code path serves `answer` and `stream`: `answer` is the last item of `stream`. A stream yields text pieces
whose concatenation is exactly the final Answer's text, then the Answer itself (citations, counts), so the SSE
endpoint can send tokens then one final event. LLM text is streamed only once the guard has verified each
sentence, so nothing shown is ever withdrawn; when no sentence survives, the extractive answer replaces it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Literal

from llama_index.core.llms import LLM

from assistant.answers.conflicts import with_conflicts
from assistant.answers.conversation import Turn, question_language, standalone_question
from assistant.answers.evidence import Evidence, EvidenceMeter, PassageSentences, Source
from assistant.answers.extractive import Pick, compose, pick_sentences, quotes_in_reading_order
from assistant.answers.focus import missing_focus, names_all
from assistant.answers.guard import CitationGuard
from assistant.answers.llm import get_llm, stream_text
from assistant.answers.prompt import answer_messages, declined
from assistant.answers.refusal import refusal
from assistant.answers.thresholds import DEFAULT_THRESHOLDS, Thresholds
from assistant.search.service import SearchFilters, SearchService
from core.contract import Answer
from core.settings import Settings
from index.analyzer import BM25Analyzer

Strategy = Literal["extractive", "llm"]
STRATEGIES: tuple[Strategy, ...] = ("extractive", "llm")
DEFAULT_K = 8  # hits searched: refusal and the nearest documents look at all of them
# Passages an answer is drawn from. Extraction reads every hit (its sentence vectors are precomputed; on the real
# reports the evidence is in the cited passages for 0.60 of answers from 4, 0.69 from 8); the LLM reads fewer, as
# each passage costs it ~500 prompt tokens.
EXTRACT_SOURCES = 8
LLM_SOURCES = 4

log = logging.getLogger(__name__)


class StrategyUnavailable(ValueError):
    """The llm strategy was asked for but MIZAN_LLM is "none"."""


class AnswerService:
    """Created once per process by `build_services`, over its search, evidence meter and analyzer."""

    def __init__(
        self, settings: Settings, search: SearchService, meter: EvidenceMeter, analyzer: BM25Analyzer,
        llm: LLM | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        """`llm`: injected (tests, a custom backend); by default the process-wide one of `settings`, on first use."""
        self.settings = settings
        self.search = search
        self.meter = meter
        self.analyzer = analyzer
        self.thresholds = thresholds
        self._llm = llm

    def with_llm(self, llm: LLM | None) -> AnswerService:
        """The same search and evidence meter (its sentence cache too), answering with another LLM (tests, eval)."""
        return AnswerService(self.settings, self.search, self.meter, self.analyzer, llm=llm, thresholds=self.thresholds)

    @property
    def llm(self) -> LLM | None:
        return self._llm if self._llm is not None else get_llm(self.settings)

    def answer(
        self, question: str, *, history: Sequence[Turn] | None = None, filters: SearchFilters | None = None,
        strategy: Strategy | None = None, k: int = DEFAULT_K,
    ) -> Answer:
        *_, final = self.stream(question, history=history, filters=filters, strategy=strategy, k=k)
        assert isinstance(final, Answer)
        return final

    def stream(
        self, question: str, *, history: Sequence[Turn] | None = None, filters: SearchFilters | None = None,
        strategy: Strategy | None = None, k: int = DEFAULT_K,
    ) -> Iterator[str | Answer]:
        """Text pieces, then the Answer. `strategy` None: llm when one is configured, else extractive."""
        llm = self._llm_for(strategy)
        history = history or []
        language = question_language(question, history)
        standalone = standalone_question(question, history, self.analyzer, llm)
        # Embedded once: the search's dense list and the evidence's cosines use the same vector.
        vector = self.meter.embedder.embed_queries([standalone])[0]
        hits = self.search.search(standalone, k=k, filters=filters, query_vector=vector.tolist(), with_vectors=True)
        evidence = self.meter.measure(standalone, hits, vector, expansion=self.search.expansion(standalone))
        chosen = "llm" if llm is not None else "extractive"
        if evidence.is_weak(self.thresholds):
            yield from _pieces(refusal(language, evidence, strategy=chosen, standalone_question=standalone))
            return
        # A question naming a place or a programme in capitals is answered from the passages that name it, when
        # any does: an English summary ranks above the French page naming "DDCTD" for an English question.
        focused = [s for s in evidence.sources if names_all(standalone, [s.hit.text, s.hit.section, s.hit.title])]
        sources = (focused or evidence.sources)[:LLM_SOURCES if llm is not None else EXTRACT_SOURCES]
        passages = self.meter.sentences(sources)
        picks = pick_sentences(evidence, passages, self.analyzer, self.thresholds)
        gap = missing_focus(standalone, [p.sentence.text for p in picks],
                            [text for p in picks for text in (sources[p.source].hit.section, sources[p.source].hit.title)],
                            [sources[p.source].hit.text for p in picks], [sources[p.source].hit.year for p in picks])
        if gap is not None:  # the closest passages are on the subject but lack the year or the figures for women
            yield from _pieces(refusal(language, evidence, strategy=chosen, standalone_question=standalone, gap=gap))
            return
        if llm is None:
            yield from _pieces(self._extractive(language, evidence, sources, passages, standalone, picks))
        else:
            yield from self._generated(llm, language, evidence, sources, passages, standalone, picks)

    def _llm_for(self, strategy: Strategy | None) -> LLM | None:
        if strategy not in (None, *STRATEGIES):
            raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
        if strategy == "extractive":
            return None
        llm = self.llm
        if strategy == "llm" and llm is None:
            raise StrategyUnavailable("the llm strategy needs MIZAN_LLM=llamacpp or MIZAN_LLM=openai")
        return llm

    def _extractive(
        self, language: str, evidence: Evidence, sources: list[Source], passages: list[PassageSentences],
        standalone: str, picks: list[Pick],
    ) -> Answer:
        if not picks:  # passages of headings and fragments only
            return refusal(language, evidence, strategy="extractive", standalone_question=standalone)
        quotes = quotes_in_reading_order(picks)
        text, citations = compose(language, quotes, sources)
        text, citations, conflicts = with_conflicts(language, text, citations, evidence, sources, passages, quotes,
                                                    self.analyzer)
        return Answer(
            text=text, language=language, citations=citations, strategy="extractive", standalone_question=standalone,
            conflicts=conflicts,
        )

    def _generated(
        self, llm: LLM, language: str, evidence: Evidence, sources: list[Source], passages: list[PassageSentences],
        standalone: str, picks: list[Pick],
    ) -> Iterator[str | Answer]:
        """`picks`: the extractive answer's sentences, quoted instead when no generated sentence survives."""
        guard = CitationGuard(
            evidence.terms, language, sources, passages, self.meter.embedder, self.analyzer, self.thresholds
        )
        try:
            for delta in stream_text(llm, answer_messages(standalone, language, evidence, sources, passages)):
                verified = guard.feed(delta)
                if verified:
                    yield verified
        except Exception:  # model server down or failing mid-answer: keep what was verified, else fall back below
            log.warning("the language model failed while answering; keeping the verified part", exc_info=True)
        rest = guard.finish()
        if rest:
            yield rest
        counts = guard.counts
        if guard.supported:
            yield Answer(
                text=guard.text, language=language, citations=guard.citations(), strategy="llm",
                standalone_question=standalone, removed_citations=counts.removed_citations,
                unsupported_sentences=counts.unsupported_sentences,
                wrong_language_sentences=counts.wrong_language_sentences,
            )
            return
        said_no = declined(guard.raw)  # the model found no answer in the sources: a refusal, not a fallback
        replacement = (
            refusal(language, evidence, strategy="llm", standalone_question=standalone) if said_no
            else self._extractive(language, evidence, sources, passages, standalone, picks)
        )
        yield from _pieces(replacement.model_copy(update={
            "fallback": not said_no,
            "removed_citations": counts.removed_citations,
            "unsupported_sentences": counts.unsupported_sentences,
            "wrong_language_sentences": counts.wrong_language_sentences,
        }))


def _pieces(answer: Answer) -> Iterator[str | Answer]:
    """An answer written at once, streamed line by line like generated text would be."""
    lines = answer.text.split("\n")
    for i, line in enumerate(lines):
        yield line if i == len(lines) - 1 else line + "\n"
    yield answer
