"""core.text.fold: the one accent folding, and the places that compare words through it."""

from __future__ import annotations

from core.text import fold


def test_fold_drops_case_accents_ligatures_and_arabic_vowel_marks() -> None:
    assert fold("Évaluation ÉGALITÉ des ﬁnances") == "evaluation egalite des finances"
    assert fold("Straße") == "strasse"
    assert fold("المُسَاوَاة") == "المساواة"  # the vowel marks go, the letters stay
    assert fold("budget 2025 – genre") == "budget 2025 – genre"


def test_every_layer_folds_the_same_way() -> None:
    """The metadata, the BM25 analyzer, the catalogue search and the UI's highlights use this one function."""
    import ui.common
    from assistant.library import catalogue
    from index import analyzer
    from ingest import metadata

    assert metadata.fold is catalogue.fold is ui.common.fold is fold
    assert analyzer.fold_accents("égalité") == fold("égalité") == "egalite"
    assert ui.common._fold("Égalité") == "egalite" and ui.common._fold("الميزانية") == "ميزانيه"
