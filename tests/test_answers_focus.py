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


@pytest.mark.parametrize(("question", "spelling"), [
    ("ما هي كلفة بناء المستشفى الجامعي بطنجة المبرمجة في مشروع قانون المالية لسنة 2025؟", "Tanger"),
    ("What will the new university hospital in Tangier cost?", "Tanger"),
    ("Quel est le coût du CHU de Tanger ?", "Tanger"),
])
def test_a_place_asked_must_be_named_in_any_spelling(question: str, spelling: str) -> None:
    """A figure for other cities is not a figure for Tanger; "Tangier" and "بطنجة" are Tanger."""
    elsewhere = ["Le PLF 2025 prévoit la construction des CHU de Rabat, Agadir et Laâyoune."]
    assert missing_focus(question, elsewhere, []) == Gap("place", place="Tanger")
    there = [f"Le CHU de {spelling} sera achevé en 2025 pour 2,5 milliards de dirhams."]
    assert missing_focus(question, there, []) is None
    assert missing_focus(question, elsewhere, ["Programme régional de Tanger-Tétouan-Al Hoceïma"]) is None


def test_a_region_is_one_place_and_the_arabic_name_matches_the_french() -> None:
    question = "What was the GDP per inhabitant of the Fez-Meknes region?"
    assert missing_focus(question, ["Le PIB par habitant de la région Fès-Meknès croît de 1,2 % par an."], []) is None
    assert missing_focus(question, ["الناتج الداخلي الإجمالي لجهة فاس مكناس"], []) is None
    assert missing_focus(question, ["Le PIB par habitant de la région de Fès croît."], []) == \
        Gap("place", place="Fès-Meknès")


@pytest.mark.parametrize("question", [
    "Quelle est la nouvelle stratégie nationale pour l'égalité ?",
    "ما هي الاستراتيجية الجديدة الداخلة في إطار البرنامج؟",  # "the new", "included": not El Jadida, not Dakhla
    "What share of the sale of public land funds housing?",
])
def test_common_words_are_not_places(question: str) -> None:
    assert missing_focus(question, ["Une stratégie nationale est adoptée."], []) is None


@pytest.mark.parametrize("question", [
    "Que prévoit la loi organique tunisienne sur la budgétisation sensible au genre ?",
    "How does Rwanda's gender budget statement compare with Morocco's gender report?",
    "ماذا ينص القانون التنظيمي التونسي بشأن الميزانية المستجيبة للنوع الاجتماعي؟",
])
def test_another_country_asked_must_be_named(question: str) -> None:
    """Morocco's own law is not an answer about Tunisia's; Morocco itself need not be named."""
    moroccan = ["L'adoption de la nouvelle loi organique relative aux lois de finances en 2015 a marqué un tournant."]
    assert missing_focus(question, moroccan, []) is not None
    assert missing_focus(question, [*moroccan, "La Tunisie et le Rwanda ont adopté un budget genre en 2019."], []) is None
