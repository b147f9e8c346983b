"""Which sentences an extractive answer quotes, on hand-made vectors (no model): the scoring rules themselves."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from assistant.answers.evidence import Evidence, PassageSentences
from assistant.answers.extractive import pick_sentences
from assistant.answers.thresholds import DEFAULT_THRESHOLDS
from index.analyzer import BM25Analyzer
from index.lexical import terms_of
from index.sentences import Sentence

QUESTION = "What other names are tax expenditures sometimes given by the report?"
ENGLISH = "The brief describes the Moroccan approach in three points."
FRENCH = "Ces dérogations peuvent revêtir d'autres dénominations telles que subventions ou niches fiscales."


def _unit(cosine: float) -> np.ndarray:
    """A 2-d unit vector at `cosine` from (1, 0), the question's."""
    return np.array([cosine, math.sqrt(1 - cosine * cosine)], dtype=np.float32)


def _passage(text: str, cosine: float, language: str) -> PassageSentences:
    return PassageSentences([Sentence(0, len(text), text)], [text], np.stack([_unit(cosine)]), language)


@pytest.fixture(scope="module")
def analyzer() -> BM25Analyzer:
    return BM25Analyzer()


@pytest.mark.parametrize(("bonus", "first"), [(0.03, FRENCH), (0.0, ENGLISH)])
def test_a_sentence_across_languages_gets_the_cosine_e5_takes_from_it(analyzer: BM25Analyzer, bonus: float,
                                                                      first: str) -> None:
    """An English question about French reports: the English brief's sentence sits 0.02 closer only because it is
    English; with the bonus the French sentence that answers is quoted first (real set: r05, r41)."""
    evidence = Evidence(QUESTION, np.array([1.0, 0.0], dtype=np.float32), terms_of(analyzer, QUESTION), [])
    passages = [_passage(ENGLISH, 0.85, "en"), _passage(FRENCH, 0.83, "fr")]
    thresholds = replace(DEFAULT_THRESHOLDS, cross_language_bonus=bonus, extract_margin=0.0)
    picks = pick_sentences(evidence, passages, analyzer, thresholds)
    assert picks[0].sentence.text == first


def test_a_refusal_names_the_word_section_of_its_nearest_documents() -> None:
    """A Word file has no pages: the nearest documents are cited as its citations are, by section and heading."""
    from assistant.answers.evidence import Source
    from assistant.answers.refusal import refusal
    from core.contract import Hit

    def hit(doc: str, file: str, page: int, locator: str) -> Hit:
        return Hit(rank=1, score=0.0, chunk_id=doc, doc_id=doc, file_name=file, title=doc, doc_type="rapport",
                   year=2025, language="fr", page=page, page_end=page, section="", text="…", quote_span=(0, 1),
                   locator=locator)

    sources = [Source(hit("note", "note.docx", 43, "Titre III › Politiques sociales"), np.zeros(2), 0.82, frozenset()),
               Source(hit("guide", "guide.pdf", 7, ""), np.zeros(2), 0.81, frozenset())]
    evidence = Evidence("Quel objectif ?", np.zeros(2), frozenset(), sources)
    text = refusal("fr", evidence, strategy="extractive", standalone_question="Quel objectif ?").text
    assert "(note.docx, § 43 Titre III › Politiques sociales)" in text
    assert "(guide.pdf, p. 7)" in text


def test_a_sentence_naming_the_asked_place_is_preferred(analyzer: BM25Analyzer) -> None:
    """A regional report lists every region's figure side by side: the one naming the region asked about (here in
    Arabic, the passages in French) answers, even a little further from the question (real set: r52)."""
    question = "ما هو حجم استثمارات المؤسسات العمومية المبرمجة سنة 2025 بجهة الداخلة-وادي الذهب؟"
    other = "Investissement 2025 de la Région Casablanca - Settat : 44.012 MDH."
    asked = "Investissement 2025 de la Région Dakhla - Oued Ed-Dahab : 1.146 MDH."
    evidence = Evidence(question, np.array([1.0, 0.0], dtype=np.float32), terms_of(analyzer, question), [])
    passages = [_passage(other, 0.845, "fr"), _passage(asked, 0.835, "fr")]
    for bonus, first in ((0.02, asked), (0.0, other)):
        thresholds = replace(DEFAULT_THRESHOLDS, place_bonus=bonus, extract_margin=0.0)
        assert pick_sentences(evidence, passages, analyzer, thresholds)[0].sentence.text == first


def test_an_arabic_question_is_credited_with_the_glossarys_french_words(analyzer: BM25Analyzer) -> None:
    """"الحج" shares no word with "pèlerinage": through the glossary, as search bridges it, the French sentence that
    names the Hajj fees wins over a closer one on tax figures (real set: r66)."""
    from index.glossary import get_glossary

    question = "ما هو مبلغ مصاريف الحج الذي تم تحديده لموسم 2024؟"
    expansion = get_glossary(analyzer).expansion(question, "ar")
    assert "pèlerinage" in expansion
    figures = "Ces mesures représentent en termes de coût 98 % des dépenses fiscales constatées en 2024."
    hajj = "La fixation des frais du pèlerinage à hauteur de 66.865,50 dirhams pour la saison 2024."
    plain = Evidence(question, np.array([1.0, 0.0], dtype=np.float32), terms_of(analyzer, question), [])
    bridged = replace(plain, bridged_terms=terms_of(analyzer, f"{question}\n{expansion}"))
    passages = [_passage(figures, 0.830, "fr"), _passage(hajj, 0.826, "fr")]
    thresholds = replace(DEFAULT_THRESHOLDS, extract_margin=0.0)
    assert pick_sentences(plain, passages, analyzer, thresholds)[0].sentence.text == figures
    assert pick_sentences(bridged, passages, analyzer, thresholds)[0].sentence.text == hajj
