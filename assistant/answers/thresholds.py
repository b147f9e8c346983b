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
    refuse_below_cosine: float = 0.0
    """Best dense cosine (question as query, passage as passage) under which the answer is refused outright."""
    confident_cosine: float = 1.0
    """Best dense cosine above which lexical coverage is not needed (cross-language questions share no terms)."""
    min_coverage: float = 0.0
    """Between the two cosines, the share of the question's content words the best passages must hold."""

    # -- extractive answers ----------------------------------------------------------------------------------------
    extract_margin: float = 0.0
    """A sentence joins the answer when its score is within this margin of the best sentence's."""
    lexical_weight: float = 0.0
    """Weight of lexical coverage next to the cosine in a sentence's score (both in 0-1)."""
    duplicate_cosine: float = 0.95
    """Two sentences this close (passage embeddings) say the same thing: the lower-scored one is dropped."""
    max_sentences: int = 3

    # -- guard: does the cited passage support the sentence? -----------------------------------------------------
    support_cosine: float = 1.0
    """Cosine (sentence as query, best sentence of the cited passage) at or above which the sentence is supported."""
    support_coverage: float = 1.0
    """Share of the sentence's content words found in the cited passage at or above which it is supported."""
    min_claim_terms: int = 3
    """Sentences with fewer content words ("Oui.", "In short:") carry no checkable claim and are not verified."""


DEFAULT_THRESHOLDS = Thresholds()
