"""The offline answer: the sentences of the top passages that best answer the question, quoted and cited.

A sentence's score is its dense cosine to the question (E5, question as query, sentence as passage: what the
model was trained for) plus a little lexical coverage of the question's words, which breaks the ties E5's narrow
cosine band leaves between a sentence that names the asked-about thing and one that is merely on topic. Sentences
are embedded under their heading (see EvidenceMeter.sentences); headings and questions (FAQ titles) themselves
are never quoted as answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answers import labels
from assistant.answers.citations import citation
from assistant.answers.evidence import Evidence, PassageSentences, Source
from assistant.answers.places import named_places, names
from assistant.answers.quotable import answer_kind, holds_kind, is_quotable
from assistant.answers.thresholds import Thresholds
from core.contract import Citation
from index.analyzer import BM25Analyzer
from index.lexical import Terms, coverage, terms_of
from index.sentences import LIST_ITEM, QUESTION_ENDS, Sentence
from ingest.language import detect_language, other_language

LIST_ITEMS = 6  # items quoted after a sentence ending with a colon


@dataclass(frozen=True)
class Pick:
    source: int  # index in the sources given to `pick_sentences`
    sentence: Sentence
    position: int  # index of the sentence in its passage
    score: float


@dataclass(frozen=True)
class Quote:
    """Consecutive picked sentences of one passage, quoted together under one citation."""

    source: int
    spans: list[tuple[int, int]]
    text: str


def pick_sentences(
    evidence: Evidence, passages: list[PassageSentences], analyzer: BM25Analyzer, thresholds: Thresholds,
) -> list[Pick]:
    """The best sentences (at most `max_sentences`, near-duplicates dropped), then the items of a list one announces."""
    candidates: list[tuple[Pick, Terms]] = []
    kind = answer_kind(evidence.question)
    language = detect_language(evidence.question)
    asked = named_places(evidence.question)
    terms = evidence.extraction_terms
    for index, passage in enumerate(passages):
        cosines = passage.vectors @ evidence.vector if len(passage.sentences) else np.zeros(0)
        bonus = thresholds.cross_language_bonus if other_language(passage.language, language) else 0.0
        for position, (sentence, cosine) in enumerate(zip(passage.sentences, cosines)):
            words = terms_of(analyzer, sentence.text)
            if not _claim(sentence, words, thresholds):
                continue
            context = terms_of(analyzer, passage.contexts[position])
            score = float(cosine) + bonus + thresholds.lexical_weight * coverage(terms, context)
            score += thresholds.kind_bonus if holds_kind(sentence.text, kind) else 0.0
            if asked and all(names(place, [sentence.text]) for place in asked):
                score += thresholds.place_bonus
            candidates.append((Pick(index, sentence, position, score), words))
    candidates.sort(key=lambda c: c[0].score, reverse=True)
    picked: list[tuple[Pick, Terms]] = []
    for pick, words in candidates:
        if len(picked) == thresholds.max_sentences or pick.score < candidates[0][0].score - thresholds.extract_margin:
            break
        if all(_overlap(words, other) < thresholds.duplicate_overlap for _, other in picked):
            picked.append((pick, words))
    return _with_context(_with_list_items([pick for pick, _ in picked], passages), passages, analyzer, thresholds)


def _claim(sentence: Sentence, words: Terms, thresholds: Thresholds) -> bool:
    """A sentence that states something and may be quoted: no heading, question, footnote, caption or markup."""
    return (not sentence.heading and not sentence.text.endswith(QUESTION_ENDS)
            and len(words) >= thresholds.min_claim_terms and is_quotable(sentence.text))


def _with_context(picks: list[Pick], passages: list[PassageSentences], analyzer: BM25Analyzer,
                  thresholds: Thresholds) -> list[Pick]:
    """Each picked sentence with the one before it, so that "it rose to 19 %" says what rose."""
    taken = {(p.source, p.position) for p in picks}
    extended = list(picks)
    for pick in picks:
        position = pick.position - 1
        if position < 0 or (pick.source, position) in taken:
            continue
        before = passages[pick.source].sentences[position]
        if _claim(before, terms_of(analyzer, before.text), thresholds):
            taken.add((pick.source, position))
            extended.append(Pick(pick.source, before, position, pick.score))
    return extended


def _overlap(a: Terms, b: Terms) -> float:
    """Share of the shorter sentence's words found in the other (1.0: it says nothing the other does not)."""
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return coverage(shorter, longer)


def _with_list_items(picks: list[Pick], passages: list[PassageSentences]) -> list[Pick]:
    """A picked sentence announcing a list ("… les éléments suivants :") brings the list's items along."""
    taken = {(p.source, p.position) for p in picks}
    extended = list(picks)
    for pick in picks:
        if not pick.sentence.text.endswith(":"):
            continue
        sentences = passages[pick.source].sentences
        for position in range(pick.position + 1, min(pick.position + 1 + LIST_ITEMS, len(sentences))):
            if sentences[position].heading and not LIST_ITEM.match(sentences[position].text):
                break
            if (pick.source, position) not in taken:
                taken.add((pick.source, position))
                extended.append(Pick(pick.source, sentences[position], position, pick.score))
    return extended


def quotes_in_reading_order(picks: list[Pick]) -> list[Quote]:
    """Passages in the order of their best pick; inside a passage, its sentences in text order, runs merged."""
    order = list(dict.fromkeys(p.source for p in picks))
    quotes = []
    for source in order:
        mine = sorted((p for p in picks if p.source == source), key=lambda p: p.position)
        run = [mine[0]]
        for pick in mine[1:]:
            if pick.position == run[-1].position + 1:
                run.append(pick)
            else:
                quotes.append(_quote(source, run))
                run = [pick]
        quotes.append(_quote(source, run))
    return quotes


def compose(language: str, quotes: list[Quote], sources: list[Source]) -> tuple[str, list[Citation]]:
    """The answer text (labels in `language`, quotes as written) and its citations numbered in reading order."""
    opening, closing = labels.QUOTES.get(language, labels.QUOTES["en"])
    foreign = {labels.quoted_in(language, sources[q.source].hit.language) for q in quotes}
    shared_note = foreign.pop() if len(foreign) == 1 else None  # every quote in one other language: say it once
    lines = [labels.heading(labels.EXTRACTIVE_INTRO[language], language, shared_note)]
    citations = []
    for n, quote in enumerate(quotes, start=1):
        note = None if shared_note else labels.quoted_in(language, sources[quote.source].hit.language)
        lines.append(f"- {opening}{quote.text}{closing} [{n}]" + (f" ({note})" if note else ""))
        citations.append(citation(n, sources[quote.source], quote.spans))
    return "\n".join(lines), citations


def _quote(source: int, run: list[Pick]) -> Quote:
    return Quote(source, [(run[0].sentence.start, run[-1].sentence.end)], " ".join(p.sentence.text for p in run))
