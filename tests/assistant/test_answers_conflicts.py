"""Conflicting figures: two sample documents written to disagree (19 % and 19,8 %), and two that merely round.

The documents are ingested into a real embedded store with the real model, in tmp (never in corpus/documents);
their province and every figure in them are fictitious, as their first line says.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import scratch_settings

from assistant.answers.conflicts import Mention, agree, disagreements, mentions
from assistant.answers.evidence import PassageSentences
from assistant.answers.service import AnswerService
from assistant.services import Services, build_services
from core.contract import Answer
from evaluation.answers import _summary
from index.analyzer import BM25Analyzer
from index.sentences import split_passage

NOTE = "Document de test : la province de Tamesna et tous les chiffres de ce document sont fictifs."
DOCUMENTS = {
    "enquete_tamesna_a.md": f"""# Enquête sur l'activité des femmes à Tamesna — édition A

{NOTE}

En 2023, le taux d'activité des femmes était de 19 % dans la province de Tamesna. En 2023, le taux d'activité des hommes était de 70 % dans la même province. Les femmes actives travaillent surtout dans l'agriculture et les services.

En 2022, le taux d'achèvement du collège des filles était de 64 % dans la province.
""",
    "recensement_tamesna_b.md": f"""# Recensement administratif de Tamesna — édition B

{NOTE}

Selon le recensement administratif, le taux d'activité des femmes s'établissait à 19,8 % en 2023 dans la province de Tamesna. L'écart avec les hommes reste important.

Le taux d'achèvement du collège des filles était de 64,0 % en 2022, selon les registres scolaires.
""",
}
ACTIVITY_FR = "Quel était le taux d'activité des femmes à Tamesna en 2023 ?"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("conflicts-corpus")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = scratch_settings(tmp_path_factory.mktemp("conflicts-data"), embed_model_path)
    runtime = build_services(settings)
    assert runtime.indexer.ingest(folder).rejected == []
    yield runtime
    _release(settings)


def _release(settings: object) -> None:
    """Close the store (the store layer is being replaced: its closing function moves with it)."""
    try:
        from index.backends.factory import close_backend as close
    except ImportError:
        from index.store import close_client as close  # type: ignore[no-redef]
    close(settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def service(runtime: Services) -> AnswerService:
    return runtime.answers


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lstrip("#> ").split())


def assert_quotes_on_their_pages(runtime: Services, answer: Answer) -> None:
    for c in answer.citations:
        page = next(p.text for p in runtime.indexer.document(c.doc_id).pages if p.number == c.page)
        assert c.quote_span is not None
        assert _words(page[c.quote_span[0]:c.quote_span[1]]) == _words(c.quote)


def test_two_sources_giving_different_rates_are_both_shown_and_said_to_differ(runtime: Services, service: AnswerService) -> None:
    answer = service.answer(ACTIVITY_FR)
    assert not answer.refused and len(answer.conflicts) == 1
    conflict = answer.conflicts[0]
    assert conflict.year == "2023" and conflict.measure == "le taux d'activité des femmes"
    by_value = {v.value: next(c for c in answer.citations if c.n == v.n) for v in conflict.values}
    assert set(by_value) == {"19 %", "19,8 %"}
    assert by_value["19 %"].file == "enquete_tamesna_a.md" and "19 %" in by_value["19 %"].quote
    assert by_value["19,8 %"].file == "recensement_tamesna_b.md" and "19,8 %" in by_value["19,8 %"].quote
    assert "Les sources diffèrent sur un même chiffre :" in answer.text
    for value in conflict.values:
        assert f"{value.value} [{value.n}]" in answer.text
    assert_quotes_on_their_pages(runtime, answer)


def test_the_difference_is_said_in_the_question_language(service: AnswerService) -> None:
    answer = service.answer("What was the women's activity rate in Tamesna in 2023?")
    assert answer.language == "en" and "The sources differ on the same figure:" in answer.text
    assert {v.value for v in answer.conflicts[0].values} == {"19 %", "19,8 %"}


def test_a_figure_that_merely_rounds_is_not_a_conflict(runtime: Services, service: AnswerService) -> None:
    answer = service.answer("Quel était le taux d'achèvement du collège des filles à Tamesna en 2022 ?")
    assert not answer.refused and answer.conflicts == [] and "diffèrent" not in answer.text
    # not vacuous: the two figures were read as the same quantity, and found to agree
    passages = [PassageSentences(split_passage(d.pages[0].text), [], np.zeros((0, 1))) for d in runtime.indexer.documents()]
    found = [m for m in mentions(passages, runtime.analyzer) if m.year == "2022"]
    assert sorted(m.value for m in found) == ["64 %", "64,0 %"] and len({m.measure for m in found}) == 1
    assert disagreements(found) == []


def test_other_groups_years_and_places_are_other_quantities() -> None:
    analyzer = BM25Analyzer()
    text = ("En 2023, le taux d'activité des femmes était de 19 % dans la province. En 2023, le taux d'activité des "
            "hommes était de 70 %. En 2022, le taux d'activité des femmes était de 18 %. En 2023, le taux d'activité "
            "des femmes en milieu rural était de 12 %. Le taux d'activité des femmes est passé de 17 % en 2019 à 19 % "
            "en 2023.")
    found = mentions([PassageSentences(split_passage(text), [], np.zeros((0, 1)))], analyzer)
    assert [m.value for m in found] == ["19 %", "70 %", "18 %", "12 %"]  # the last sentence has two years: left out
    assert found[3].place == frozenset({"rural"})
    assert disagreements(found) == []


def _mentions(text: str) -> list[Mention]:
    return mentions([PassageSentences(split_passage(text), [], np.zeros((0, 1)))], BM25Analyzer())


def test_two_amounts_in_one_sentence_and_rows_of_a_table_are_not_compared() -> None:
    two_amounts = ("Les crédits programmés en 2025, soit 200 millions de dirhams en crédits de paiement et 1,7 milliard "
                   "de dirhams en crédits d'engagement, couvrent le programme.")
    assert _mentions(two_amounts) == []
    rows = ("Code 2024: 40.099.27; Mesure: Application du taux réduit de 10% sur les huiles de pétrole.\n"
            "Code 2024: 14.073.12; Mesure: Application du taux réduit de 15% au rachat des titres.")
    found = _mentions(rows)
    assert len(found) == 2 and found[0].measure == found[1].measure  # same words before the figure…
    assert disagreements(found) == []  # …but what follows says they are two different things


@pytest.mark.parametrize(("a", "b", "same"), [("19 %", "19,0 %", True), ("19 %", "19,4 %", True), ("19 %", "19,8 %", False),
                                              ("19,8 %", "19,80 %", True), ("19,8 %", "19,7 %", False), ("20 %", "19,8 %", True),
                                              ("1,7 milliard de dirhams", "1 650 millions de dirhams", True),
                                              ("1,7 milliard de dirhams", "1 640 millions de dirhams", False)])
def test_values_agree_when_the_precise_one_rounds_to_the_other(a: str, b: str, same: bool) -> None:
    first, second = (_mentions(f"En 2023, le budget du programme d'égalité était de {v}.")[0] for v in (a, b))
    assert first.measure == second.measure
    assert agree(first, second) is same
    assert (disagreements([first, second]) == []) is same


def test_eval_counts_answers_with_conflicts() -> None:
    records = [{"answerable": True, "refused": False, "valid": True, "evidence_hit": True, "seconds": 1.0,
                "fallback": False, "removed_citations": 0, "unsupported_sentences": 0, "conflicts": n} for n in (0, 2, 1)]
    assert _summary(records)["answers_with_conflicts"] == 2
