"""Cleaning over page texts: running headers and footers, line-break hyphens, Unicode, whitespace."""

from __future__ import annotations

from ingest.cleaning import clean_pages, collapse_whitespace, join_hyphenated, normalize_unicode, strip_running_lines

HEADER = "PROJET DE LOI DE FINANCES POUR L'ANNEE 2025"


TOPICS = ["l'éducation", "la santé", "l'emploi", "l'eau potable", "la justice", "le transport", "l'agriculture",
          "la culture", "le sport", "la jeunesse"]


def _body(n: int) -> str:
    topic, next_topic = TOPICS[n - 1], TOPICS[n % len(TOPICS)]
    return f"Le chapitre sur {topic} examine les écarts.\nIl compare les indicateurs de {next_topic}."


def _report(pages: int) -> list[str]:
    """A report whose pages carry a two-line header, alternating page-number footers and their own text."""
    footers = [f"Page {n}" if n % 2 else f"- {n} -" for n in range(1, pages + 1)]
    return [f"{HEADER}\nRapport sur le budget genre\n{_body(n)}\n{footers[n - 1]}" for n in range(1, pages + 1)]


def test_running_headers_and_page_numbers_go() -> None:
    cleaned = strip_running_lines(_report(8))
    assert cleaned == [_body(n) for n in range(1, 9)]


def test_a_line_repeated_on_few_pages_stays() -> None:
    pages = [f"{HEADER}\n{_body(n)}" for n in range(1, 11)]
    pages[0] = f"{HEADER}\nIntroduction\n{_body(1)}"
    pages[5] = f"{HEADER}\nIntroduction\n{_body(6)}"
    cleaned = strip_running_lines(pages)
    assert cleaned[0] == f"Introduction\n{_body(1)}" and cleaned[5] == f"Introduction\n{_body(6)}"
    assert cleaned[1] == _body(2)


def test_repeated_line_inside_the_page_body_stays() -> None:
    pages = [f"{_body(n)}\nSuite {TOPICS[n]}.\nLigne répétée au milieu\n{_body(n + 1)}\nFin {TOPICS[n + 2]}."
             for n in range(1, 6)]
    assert strip_running_lines(pages) == pages


def test_rows_differing_by_numbers_that_do_not_follow_the_pages_stay() -> None:
    totals = ["Total 1 250 830", "Total 980 410", "Total 2 045 77", "Total 310 95", "Total 1 100 640"]
    pages = [f"{_body(n)}\n{total}" for n, total in enumerate(totals, start=1)]
    assert strip_running_lines(pages) == pages


def test_short_documents_are_left_alone() -> None:
    pages = [f"{HEADER}\nTexte un", f"{HEADER}\nTexte deux"]
    assert strip_running_lines(pages) == pages


def test_line_break_hyphens() -> None:
    assert join_hyphenated("la budgéti-\nsation sensible") == "la budgétisation sensible"
    assert join_hyphenated("impact socio-\néconomique") == "impact socio-économique"
    assert join_hyphenated("région Rabat-\nSalé") == "région Rabat-Salé"
    assert join_hyphenated("le sous-\nprogramme") == "le sous-programme"
    assert join_hyphenated("déjà socio-économique") == "déjà socio-économique"  # not at a break
    assert join_hyphenated("liste -\nitem") == "liste -\nitem"  # a dash, not a hyphenated word


def test_the_document_decides_ambiguous_hyphens() -> None:
    known = {"auto-évaluation", "nonobstant"}
    assert join_hyphenated("une auto-\névaluation", known) == "une auto-évaluation"
    assert join_hyphenated("non-\nobstant", known) == "nonobstant"
    pages = clean_pages(["Le sous-programme et la non-discrimination.",
                         "un sous-\nprogramme, la non-\ndiscri-\nmination"])
    assert pages[1] == "un sous-programme, la non-discrimination"


def test_unicode_normalisation() -> None:
    text = "budg\u00e9ti\u00ad\nsation e\u0301gale\u200b \ufb01nances 1\u202f000\u00a0DH \u200fﺍﻟﻤﻐﺮﺏ x²\r\nfin"
    assert normalize_unicode(text) == "budgétisation égale finances 1 000 DH المغرب x²\nfin"


def test_whitespace_collapses_but_paragraphs_stay() -> None:
    text = "  Premier \t paragraphe  \n suite\n\n\n\n  Second   paragraphe \n\n"
    assert collapse_whitespace(text) == "Premier paragraphe\nsuite\n\nSecond paragraphe"


def test_clean_pages_keeps_the_page_count() -> None:
    pages = _report(5)
    pages[2] = f"{HEADER}\nRapport sur le budget genre\nPage 3"  # nothing but header and footer
    cleaned = clean_pages(pages)
    assert len(cleaned) == 5
    assert cleaned[2] == ""
    assert cleaned[0] == _body(1)
