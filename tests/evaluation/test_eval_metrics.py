"""Hit matching and retrieval metrics on hand-made rankings, where the right figure is known by hand."""

from __future__ import annotations

import math

import pytest

from evaluation.matching import covered, hits, normalize
from evaluation.metrics import Ranking, first_hit, latency_ms, ndcg, recall_at, reciprocal_rank, summarize
from evaluation.questions import Evidence

QUOTE = "L'expérience marocaine de budgétisation sensible au genre a été lancée en 2002"
EVIDENCE = [Evidence(doc="etude.pdf", page=1, quote=QUOTE)]


def same_name(file_name: str, doc: str) -> bool:
    return file_name == doc


def ranking(*hit_sets: set[int], items: int = 1) -> Ranking:
    return Ranking(tuple(frozenset(h) for h in hit_sets), frozenset(range(items)))


# -- matching ----------------------------------------------------------------------------------------------


def test_normalize_collapses_whitespace_and_case() -> None:
    assert normalize("  Budget\n\tGENRE  2002 ") == "budget genre 2002"


def test_whole_quote_with_other_line_breaks_hits() -> None:
    chunk = "Contexte.\nL'expérience   marocaine de budgétisation\nsensible au GENRE a été lancée en 2002, avec l'appui..."
    assert hits(chunk, "etude.pdf", EVIDENCE, same_name) == {0}


def test_quote_split_across_two_chunks_hits_with_the_bigger_half_only() -> None:
    cut = 50  # the first chunk ends inside the quote, the second starts there
    first = "Une introduction. " + QUOTE[:cut]
    second = QUOTE[cut:] + " Suite du texte."
    quote = normalize(QUOTE)
    assert covered(normalize(first), quote) == len(normalize(QUOTE[:cut]))
    assert covered(normalize(second), quote) == len(normalize(QUOTE[cut:]))
    assert hits(first, "etude.pdf", EVIDENCE, same_name) == {0}  # 50 of 78 characters
    assert hits(second, "etude.pdf", EVIDENCE, same_name) == frozenset()  # 28 of 78


def test_shared_phrase_elsewhere_is_not_a_hit() -> None:
    chunk = "Le guide rappelle que la budgétisation sensible au genre a été lancée en plusieurs étapes."
    assert covered(normalize(chunk), normalize(QUOTE)) < len(normalize(QUOTE)) / 2
    assert not hits(chunk, "etude.pdf", EVIDENCE, same_name)


def test_right_text_in_another_document_is_not_a_hit() -> None:
    assert not hits(QUOTE, "autre.pdf", EVIDENCE, same_name)


def test_arabic_presentation_forms_match_their_letters() -> None:
    quote = "الميزانية"
    presentation = "\ufe8d\ufedf\ufee4\ufef4\ufeb0\ufe8d\ufee7\ufef4\ufe94"  # the same word, as some PDFs encode it
    assert covered(normalize(presentation), normalize(quote)) == len(quote)


# -- metrics -----------------------------------------------------------------------------------------------


def test_recall_mrr_on_a_first_hit_at_rank_three() -> None:
    r = ranking(set(), set(), {0}, {0})
    assert first_hit(r) == 3
    assert [recall_at(r, k) for k in (1, 3, 5)] == [0.0, 1.0, 1.0]
    assert reciprocal_rank(r) == pytest.approx(1 / 3)


def test_duplicate_hits_of_one_item_add_no_gain() -> None:
    once = ranking({0})
    twice = ranking({0}, {0}, {0})
    assert ndcg(once) == ndcg(twice) == 1.0
    assert reciprocal_rank(twice) == 1.0


def test_ndcg_counts_each_distinct_item_once() -> None:
    r = ranking({0}, {0}, {1}, items=2)  # item 1 first appears at rank 3
    ideal = 1 + 1 / math.log2(3)
    assert ndcg(r) == pytest.approx((1 + 1 / math.log2(4)) / ideal)


def test_ndcg_one_passage_with_two_items_is_capped_at_one() -> None:
    assert ndcg(ranking({0, 1}, items=2)) == 1.0


def test_hits_beyond_the_cutoff_do_not_count() -> None:
    r = ranking(*([set()] * 10), {0})
    assert first_hit(r) == 11
    assert recall_at(r, 10) == reciprocal_rank(r) == ndcg(r) == 0.0


def test_restrict_judges_one_documents_evidence() -> None:
    r = ranking({1}, {0}, items=2)
    assert first_hit(r.restrict([0])) == 2
    assert first_hit(r.restrict([1])) == 1


def test_summarize_averages_over_questions() -> None:
    summary = summarize([ranking({0}), ranking(set(), {0}), ranking(set())])
    assert summary["n"] == 3
    assert summary["recall@1"] == pytest.approx(1 / 3)
    assert summary["recall@3"] == pytest.approx(2 / 3)
    assert summary["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3)


def test_latency_median_and_nearest_rank_p95() -> None:
    figures = latency_ms([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert figures == {"p50": pytest.approx(50.5), "p95": pytest.approx(95.0)}
