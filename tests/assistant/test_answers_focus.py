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
    elsewhere = ["Le PLF 2025 prévoit 3 milliards de dirhams pour les CHU de Rabat, Agadir et Laâyoune."]
    assert missing_focus(question, elsewhere, []) == Gap("place", place="Tanger")
    there = [f"Le CHU de {spelling} sera achevé en 2025 pour 2,5 milliards de dirhams."]
    assert missing_focus(question, there, []) is None
    assert missing_focus(question, elsewhere, ["Programme de la ville de Tanger"]) is None  # a heading naming it
    # The region's name is not the city: a regional programme's figures for other cities are not Tanger's.
    assert missing_focus(question, elsewhere, ["Programme régional de Tanger-Tétouan-Al Hoceïma"]) == \
        Gap("place", place="Tanger")


def test_a_city_amount_is_not_read_from_another_city_of_its_region() -> None:
    """The regional report's rows start with the region ("Tanger-Tétouan-AI Hoceima", OCR's "AI" for "Al"): a
    row for Tétouan's hospital, or a passage naming Tanger's medina elsewhere, does not give the cost of Tanger's
    university hospital. A question that is not about an amount keeps the looser rule."""
    question = "ما هي كلفة بناء المستشفى الجامعي بطنجة المبرمجة في مشروع قانون المالية لسنة 2025؟"
    row = ["Tanger-Tétouan-AI Hoceima Construction de l'hôpital des spécialités 380 680 236,29 340,94 85 de Tétouan"]
    medina = ["Tanger-Tétouan-AI Hoceima Réhabilitation et valorisation de la Médina de Tanger 2020 850 15"]
    assert missing_focus(question, row, [], [*row, *medina]) == Gap("place", place="Tanger")
    own = ["Tanger-Tétouan-AI Hoceima Construction du CHU de Tanger 500 1.800 160,66"]
    assert missing_focus(question, own, [], [], [2025]) is None  # the 2025 bill's report
    assert missing_focus("Le CHU de Tanger figure-t-il dans le programme régional ?", row, [], medina) is None
    campus = ["Tanger-Tétouan-AI Construction et équipement du Campus 300 50 85 Hoceima Universitaire d’AI-Hoceima"]
    assert missing_focus("Quel est le coût du campus universitaire d'Al Hoceïma ?", campus, []) is None


def test_a_region_is_one_place_and_the_arabic_name_matches_the_french() -> None:
    question = "What was the GDP per inhabitant of the Fez-Meknes region?"
    assert missing_focus(question, ["Le PIB par habitant de la région Fès-Meknès croît de 1,2 % par an."], []) is None
    assert missing_focus(question, ["الناتج الداخلي الإجمالي الفردي لجهة فاس مكناس"], []) is None
    assert missing_focus(question, ["Le PIB par habitant de la région de Fès croît."], []) == \
        Gap("place", place="Fès-Meknès")


@pytest.mark.parametrize("question", [
    "Quelle est la nouvelle stratégie nationale pour l'égalité ?",
    "ما هي الاستراتيجية الجديدة الداخلة في إطار البرنامج؟",  # "the new", "included": not El Jadida, not Dakhla
    "What share of the sale of public land funds housing?",
])
def test_common_words_are_not_places(question: str) -> None:
    assert missing_focus(question, ["Une stratégie nationale de 12 mesures est adoptée."], []) is None


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


def test_an_amount_for_a_year_needs_the_year_beside_a_figure() -> None:
    """"The 2022, 2023 and 2024 finance laws reformed VAT" names 2022 but gives no cost for it (real set, r80)."""
    question = "What did VAT tax expenditures cost in 2022?"
    years_only = ["La réforme de la TVA en vertu des lois de finances 2022, 2023 et 2024 a précédé celle de l'IR.",
                  "Le coût des dépenses fiscales liées à la TVA atteint 21 190 MDH en 2024."]
    assert missing_focus(question, years_only, []) == Gap("year", "2022")
    with_figure = [*years_only, "En 2022, ces mesures ont coûté 19 870 MDH."]
    assert missing_focus(question, with_figure, []) is None
    assert missing_focus(question, years_only, ["Dépenses fiscales 2022"]) is None  # a heading still counts
    # "When" and "which" questions need only the year somewhere in the quotes.
    assert missing_focus("Which taxes did the 2022 finance law reform?", years_only[:1], []) is None


@pytest.mark.parametrize("question", [
    "How many loans did ILAYKI INVEST grant in 2023?",
    "Combien de prêts ILAYKI INVEST a-t-il accordés en 2023 ?",
    "كم عدد القروض التي منحها برنامج ILAYKI INVEST سنة 2023؟",
])
def test_a_programme_named_in_capitals_must_be_quoted(question: str) -> None:
    """The TAMWIL fund's totals do not answer a question about one of its lines (real set, r84)."""
    neighbour = ["Le Fonds TAMWIL a enregistré en 2023 un volume d'engagements de 1,2 MMDH pour 3 500 prêts."]
    assert missing_focus(question, neighbour, []) == Gap("name", name="ILAYKI")
    named = ["En 2023, le programme Ilayki Invest a accordé 412 prêts aux femmes entrepreneures."]
    assert missing_focus(question, named, []) is None  # any case
    assert missing_focus(question, neighbour, [], ["Fonds TAMWIL › projets «ILAYKI INVEST»"]) is None


@pytest.mark.parametrize("question", [
    "What did the VAT exemptions cost in 2024?",  # VAT is TVA in French: the glossary bridges it
    "Quel est le montant alloué à l'INDH en 2025 ?",
    "Quel budget pour le PGE III en 2024 ?",  # a Roman numeral is not a name
])
def test_acronyms_with_a_translation_are_not_required_word_for_word(question: str) -> None:
    quoted = ["Les exonérations de TVA ont coûté 12 000 MDH en 2024 et 4 milliards iront à l'Initiative en 2025."]
    gap = missing_focus(question, quoted, [])
    assert gap is None or gap.kind != "name"


def test_a_comparison_year_needs_no_figure_of_its_own() -> None:
    """"How much does 2025 grow compared with 2024": 2025's figure answers; 2024 need only be named (real set, r38)."""
    quoted = ["Pour l'année 2025, l'effort d'investissement du secteur public s'élève à 340 milliards de dirhams.",
              "Les efforts poursuivent l'élan donné à l'investissement public entre 2021 et 2024."]
    assert missing_focus("By how much does the 2025 public investment grow compared with 2024?", quoted, []) is None
    assert missing_focus("By how much does the 2025 public investment grow compared with 2023?", quoted, []) \
        == Gap("year", "2023")


@pytest.mark.parametrize("question", [
    "What was the average GDP per inhabitant of the Fès-Meknès region over 2014-2022?",
    "Quel était le PIB par habitant de la région Fès-Meknès en 2022 ?",
    "ما هو الناتج الداخلي الإجمالي الفردي لجهة فاس مكناس سنة 2022؟",
])
def test_a_figure_per_inhabitant_needs_passages_per_inhabitant(question: str) -> None:
    """A region's share of value added does not answer its GDP per inhabitant (real set, r79)."""
    share = ["Sur 2014-2022, la région de Fès-Meknès se positionne au deuxième rang avec une moyenne de 12,4 %."]
    assert missing_focus(question, share, []) == Gap("per_head")
    per_head = ["Sur 2014-2022, le PIB par habitant de la région Fès-Meknès s'établit à 26 000 dirhams."]
    assert missing_focus(question, per_head, []) is None
    assert missing_focus(question, share, [], ["Tableau : PIB par habitant des régions, 2014-2022"]) is None


@pytest.mark.parametrize("question", [
    "De combien le PLF 2025 relève-t-il la réduction d'impôt pour chaque personne à charge ?",
    "How much does the 2025 finance bill raise the tax reduction per dependant?",
    "بكم يرفع مشروع قانون المالية لسنة 2025 التخفيض الضريبي عن كل شخص متكفل به؟",
])
def test_the_year_of_a_finance_bill_need_not_stand_by_the_figure(question: str) -> None:
    """"PLF 2025" names the bill; the figure's sentence rarely repeats it (real set, r15)."""
    quoted = ["La réduction au titre des charges de famille passe de 360 à 500 dirhams par personne à charge.",
              "Le projet de loi de finances 2025 prévoit une réforme de l'impôt sur le revenu."]
    assert missing_focus(question, quoted, []) is None
    assert missing_focus(question, quoted[:1], []) == Gap("year", "2025")  # still named somewhere, though:
    assert missing_focus(question, quoted[:1], [], [], [2025]) is None  # or the year of the quoted report
    assert missing_focus(question, quoted[:1], [], [], [2024]) == Gap("year", "2025")
    # A year that is not the bill's is not vouched for by the document's year.
    assert missing_focus("Combien de bénéficiaires en 2025 ?", quoted[:1], [], [], [2025]) == Gap("year", "2025")


def test_how_much_needs_a_quoted_figure() -> None:
    """A sentence on the plan's validation does not say what the bill gives it (real set, r85); "3eme" is no figure."""
    question = "Quel budget le PLF 2025 consacre-t-il au troisième Plan gouvernemental pour l'égalité ?"
    validation = ["Il s'agit de la poursuite du processus de validation du 3eme Plan gouvernemental pour l'égalité."]
    assert missing_focus(question, validation, [], [], [2025]) == Gap("figure")
    budget = [*validation, "Le plan est doté de 1,2 milliard de dirhams sur trois ans."]
    assert missing_focus(question, budget, [], [], [2025]) is None
    assert missing_focus("Qui valide le Plan gouvernemental pour l'égalité ?", validation, []) is None
    # A number in words is a figure (sample set, q11 and q19).
    question = "Sur combien d'années porte la programmation budgétaire ?"
    assert missing_focus(question, ["La réforme a introduit une programmation sur trois ans."], []) is None
    assert missing_focus("How many levels are used?", ["Practice usually tells three levels apart."], []) is None
    assert missing_focus("كم عدد المستويات؟", ["تميز الممارسة الدولية بين ثلاثة مستويات."], []) is None
    assert missing_focus(question, ["La réforme a introduit une programmation pluriannuelle."], []) == Gap("figure")
    # and stands by its year ("quatre crèches en 2024")
    assert missing_focus("Combien de crèches ouvertes en 2024 ?", ["Tafraout a ouvert quatre crèches en 2024."], []) \
        is None
