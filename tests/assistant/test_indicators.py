"""The indicator workbench on the sample corpus: review, draft and classify, every verdict checked against its page.

Ten indicators a ministry might paste: five good ones (French, English, Arabic), and five that fail, each with the
criteria it must fail. The review runs on the real index of the sample corpus; each citation is then checked twice,
against the indexed page and against the page text the loader reads from the file itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pytest
from conftest import CORPUS

from assistant.user_jobs.indicators.criteria import load
from assistant.user_jobs.indicators.guidance import GuidanceCitation
from assistant.user_jobs.indicators.workbench import IndicatorWorkbench
from ingest.loader import load_corpus

GOOD = [
    pytest.param(
        "Taux d'insertion dans l'emploi des lauréats de la formation professionnelle, neuf mois après la formation, "
        "ventilé par sexe et par filière. Valeur de référence (2024) : 52 % pour les femmes, 61 % pour les hommes. "
        "Cible 2027 : 60 % pour chaque sexe. Source : enquête d'insertion du département. Fréquence : annuelle.",
        "Améliorer l'insertion professionnelle des jeunes diplômés de la formation professionnelle.", id="fr-insertion"),
    pytest.param(
        "Écart entre filles et garçons du taux d'achèvement du primaire en milieu rural. Valeur de référence 2023 : "
        "6 points. Cible : 2 points d'ici 2026. Source : système d'information du ministère de l'Éducation nationale. "
        "Mesure annuelle. Objectif : réduire les écarts de scolarisation en milieu rural.", "", id="fr-gap"),
    pytest.param(
        "Average daily time spent fetching water, by sex and age, in the areas covered by the programme. Baseline: "
        "2024 household survey. Target by 2028: time halved for women and girls. Source: household survey. "
        "Frequency: every survey round.", "Give rural households access to drinking water.", id="en-water"),
    pytest.param(
        "نسبة إدماج خريجي التكوين في الشغل بعد تسعة أشهر، حسب الجنس والشعبة. القيمة المرجعية لسنة 2024: 55%. "
        "القيمة المستهدفة في أفق 2027: 65% لكل جنس. المصدر: بحث الإدماج. وتيرة القياس: سنوية.",
        "تحسين إدماج الشباب في سوق الشغل.", id="ar-insertion"),
    pytest.param(
        "Part des femmes parmi les bénéficiaires des prêts d'honneur aux jeunes entrepreneurs. Valeur de référence "
        "2024 : 30 %. Cible 2027 : 40 %. Source : registre administratif de l'agence. Fréquence : semestrielle.",
        "Faciliter l'accès des jeunes au financement de leur entreprise.", id="fr-share"),
]

BAD = [
    pytest.param("Nombre de stagiaires formés", "Améliorer l'insertion professionnelle des jeunes diplômés.",
                 {"outcome", "sex_disaggregated", "gender_measured", "baseline", "target", "data_source", "frequency"},
                 id="activity-count"),
    pytest.param(
        "Taux d'insertion des lauréats dans l'emploi, femmes et hommes confondus. Valeur de référence (2024) : 58 %. "
        "Cible 2027 : 63 %. Source : enquête d'insertion. Fréquence : annuelle.",
        "Améliorer l'insertion professionnelle des lauréats.", {"sex_disaggregated", "gender_measured"},
        id="sexes-named-not-separated"),
    pytest.param("Taux d'accès à l'eau potable des ménages ruraux, ventilé par sexe du chef de ménage.",
                 "Généraliser l'accès à l'eau potable en milieu rural.", {"baseline", "target", "data_source", "frequency"},
                 id="undocumented"),
    pytest.param(
        "Taux de scolarisation au collège, par sexe. Valeur de référence 2023 : 88 % pour les filles, 91 % pour les "
        "garçons. Cible : 95 % pour chaque sexe. Source : système d'information du ministère. Fréquence : annuelle.",
        "Généraliser la scolarisation au collège.", {"target"}, id="target-without-year"),
    pytest.param("Gender-sensitive training sessions organised for women and men, reported every year.", "",
                 {"outcome", "gender_measured", "sex_disaggregated", "objective_link", "baseline", "target", "data_source"},
                 id="en-gender-named-activity"),
]


@pytest.fixture(scope="module")
def workbench(corpus_runtime) -> IndicatorWorkbench:
    return IndicatorWorkbench(corpus_runtime.search, corpus_runtime.indexer, corpus_runtime.analyzer)


@cache
def _loaded_pages() -> dict[tuple[str, int], str]:
    """Page texts as the loader reads them from the files, independent of the index."""
    return {(d.file_name, p.number): p.text for d in load_corpus(CORPUS).documents for p in d.pages}


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def assert_on_its_page(citation: GuidanceCitation) -> None:
    assert citation.verified and citation.doc_id, citation
    page = _loaded_pages()[(citation.file, citation.page)]
    assert _words(citation.quote) in _words(page), citation
    assert citation.quote_span is not None
    start, end = citation.quote_span
    assert _words(page[start:end]) == _words(citation.quote)


def test_every_passage_the_data_file_cites_is_on_its_page(workbench: IndicatorWorkbench) -> None:
    sources = workbench.sources()
    assert len(sources) >= 20
    for citation in sources:
        assert_on_its_page(citation)
    cited_files = {c.file for c in sources}
    assert {"guide_indicateurs_genre.pdf", "faq_bsg.md", "fiche_analyse_genre_programme.docx",
            "note_lof_130_13_performance_genre.pdf"} <= cited_files


def test_every_criterion_is_worded_in_three_languages_with_a_reason_per_outcome() -> None:
    data = load()
    ids = [c.id for c in data.criteria]
    assert ids == ["sex_disaggregated", "gender_measured", "baseline", "target", "data_source", "frequency",
                   "objective_link", "outcome"]
    for criterion in data.criteria:
        assert set(criterion.label) == {"fr", "en", "ar"}
        assert {r.verdict for r in criterion.reasons.values()} >= {"pass", "fail"}
        for reason in criterion.reasons.values():
            assert set(reason.text) == {"fr", "en", "ar"}


@pytest.mark.parametrize(("indicator", "objective"), GOOD)
def test_a_good_indicator_passes_every_criterion_with_cited_verdicts(
    workbench: IndicatorWorkbench, indicator: str, objective: str,
) -> None:
    review = workbench.review(indicator, objective)
    assert review.passed, [(v.criterion, v.reason) for v in review.verdicts if v.verdict != "pass"]
    assert review.counts == {"pass": 8, "fail": 0, "to_check": 0}
    for verdict in review.verdicts:
        assert verdict.found, verdict.criterion  # a pass names the words it rests on
        assert verdict.citations
        for citation in verdict.citations:
            assert_on_its_page(citation)


@pytest.mark.parametrize(("indicator", "objective", "failing"), BAD)
def test_a_weak_indicator_fails_exactly_the_criteria_it_misses(
    workbench: IndicatorWorkbench, indicator: str, objective: str, failing: set[str],
) -> None:
    review = workbench.review(indicator, objective)
    assert not review.passed
    assert {v.criterion for v in review.verdicts if v.verdict == "fail"} == failing
    for verdict in review.verdicts:
        assert verdict.reason and verdict.citations
        for citation in verdict.citations:
            assert_on_its_page(citation)


def test_the_verdicts_say_why_in_the_indicators_language_and_cite_a_source_in_it(workbench: IndicatorWorkbench) -> None:
    arabic = workbench.review("عدد الدورات التكوينية المنظمة لفائدة النساء والرجال")
    assert arabic.language == "ar"
    measured = next(v for v in arabic.verdicts if v.criterion == "gender_measured")
    assert measured.reason_code == "fail_named" and "النساء" in measured.found
    assert any(c.file == "note_bsg_maroc_ar.pdf" and c.quote_language == "ar" for c in measured.citations)
    outcome = next(v for v in arabic.verdicts if v.criterion == "outcome")
    assert outcome.verdict == "fail" and outcome.citations[0].quote_language == "ar"

    english = workbench.review("Nombre de stagiaires formés", language="en")
    assert english.language == "en" and english.verdicts[0].label == "Disaggregated by sex"
    assert any(c.file == "brief_moroccan_grb_en.pdf" for c in english.verdicts[2].citations)  # the baseline


@pytest.mark.parametrize("indicator", [
    "Taux d'insertion des lauréats, non ventilé par sexe, valeur de référence 2024 : 58 %.",
    "Employment rate of graduates, not disaggregated by sex.",
    "نسبة إدماج الخريجين، غير مصنفة حسب الجنس.",
])
def test_a_breakdown_named_only_to_be_denied_fails(workbench: IndicatorWorkbench, indicator: str) -> None:
    verdicts = {v.criterion: v.verdict for v in workbench.review(indicator).verdicts}
    assert verdicts["sex_disaggregated"] == verdicts["gender_measured"] == "fail"


def test_what_a_rule_cannot_decide_is_left_to_check(workbench: IndicatorWorkbench) -> None:
    maternal = workbench.review("Proportion des accouchements assistés par un personnel qualifié, par milieu de résidence "
                                "et par région")
    assert {v.criterion: v.verdict for v in maternal.verdicts}["sex_disaggregated"] == "to_check"
    count = workbench.review("Nombre de femmes accédant à un premier emploi. Valeur de référence : à établir.")
    verdicts = {v.criterion: v.verdict for v in count.verdicts}
    assert verdicts["outcome"] == "to_check" and verdicts["baseline"] == "to_check"


# -- draft ----------------------------------------------------------------------------------------------------------

DESCRIPTION = (
    "Programme de formation professionnelle des jeunes en milieu rural. Objectif : améliorer l'insertion "
    "professionnelle des jeunes diplômés. Les données proviennent de l'enquête d'insertion annuelle du département."
)


def test_drafts_fill_only_what_the_description_says_and_cite_the_guidance(workbench: IndicatorWorkbench) -> None:
    drafts = workbench.draft(DESCRIPTION)
    assert drafts.language == "fr" and 3 <= len(drafts.indicators) <= 5
    assert drafts.beneficiaries == "jeunes diplômés" and drafts.outcome == "insertion dans l'emploi"
    assert drafts.indicators[0].wording == ("Taux d'insertion dans l'emploi des jeunes diplômés, par sexe, milieu de "
                                            "résidence et âge")
    for indicator in drafts.indicators:
        fields = {f.name: f for f in indicator.fields}
        assert fields["objective"].status == "filled" and "insertion professionnelle" in fields["objective"].value
        assert fields["data_source"].status == "filled" and "enquête d'insertion" in fields["data_source"].value
        assert fields["baseline"].status == "to_complete" and fields["baseline"].value.startswith("[à compléter")
        assert fields["target"].status == "to_complete"
        for field in indicator.fields:  # nothing invented: every figure of a filled field is in the description
            assert field.status == "to_complete" or set(re.findall(r"\d+", field.value)) <= set(re.findall(r"\d+", DESCRIPTION))
        assert_on_its_page(indicator.source)
    assert drafts.guidance
    for citation in drafts.guidance:
        assert_on_its_page(citation)


def test_a_vague_description_leaves_the_drafts_to_complete(workbench: IndicatorWorkbench) -> None:
    drafts = workbench.draft("The programme will modernise how the public administration works and its online services.")
    assert drafts.language == "en" and len(drafts.indicators) == 3
    assert all(i.status == "to_complete" and "[to complete:" in i.wording for i in drafts.indicators)
    assert all(f.status == "to_complete" for f in drafts.indicators[0].fields)


# -- classify -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("objective", "code", "dac"), [("principal", "G2", 2), ("significant", "G1", 1), ("none", "G0", 0)])
def test_the_marking_suggestion_follows_the_documented_levels(
    workbench: IndicatorWorkbench, objective: str, code: str, dac: int,
) -> None:
    suggestion = workbench.classify(objective, specific_target_group=False, activity_share=60, language="fr")  # type: ignore[arg-type]
    assert (suggestion.code, suggestion.dac_marker) == (code, dac)
    assert suggestion.official is False and "jamais un classement officiel" in suggestion.disclaimer
    assert "propre" not in suggestion.mapping_note and "celle du projet Mizan" in suggestion.mapping_note
    assert "G+" not in {level.code for level in suggestion.scale}
    assert any("trois niveaux" in c.quote for c in suggestion.criteria)
    for citation in suggestion.criteria:
        assert_on_its_page(citation)


def test_answers_that_disagree_with_the_level_raise_notes(workbench: IndicatorWorkbench) -> None:
    low = workbench.classify("principal", specific_target_group=True, activity_share=20, language="en")
    assert low.code == "G2" and any("less than half" in note for note in low.notes)
    unmarked = workbench.classify("none", specific_target_group=True, activity_share=30, language="ar")
    assert unmarked.code == "G0" and len(unmarked.notes) == 3 and unmarked.language == "ar"


def test_a_household_programme_counts_female_headed_households(workbench: IndicatorWorkbench) -> None:
    drafts = workbench.draft("Programme d'accès à l'eau potable des ménages ruraux.")
    wordings = [i.wording for i in drafts.indicators]
    assert "Part des ménages dirigés par une femme parmi les ménages ruraux, par milieu de résidence" in wordings
    assert not any(w.startswith("Part des femmes") for w in wordings)


def test_a_source_missing_from_the_index_is_unverified_and_the_catalogue_is_not_reread_each_time(corpus_runtime) -> None:
    from assistant.user_jobs.indicators.criteria import SourceRef
    from assistant.user_jobs.indicators.guidance import GuidanceLocator

    class Counting:  # the real indexer, with its full catalogue reads counted
        reads = 0

        def documents(self):  # type: ignore[no-untyped-def]
            Counting.reads += 1
            return corpus_runtime.indexer.documents()

        def document(self, doc_id: str):  # type: ignore[no-untyped-def]
            return corpus_runtime.indexer.document(doc_id)

    locator = GuidanceLocator(Counting())
    missing = SourceRef(file="absent.pdf", page=1, quote="Un passage qui n'existe pas.")
    assert [locator.cite(missing).verified for _ in range(5)] == [False] * 5
    present = locator.cite(load().criteria[0].sources[0])
    assert present.verified and Counting.reads == 1
