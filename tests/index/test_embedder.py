"""The embedding client on the real rebuilt multilingual-e5-small: retrieval sense, cross-lingual sense, stability."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from core.models import install_embedding
from core.settings import Settings, get_settings
from index.embedder import E5_PREFIXES, Embedder, EmbeddingModelMissing, MizanEmbedding, _prefixes_for, get_embedder

FR = "La budgétisation sensible au genre renforce l'égalité entre les femmes et les hommes."
AR = "الميزانية المستجيبة للنوع الاجتماعي تعزز المساواة بين النساء والرجال."
EN = "Gender-responsive budgeting strengthens equality between women and men."
UNRELATED = [
    "Le match de football s'est terminé sur un score nul.",
    "Recette : faire revenir les oignons dans l'huile d'olive.",
    "The weather forecast predicts heavy rain tomorrow in Tangier.",
]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The data dir's model: reused when installed and verified, built once otherwise (~30 s)."""
    settings = get_settings()
    install_embedding(settings)
    return get_embedder(settings)


def test_embedder_is_created_once_per_process(embedder: Embedder) -> None:
    assert get_embedder(get_settings()) is embedder


def test_vectors_are_normalized_float32(embedder: Embedder) -> None:
    vectors = embedder.embed_passages([FR, AR, EN])
    assert vectors.shape == (3, embedder.dimension) == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_queries([]).shape == (0, 384)


def test_french_query_ranks_its_passage_first(embedder: Embedder) -> None:
    query = embedder.embed_queries(
        ["Comment intégrer la dimension genre dans les indicateurs de performance budgétaire ?"]
    )
    passages = embedder.embed_passages([
        "Le stade municipal accueillera la finale de la coupe régionale de football samedi prochain.",
        "Les projets de performance des départements ministériels comportent des indicateurs sensibles au genre, "
        "ventilés par sexe lorsque c'est possible.",
        "La recette traditionnelle du tajine aux pruneaux demande une cuisson lente de trois heures.",
        "Le réseau de tramway de Rabat-Salé sera prolongé de sept kilomètres d'ici 2026.",
    ])
    scores = (query @ passages.T)[0]
    assert int(np.argmax(scores)) == 1
    assert scores[1] - np.delete(scores, 1).max() > 0.05


def test_translations_are_nearer_each_other_than_unrelated_text(embedder: Embedder) -> None:
    vectors = embedder.embed_passages([FR, AR, EN, *UNRELATED])
    similarity = vectors @ vectors.T
    translations, unrelated = similarity[:3, :3], similarity[:3, 3:]
    assert translations[np.triu_indices(3, 1)].min() > unrelated.max()


def test_embedding_of_a_fixed_text_is_stable(embedder: Embedder) -> None:
    """fp32 reference values: the rebuilt model's own arithmetic (bf16 is compared with fp32 in test_embed_precision)."""
    embedder = get_embedder(get_settings().model_copy(update={"embed_precision": "fp32"}))
    np.testing.assert_allclose(
        embedder.embed_passages([FR])[0, :6],
        [0.0045472, -0.0593356, -0.0439723, -0.0584276, 0.0570741, -0.0390244],
        atol=1e-4,
    )
    np.testing.assert_allclose(
        embedder.embed_queries([FR])[0, :6],
        [0.0039056, -0.0673953, -0.0596428, -0.0469671, 0.0519388, -0.0442549],
        atol=1e-4,
    )


def test_e5_prefixes_are_applied(embedder: Embedder) -> None:
    assert embedder.prefix("query") == "query: " and embedder.prefix("passage") == "passage: "
    raw = []
    for kind, text in (("query", "query: " + FR), ("passage", "passage: " + FR), ("query", FR)):
        with embedder._arithmetic(kind):  # the same precision as the embedder's own calls
            raw.append(embedder._model.encode([text], normalize_embeddings=True)[0])  # one at a time: no padding
    np.testing.assert_allclose(embedder.embed_queries([FR])[0], raw[0], atol=1e-5)
    np.testing.assert_allclose(embedder.embed_passages([FR])[0], raw[1], atol=1e-5)
    assert not np.allclose(raw[0], raw[2], atol=1e-3)
    assert embedder.prefix_token_count("query") == 3 and embedder.prefix_token_count("passage") == 2
    assert embedder.max_seq_length == 512
    assert len(embedder.tokenizer(FR, add_special_tokens=False)["input_ids"]) == 20


def test_prefixes_follow_saved_prompts_then_the_name() -> None:
    no_prompts = SimpleNamespace(prompts={"query": "", "document": ""})
    assert _prefixes_for(no_prompts, "/models/intfloat/multilingual-e5-base") == E5_PREFIXES
    assert _prefixes_for(no_prompts, "/data/e5/bge-m3") == {"query": "", "passage": ""}
    custom = SimpleNamespace(prompts={"query": "Represent this query: ", "document": "Doc: "})
    assert _prefixes_for(custom, "any") == {"query": "Represent this query: ", "passage": "Doc: "}


def test_llama_index_adapter_uses_the_same_embedder(embedder: Embedder) -> None:
    adapter = MizanEmbedding(embedder)
    np.testing.assert_allclose(adapter.get_query_embedding(FR), embedder.embed_queries([FR])[0], atol=1e-5)
    batch = adapter.get_text_embedding_batch([FR, EN])
    np.testing.assert_allclose(batch, embedder.embed_passages([FR, EN]), atol=1e-5)
    assert adapter.embed_batch_size >= 256


def test_missing_default_model_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelMissing, match="mizan models install"):
        get_embedder(Settings(data_dir=tmp_path))
