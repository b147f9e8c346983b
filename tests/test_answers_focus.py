"""Near misses: a question about women's figures, or about a year, answered by sentences that give neither."""

from __future__ import annotations

import pytest

from assistant.answers.focus import Gap, missing_focus


@pytest.mark.parametrize("question", [
    "Combien de femmes sont couvertes par le régime AMO-Tadamon ?",
    "What was the female unemployment rate in 2023?",
    "كم عدد النساء المستفيدات من البرنامج؟",
])
def test_an_amount_for_women_needs_a_sentence_about_women(question: str) -> None:
    total = ["Le régime AMO-Tadamon compte 11,3 millions de bénéficiaires à fin août 2023."]
    assert missing_focus(question, total, []) == Gap("sex")
    by_sex = [*total, "Les femmes représentent 52 % des bénéficiaires en 2023."]
    assert missing_focus(question, by_sex, []) is None


def test_midwives_are_not_figures_for_women() -> None:
    """"sage-femmes" (midwives) in a list of exempted professions is not a breakdown by sex."""
    quoted = ["Exonération des prestations fournies par les médecins, infirmiers, sage-femmes; Montant: 120"]
    assert missing_focus("Quel est le coût des exonérations accordées aux femmes entrepreneures ?", quoted, []) == Gap("sex")


def test_only_amount_questions_about_women_are_checked() -> None:
    """"Which initiative finances equality between women and men?" is answered by a name, not by a figure."""
    quoted = ["L'initiative « Gender Lens » a été lancée avec Tamwilcom et le GPBM."]
    assert missing_focus("Quelle initiative finance l'égalité entre les femmes et les hommes ?", quoted, []) is None


def test_a_year_asked_must_be_quoted_or_in_the_heading_or_title() -> None:
    question = "Quel était le montant total des dépenses fiscales en 2021 ?"
    other_years = ["Les dépenses fiscales passent de 36 959 MDH en 2023 à 32 149 MDH en 2024."]
    assert missing_focus(question, other_years, ["Dépenses fiscales constatées", "Rapport sur les dépenses fiscales"]) \
        == Gap("year", "2021")
    assert missing_focus(question, other_years, ["Dépenses fiscales constatées en 2021"]) is None
    assert missing_focus("Quel était le montant total des dépenses fiscales ?", other_years, []) is None
