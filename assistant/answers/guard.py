"""The citation guard: only sentences supported by the passages they cite reach the user.

Small local models invent citation numbers, cite the wrong passage, forget to cite, or slip into another
language. The guard reads the model's output sentence by sentence as it streams and, for each one:

- removes markers naming no provided source (counted in `removed_citations`);
- drops a sentence in another language than the question's (`wrong_language_sentences`);
- drops a claim that cites nothing, or whose cited passages do not support it (`unsupported_sentences`).
  Support: best cosine between the sentence (as a query) and a sentence of the cited passage, plus a share of
  the words the sentence adds to the question that the passage holds, over a threshold (a lower one across
  languages, where words cannot match). Words taken from the question earn nothing: "Le CE-BSG doit s'assurer
  que le genre est pris en compte dans les indicateurs" restates the question around a wrong subject. And
  every number in the sentence must appear in a cited passage: invented figures are the costliest error in
  budget documents;
- renumbers the surviving markers 1, 2, ... in order of first use, and quotes the passage sentence that
  supported each claim.

Sentences with too few content words to hold a claim ("Non.", "In short:") pass unchecked, but only in front of
a supported sentence. What is emitted is final: the stream never shows text the guard later withdraws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answers.citations import citation, format_marker, marker_numbers, strip_markers
from assistant.answers.evidence import PassageSentences, Source
from assistant.answers.thresholds import Thresholds
from core.contract import Citation
from index.analyzer import BM25Analyzer
from index.embedder import Embedder
from index.lexical import Terms, coverage, missing_numbers, terms_of, without
from index.sentences import TERMINAL, complete_prefix, split_generated
from ingest.language import UNDETERMINED, detect_language


@dataclass
class GuardCounts:
    removed_citations: int = 0
    unsupported_sentences: int = 0
    wrong_language_sentences: int = 0


@dataclass
class _Cited:
    n: int
    spans: set[tuple[int, int]] = field(default_factory=set)


class CitationGuard:
    """Verifies one generated answer; feed it the model's text as it comes, emit what it returns."""

    def __init__(
        self, question: Terms, language: str, sources: list[Source], passages: list[PassageSentences],
        embedder: Embedder, analyzer: BM25Analyzer, thresholds: Thresholds,
    ) -> None:
        self.question = question
        self.language = language
        self.sources = sources
        self.passages = passages
        self.embedder = embedder
        self.analyzer = analyzer
        self.thresholds = thresholds
        self.counts = GuardCounts()
        self.raw = ""  # everything the model wrote
        self.text = ""  # everything emitted
        self._checked = 0  # raw[:_checked] has been verified
        self._last_end = 0  # end of the last sentence read, to see whether the next one starts a new line
        self._pending: list[tuple[str, str]] = []  # claim-less sentences (with separator) awaiting a supported one
        self._cited: dict[int, _Cited] = {}  # source index -> its citation so far

    @property
    def supported(self) -> bool:
        return bool(self._cited)

    def feed(self, delta: str) -> str:
        self.raw += delta
        return self._verify(self._checked + complete_prefix(self.raw[self._checked:]))

    def finish(self) -> str:
        return self._verify(len(self.raw))

    def citations(self) -> list[Citation]:
        return sorted(
            (citation(c.n, self.sources[index], list(c.spans)) for index, c in self._cited.items()),
            key=lambda c: c.n,
        )

    def _verify(self, end: int) -> str:
        emitted = []
        for sentence in split_generated(self.raw[self._checked:end]):
            start = self._checked + sentence.start
            separator = "\n" if "\n" in self.raw[self._last_end:start] else " "
            self._last_end = self._checked + sentence.end
            checked = self._check(sentence.text, separator)
            if checked is None:
                continue
            for separator, piece in [*self._pending, (separator, checked)]:
                emitted.append((separator if self.text or emitted else "") + piece)
            self._pending = []
        self._checked = end
        chunk = "".join(emitted)
        self.text += chunk
        return chunk

    def _check(self, text: str, separator: str) -> str | None:
        """The sentence as it should be shown (markers renumbered), or None when it is dropped or held back."""
        cited = marker_numbers(text)
        valid = list(dict.fromkeys(n for n in cited if 1 <= n <= len(self.sources)))
        self.counts.removed_citations += sum(1 for n in cited if not 1 <= n <= len(self.sources))
        claim = strip_markers(text)
        words = terms_of(self.analyzer, claim)
        if not valid and len(words) < self.thresholds.min_claim_terms:
            if claim:
                self._pending.append((separator, claim))
            return None
        if detect_language(claim) not in (UNDETERMINED, self.language):
            self.counts.wrong_language_sentences += 1
            return None
        supporting = self._supporting([n - 1 for n in valid], claim, words) if valid else {}
        if not supporting:
            self.counts.unsupported_sentences += 1
            return None
        numbers = [self._cite(index, span) for index, span in supporting.items()]
        return _with_marker(claim, format_marker(numbers))

    def _supporting(self, indexes: list[int], claim: str, words: Terms) -> dict[int, tuple[int, int]]:
        """Cited sources that support the claim, each with the span of its sentence that does."""
        vector = self.embedder.embed_queries([claim])[0]
        added = without(words, self.question)
        found = {}
        for index in indexes:
            source, passage = self.sources[index], self.passages[index]
            if not len(passage.sentences):
                continue
            cosines = passage.vectors @ vector
            best = int(np.argmax(cosines))
            threshold = (
                self.thresholds.support_cross_language
                if source.hit.language not in (self.language, UNDETERMINED) else self.thresholds.support_score
            )
            overlap = coverage(added, source.terms) if added.words else 0.0
            score = float(cosines[best]) + self.thresholds.support_coverage_weight * overlap
            if score >= threshold:
                found[index] = (passage.sentences[best].start, passage.sentences[best].end)
        held = frozenset().union(*(self.sources[i].terms.all for i in found))
        return {} if missing_numbers(words, held) else found

    def _cite(self, index: int, span: tuple[int, int]) -> int:
        cited = self._cited.setdefault(index, _Cited(n=len(self._cited) + 1))
        cited.spans.add(span)
        return cited.n


def _with_marker(claim: str, marker: str) -> str:
    """"... en 2002." + "[1]" -> "... en 2002 [1].": the marker goes before the sentence's final punctuation."""
    body = claim.rstrip(TERMINAL)
    return f"{body} {marker}{claim[len(body):]}" if body else f"{claim} {marker}"
