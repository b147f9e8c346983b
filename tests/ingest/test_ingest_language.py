"""Language detection limited to the corpus languages, with 'und' when the text is too thin to tell."""

from __future__ import annotations

import pytest

from ingest import language
from ingest.language import detect_language, dominant_language


@pytest.mark.parametrize(("text", "expected"), [
    ("La budgétisation sensible au genre vise l'égalité entre les femmes et les hommes.", "fr"),
    ("Gender-responsive budgeting aims at equality between women and men.", "en"),
    ("الميزانية المستجيبة للنوع الاجتماعي أداة لتحقيق المساواة بين النساء والرجال", "ar"),
    ("Le rapport genre", "fr"),
    ("The gender report", "en"),
])
def test_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "p. 12", "PLF 2025", "- 3 -", "1 234 567 ; 89"])
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_dominant_language_weighs_by_text() -> None:
    pages = ["Résumé en français assez court.",
             "This English page is much longer than the French summary, since it holds the whole "
             "argument of the brief about budgeting for gender equality in Morocco.", "12"]
    assert dominant_language(pages) == "en"
    assert dominant_language(["", "3"]) == "und"


def test_detector_is_built_once() -> None:
    detect_language("Une phrase en français pour construire le détecteur.")
    assert language._detector() is language._detector()
    assert language._detector.cache_info().currsize == 1
