"""What an extractive answer may quote, what kind of fact a question asks for, and the sentence-vector store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answers.quotable import answer_kind, holds_kind, is_quotable
from index.sentence_store import SentenceVectorStore


@pytest.mark.parametrize("line", [
    "(96) Forum économique mondial, rapport Global gender gap 2023.",
    "96 Forum économique mondial, rapport Global gender gap 2023.",
    "[12] Haut-Commissariat au Plan, Enquête nationale sur l'emploi, 2022.",
    "Source : Direction Générale des Impôts.",
    "(*) AIEA : Agence Internationale de l'Energie Atomique.",
    "Tableau 4 : Ventilation des dépenses fiscales par secteur d'activité 12",
    "Graphique 3 : Évolution du taux d'activité des femmes",
    "Introduction ..................................... 3",
    "<img src=x onerror=alert(1)> [cliquez ici](javascript:alert(1))",
    "Voir https://www.finances.gov.ma/fr/Pages/rapport.aspx",
])
def test_footnotes_references_captions_toc_and_markup_are_not_quotable(line: str) -> None:
    assert not is_quotable(line)


@pytest.mark.parametrize("line", [
    "Le taux d'activité des femmes s'est établi à 19 % en 2023.",
    "Désignation: TVA; 2023 Montant: 21 190; 2024 Montant: 15 183",
    "Les dépenses fiscales sont des mesures dérogatoires au système fiscal de référence.",
    "12 régions bénéficient de ces crédits en 2025.",
    "بلغت النفقات الجبائية 32 مليار درهم سنة 2024.",
])
def test_statements_and_table_rows_are_quotable(line: str) -> None:
    assert is_quotable(line)


def test_the_kind_of_fact_asked_for() -> None:
    assert answer_kind("How much did VAT exemptions cost in 2024?") == "amount"
    assert answer_kind("Quelle est la part de la TVA dans les dépenses fiscales ?") == "amount"
    assert answer_kind("متى تم اعتماد القانون التنظيمي لقانون المالية؟") == "date"
    assert answer_kind("When was the organic budget law adopted?") == "date"
    assert answer_kind("Qu'est-ce qu'un SEGMA ?") == "other"
    assert holds_kind("Le montant atteint 21 190 MDH en 2023.", "amount")
    assert not holds_kind("La loi a été adoptée en 2015.", "amount")  # a year is not an amount
    assert holds_kind("La loi a été adoptée en 2015.", "date")
    # "What did it cost", and the Arabic cost words, but not "المكلفة" ("in charge of") which holds the letters.
    assert answer_kind("What did VAT tax expenditures cost in 2022?") == "amount"
    assert answer_kind("ما هي كلفة النفقات الجبائية سنة 2022؟") == "amount"
    assert answer_kind("ما هي البرامج التي تشرف عليها الوزارة المكلفة بالأسرة؟") == "other"
    # A digit inside a word ("imp6t" in a converted report, "2eme") is not a figure; a count is.
    assert not holds_kind("Après la réforme de l'imp6t en vertu des lois de finances 2022 et 2023.", "amount")
    assert not holds_kind("La 2eme édition a eu lieu en 2023.", "amount")
    assert holds_kind("L'effectif a atteint 30.696 stagiaires, soit 12 filières.", "amount")


def test_sentence_vectors_are_embedded_once_and_kept_on_disk(tmp_path: Path, corpus_runtime) -> None:
    embedder = corpus_runtime.embedder
    texts = ["La loi organique a été adoptée en 2015.", "Le rapport genre accompagne le projet de loi de finances."]
    store = SentenceVectorStore(tmp_path / "s.sqlite", embedder)
    first = store.vectors(texts)
    expected = embedder.embed_passages(texts)
    assert np.allclose(first, expected, atol=2e-3)  # kept as float16
    store.close()

    calls = []
    original = embedder.embed_passages
    reopened = SentenceVectorStore(tmp_path / "s.sqlite", embedder)
    try:
        embedder.embed_passages = lambda batch: calls.append(batch) or original(batch)  # type: ignore[method-assign]
        again = reopened.vectors([texts[1], texts[0], texts[1]])
    finally:
        del embedder.embed_passages
    assert calls == []  # everything came from disk
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], first[0]) and np.allclose(again[2], first[1])


def test_ingest_fills_the_sentence_store(corpus_runtime) -> None:
    """The sample corpus was ingested with warm_sentences on: answering embeds no sentence."""

    service = corpus_runtime.answers
    store = corpus_runtime.sentences
    calls = []
    original = store.embedder.embed_passages
    store.embedder.embed_passages = lambda batch: calls.append(batch) or original(batch)  # type: ignore[method-assign]
    try:
        answer = service.answer("En quelle année la loi organique relative à la loi de finances a-t-elle été adoptée ?")
    finally:
        del store.embedder.embed_passages
    assert not answer.refused and answer.citations
    assert calls == []
