"""The BM25 analyzer on real text: stemming, normalisation, weights, and ranking in an in-memory Qdrant."""

from __future__ import annotations

import pytest
from qdrant_client import QdrantClient, models

from index.analyzer import BM25Analyzer, term_index, to_sparse_vector


@pytest.fixture(scope="module")
def analyzer() -> BM25Analyzer:
    return BM25Analyzer()


# -- French ----------------------------------------------------------------------------------------------------


def test_french_inflections_meet(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("indicateurs sensibles", "fr") == analyzer.terms("indicateur sensible", "fr")
    assert analyzer.terms("Programmes budgétaires", "fr") == analyzer.terms("programme budgétaire", "fr")


def test_accentless_spelling_meets_accented_document(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("budgétisation", "fr") == analyzer.terms("budgetisation", "fr") == ["budgetis"]
    # Snowball stems "égalité" to "égal" but "egalite" to "egalit": the document carries both.
    document = set(analyzer.terms("l'égalité et la sécurité des données", "fr"))
    for word in "egalite securite donnees égalité sécurité données".split():
        assert set(analyzer.query_terms(word)) & document, word


def test_uppercase_heading_without_accents(analyzer: BM25Analyzer) -> None:
    heading = analyzer.terms("BUDGETISATION SENSIBLE AU GENRE", "fr")
    assert heading == analyzer.terms("budgétisation sensible au genre", "fr")


def test_stop_words_dropped(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("le budget de la commune et des femmes", "fr") == ["budget", "commun", "femm"]
    assert analyzer.terms("the role of the budget for women", "en") == ["role", "budget", "women"]
    assert analyzer.terms("Le, la, les. Of the and.", None) == []


def test_elision(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("l'égalité d’accès qu'il jusqu'à l’évaluation", "fr") == analyzer.terms(
        "égalité accès évaluation", "fr"
    )


def test_ligature_oe(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("mise en œuvre", "fr") == analyzer.terms("mise en oeuvre", "fr")


# -- English ---------------------------------------------------------------------------------------------------


def test_english_stemming(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("gender budgets policies", "en") == analyzer.terms("gender budget policy", "en")
    assert analyzer.terms("budgeting", "en") == ["budget"]


def test_query_gets_french_and_english_stems(analyzer: BM25Analyzer) -> None:
    query = analyzer.query_terms("indicateurs budgeting")
    assert set(analyzer.terms("indicateurs", "fr")) <= set(query)
    assert set(analyzer.terms("budgeting", "en")) <= set(query)
    assert len(query) == len(set(query))


# -- Arabic ----------------------------------------------------------------------------------------------------


def test_arabic_tashkeel_tatweel_and_presentation_forms(analyzer: BM25Analyzer) -> None:
    plain = analyzer.terms("الميزانية", "ar")
    assert analyzer.terms("الْمِيزَانِيَّةُ", "ar") == plain
    assert analyzer.terms("الميـــزانية", "ar") == plain
    assert analyzer.terms("ﺍﻟﻤﻴﺰﺍﻧﻴﺔ", "ar") == plain  # presentation forms, as some PDFs extract them


def test_arabic_hamza_forms_meet(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("المرأة", "ar") == analyzer.terms("المراة", "ar") == analyzer.terms("للمرأة", "ar")
    assert analyzer.terms("إدماج مؤشرات", "ar") == analyzer.terms("ادماج موشرات", "ar")


def test_arabic_article_and_conjunction(analyzer: BM25Analyzer) -> None:
    expected = analyzer.terms("ميزانية", "ar")
    for form in ("الميزانية", "والميزانية", "بالميزانية", "للميزانية", "الميزانيات"):
        assert analyzer.terms(form, "ar") == expected, form
    assert analyzer.terms("السنة", "ar") == analyzer.terms("سنة", "ar")


def test_arabic_stop_words_dropped(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("في هذه الميزانية التي وفي", "ar") == analyzer.terms("الميزانية", "ar")


# -- numbers and hashing ---------------------------------------------------------------------------------------


def test_numbers_kept(analyzer: BM25Analyzer) -> None:
    assert analyzer.terms("en 2015", "fr") == ["2015"]
    assert analyzer.terms("loi organique 130-13", "fr")[-3:] == ["130-13", "130", "13"]
    assert analyzer.terms("130.13", "fr") == analyzer.terms("130-13", "fr")
    assert "2015" in analyzer.terms("PGE 2012-2016 et 2015/2016", "fr")
    assert analyzer.terms("سنة ٢٠١٥", "ar")[-1] == "2015"


def test_term_index_is_stable() -> None:
    # Regression: stored vectors depend on these values; a change means re-indexing every collection.
    assert term_index("budgetis") == 3556267751
    assert term_index("ميزان") == 2799965848


# -- weights ---------------------------------------------------------------------------------------------------


def _weight(analyzer: BM25Analyzer, text: str, term: str) -> float:
    indices, values = analyzer.encode_document(text, "fr")
    return dict(zip(indices, values))[term_index(term)]


def test_bm25_weight_grows_with_tf_and_saturates(analyzer: BM25Analyzer) -> None:
    filler = " ".join(f"mot{i}" for i in range(20))
    once, twice, many = (_weight(analyzer, f"{'budget ' * n}{filler}", "budget") for n in (1, 2, 20))
    assert once < twice < many < analyzer.k1 + 1


def test_bm25_weight_shrinks_with_length(analyzer: BM25Analyzer) -> None:
    short = _weight(analyzer, "budget genre", "budget")
    long = _weight(analyzer, "budget " + " ".join(f"commune{i}" for i in range(300)), "budget")
    assert long < short


def test_query_weights_are_one_per_distinct_term(analyzer: BM25Analyzer) -> None:
    indices, values = analyzer.encode_query("budget budget genre Budget")
    assert len(indices) == len(set(indices)) == 2
    assert values == [1.0, 1.0]
    assert analyzer.encode_query("le la les") == ([], [])


def test_llamaindex_hooks_shape(analyzer: BM25Analyzer) -> None:
    texts = ["Les indicateurs sensibles au genre", "الميزانية المستجيبة للنوع"]
    indices, values = analyzer.sparse_doc_fn(texts)
    assert (indices[0], values[0]) == analyzer.encode_document(texts[0], "fr")
    assert len(indices) == len(values) == 2 and all(len(i) == len(v) for i, v in zip(indices, values))


# -- ranking in Qdrant -----------------------------------------------------------------------------------------

CHUNKS: list[tuple[str, str]] = [
    ("fr", "La loi organique 130-13 relative à la loi de finances fixe la programmation budgétaire triennale."),
    ("fr", "Les indicateurs de performance sensibles au genre mesurent l'effet de la budgétisation sur les femmes."),
    ("fr", "Le rapport sur le budget genre accompagne le projet de loi de finances depuis 2005."),
    ("en", "Gender-responsive budgeting indicators track how public spending reaches women and girls."),
    ("ar", "تهدف الميزانية المستجيبة للنوع الاجتماعي إلى إدماج مقاربة النوع في البرمجة الميزانياتية للقطاعات الوزارية."),
    ("ar", "يحدد القانون التنظيمي لقانون المالية قواعد تقديم الحسابات."),
]


@pytest.fixture(scope="module")
def collection(analyzer: BM25Analyzer) -> QdrantClient:
    client = QdrantClient(":memory:")
    client.create_collection(
        "chunks",
        vectors_config={},
        sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)},
    )
    client.upsert(
        "chunks",
        [
            models.PointStruct(id=i, vector={"bm25": to_sparse_vector(analyzer.encode_document(text, lang))})
            for i, (lang, text) in enumerate(CHUNKS)
        ],
    )
    return client


def _ranking(client: QdrantClient, analyzer: BM25Analyzer, query: str) -> list[int]:
    sparse = to_sparse_vector(analyzer.encode_query(query))
    return [int(p.id) for p in client.query_points("chunks", query=sparse, using="bm25", limit=10).points]


def test_french_query_ranks_french_chunk_first(collection: QdrantClient, analyzer: BM25Analyzer) -> None:
    assert _ranking(collection, analyzer, "Quels indicateurs sensibles au genre pour la budgétisation ?")[0] == 1
    assert _ranking(collection, analyzer, "loi 130-13")[0] == 0


def test_english_query_ranks_english_chunk_first(collection: QdrantClient, analyzer: BM25Analyzer) -> None:
    assert _ranking(collection, analyzer, "gender budgeting indicator for girls")[0] == 3


def test_arabic_query_matches_arabic_chunk(collection: QdrantClient, analyzer: BM25Analyzer) -> None:
    ranking = _ranking(collection, analyzer, "ما هي الميزانيّة المستجيبة للنوع؟")
    assert ranking[0] == 4
    assert all(CHUNKS[i][0] == "ar" for i in ranking)
