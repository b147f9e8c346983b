"""The best-sentence re-ranking of hybrid hits, on hand-made sentence cosines (no model): its scoring rules."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search.service import SearchService
from core.contract import Hit
from core.settings import Settings
from index.analyzer import BM25Analyzer

QUESTION = "Quel pourcentage des recettes de TVA reviendra aux collectivités territoriales ?"
ON_TOPIC = "Les recettes fiscales progressent de 8 % en 2025 sous l'effet des réformes engagées."
ANSWER = "La part du produit de la TVA allouée aux collectivités territoriales passe de 30 % à 32 %."


class Cosines:
    """A sentence store whose sentences' cosines are given per passage text."""

    def __init__(self, cosines: dict[str, float]) -> None:
        self._cosines = cosines

    def cosines(self, passages, query):
        return [([text], np.array([self._cosines[text]], dtype=np.float32)) for _, text in passages]


def _hit(rank: int, text: str, score: float) -> Hit:
    return Hit(rank=rank, score=score, chunk_id=f"c{rank}", doc_id=f"d{rank}", file_name="note.docx", title="Note",
               doc_type="rapport", year=2025, language="fr", page=1, page_end=1, section="", text=text,
               quote_span=(0, len(text)))


@pytest.fixture(scope="module")
def analyzer() -> BM25Analyzer:
    return BM25Analyzer()


@pytest.mark.parametrize(("sentence_weight", "passage_weight", "first"),
                         [(0.15, 0.10, ANSWER), (0.15, 0.0, ANSWER), (0.0, 0.10, ANSWER), (0.0, 0.0, ON_TOPIC)])
def test_the_passage_whose_sentence_names_what_was_asked_goes_first(analyzer: BM25Analyzer, sentence_weight: float,
                                                                      passage_weight: float, first: str) -> None:
    """E5 puts a sentence on the subject a hair above the one that answers (real set: r18, the TVA share of local
    authorities); the question's words, counted in the sentence or in its passage, put the answer first."""
    settings = Settings(sentence_lexical_weight=sentence_weight, passage_lexical_weight=passage_weight,
                        sentence_candidates=2, sentence_rrf_k=2)
    service = SearchService(settings, backend=None, embedder=None, analyzer=analyzer,  # type: ignore[arg-type]
                            sentences=Cosines({ON_TOPIC: 0.874, ANSWER: 0.866}))
    hits = [_hit(1, ON_TOPIC, 0.5), _hit(2, ANSWER, 0.5)]  # tied in the fusion
    ranked = service._by_sentence(hits, QUESTION, [1.0, 0.0], "fr")
    assert ranked[0].text == first
    assert [h.rank for h in ranked] == [1, 2]
