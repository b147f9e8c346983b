"""The numbers that decide refusal, extraction and citation support, in one place.

They are settings-like: calibrated on evaluation/questions/sample.jsonl (scores from `mizan evaluate`-style runs
over the sample corpus) and meant to be re-calibrated when the embedding model or the corpus changes. E5 cosines
sit in a narrow band (unrelated French passages ~0.75, a paraphrase ~0.9), so every cosine threshold here was
read off measured distributions, never guessed from a 0-1 intuition.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    # -- refusal: is there evidence at all? ----------------------------------------------------------------------
    refuse_below_cosine: float = 0.80
    """Best dense cosine (question as query, passage as passage) under which the answer is refused outright.

    Dev set: answerable questions 0.80-0.93 (the one at 0.799 had its evidence at rank 6); off-topic questions
    ("capital of Australia", "install Python") 0.71-0.80."""
    confident_cosine: float = 0.85
    """Best cosine from which lexical coverage is not needed (cross-language questions share no words)."""
    min_coverage: float = 0.4
    """Between the two cosines, the share of the question's content words the best passage must hold.

    Off-topic French questions reach cosines of 0.81-0.85 ("symptômes de la grippe" 0.84) but hold at most a
    third of their words in any passage; the answerable ones in that band hold 0.4-1."""

    # -- extractive answers ----------------------------------------------------------------------------------------
    lexical_weight: float = 0.0
    """Weight of the question's lexical coverage next to the cosine in a sentence's score (both in 0-1)."""
    extract_margin: float = 0.0
    """A sentence joins the answer when its score is within this margin of the best sentence's."""
    duplicate_cosine: float = 0.95
    """Two sentences this close (passage embeddings) say the same thing: the lower-scored one is dropped."""
    max_sentences: int = 3

    # -- guard: does the cited passage support the sentence? -----------------------------------------------------
    support_coverage_weight: float = 0.15
    """Support score = best cosine (sentence as query, a sentence of the cited passage) + this × the share of the
    sentence's words found in the passage."""
    support_score: float = 0.975
    """Support threshold when sentence and passage share a language. Dev set (52 reference-answer sentences vs
    their evidence passage, 119 passages retrieved for the question but from other documents, 88 random): 93%
    of true pairs pass, 8% of the retrieved non-evidence and 5% of the random ones do."""
    support_cross_language: float = 0.87
    """Support threshold across languages (an English answer citing a French passage): words cannot match and
    cosines run ~0.03 lower. Dev set (few pairs: 9 true, 88 false): ~60% of true pairs pass, 15% of hard and
    none of the random false ones."""
    min_claim_terms: int = 3
    """Sentences with fewer content words ("Oui.", "In short:") carry no checkable claim and are not verified."""


DEFAULT_THRESHOLDS = Thresholds()
