"""The figures view: rates and dirham amounts pulled out of sentences with their year and what they measure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.answers.conflicts import figures_in
from assistant.user_jobs.figures import FiguresService
from index.analyzer import BM25Analyzer


def test_rates_and_amounts_with_their_nearest_year_and_measure() -> None:
    sentence = ("Le taux d'activité des femmes s'établit à 19 % en 2023 contre 21,5 % en 2024, et les crédits "
                "atteignent 1,7 milliard de dirhams.")
    found = figures_in(sentence, BM25Analyzer())
    assert [(f.value, f.amount, f.unit, f.year) for f in found] == [
        ("19 %", Decimal(19), "%", "2023"), ("21,5 %", Decimal("21.5"), "%", "2024"),
        ("1,7 milliard de dirhams", Decimal(1700), "MDH", "2024")]
    assert found[0].measure == "Le taux d'activité des femmes"


def test_arabic_digits_and_units() -> None:
    found = figures_in("بلغت النفقات الجبائية ٣٢ مليار درهم سنة 2024.", BM25Analyzer())
    assert [(f.amount, f.unit, f.year) for f in found] == [(Decimal(32000), "MDH", "2024")]


@pytest.mark.slow
def test_figures_for_a_topic_come_from_the_documents_with_their_source(tmp_path, embed_model_path: str) -> None:
    """A report whose figures are known: each comes back with its unit, year and page, footnotes left out."""
    from conftest import scratch_settings

    from assistant.services import build_services
    from index.backends.factory import close_backend

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "emploi.md").write_text(
        "# Emploi des femmes\n\n"
        "Le taux d'activité des femmes s'est établi à 19,8 % en 2023, contre 20,9 % en 2022.\n\n"
        "Les crédits du programme d'appui à l'entrepreneuriat féminin atteignent 250 millions de dirhams en 2024.\n\n"
        "(12) Source : enquête nationale sur l'emploi, 2023, 45 %.\n", encoding="utf-8")
    settings = scratch_settings(tmp_path / "data", embed_model_path)
    runtime = build_services(settings)
    try:
        runtime.indexer.ingest(docs)
        figures = FiguresService(runtime.search, runtime.analyzer).figures("taux d'activité des femmes")
    finally:
        close_backend(settings)
    assert [(f.value, f.unit, f.year) for f in figures] == [
        ("19,8 %", "%", 2023), ("20,9 %", "%", 2022), ("250 millions de dirhams", "MDH", 2024)]
    assert figures[0].measure == "Le taux d'activité des femmes" and figures[0].file_name == "emploi.md"
    assert all(f.page == 1 and f.value in f.sentence for f in figures)


def test_a_figure_takes_the_year_written_after_it_and_the_sentence_subject() -> None:
    sentence = ("Les dotations d’équilibre, versées par le budget général à certains SEGMA, s’élèvent à 918,93 MDH en "
                "2023 contre 884,64 MDH en 2022, soit une augmentation de l’ordre de 3,88%")
    found = figures_in(sentence, BM25Analyzer())
    assert [(f.value, f.year) for f in found] == [("918,93 MDH", "2023"), ("884,64 MDH", "2022"), ("3,88%", "2022")]
    assert {f.measure for f in found} == {"Les dotations d’équilibre"}
