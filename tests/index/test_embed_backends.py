"""The int8 ONNX Runtime backend against fp32 torch, on the real rebuilt model: same tokens, near-identical vectors,
the same rankings, and never a vector of one backend where the other's is expected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sentence_transformers.base.modules.transformer import Transformer

from core.settings import Settings
from evaluation.runner import collection_name
from index.embedder import Embedder, get_embedder
from index.onnx_encoder import OnnxModelMissing, OnnxTransformer, onnx_sentence_transformer
from index.sentence_store import SentenceVectorStore
from tests.conftest import CORPUS

TEXTS = [
    "La budgétisation sensible au genre renforce l'égalité entre les femmes et les hommes.",
    "Gender-responsive budgeting strengthens equality between women and men.",
    "الميزانية المستجيبة للنوع الاجتماعي تعزز المساواة بين النساء والرجال.",
    "Le programme 'Autonomisation économique des femmes' vise 120 000 bénéficiaires d'ici 2026, dont 60 % en milieu rural.",
    "The finance bill allocates MAD 3.2 billion to the programme; indicators are disaggregated by sex and region.",
    "يهدف البرنامج إلى تقليص الفوارق بين الجنسين في الولوج إلى الخدمات الصحية بالمناطق القروية.",
]
QUERIES = [
    "Quels indicateurs sont ventilés par sexe ?",
    "How much does the finance bill allocate?",
    "ما هي أهداف البرنامج في المناطق القروية؟",
]
MIN_COSINE = 0.98
"""Measured on these texts: 0.985+ (queries), 0.994+ (passages); retrieval: evaluation/RESULTS.md."""
MAX_SCORE_SHIFT = 0.02


@pytest.fixture(scope="module")
def torch_embedder(embed_model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return get_embedder(Settings(data_dir=tmp_path_factory.mktemp("torch"), embed_model=embed_model_path,
                                 embed_precision="fp32"))


@pytest.fixture(scope="module")
def onnx_embedder(embed_model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    settings = Settings(data_dir=tmp_path_factory.mktemp("onnx"), embed_model=embed_model_path, embed_backend="onnx")
    return get_embedder(settings)


def test_the_setting_selects_the_backend(torch_embedder: Embedder, onnx_embedder: Embedder,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(onnx_embedder._model[0], OnnxTransformer) and onnx_embedder.backend == "onnx"
    assert isinstance(torch_embedder._model[0], Transformer) and torch_embedder.backend == "torch"
    monkeypatch.setenv("MIZAN_EMBED_BACKEND", "onnx")
    assert Settings().embed_backend == "onnx"
    assert get_embedder(Settings(embed_model=onnx_embedder.name)) is onnx_embedder  # loaded once per process
    monkeypatch.setenv("MIZAN_EMBED_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="embed_backend"):
        Settings()


def test_both_backends_tokenize_alike(torch_embedder: Embedder, onnx_embedder: Embedder) -> None:
    long = " ".join(TEXTS * 40)  # past 512 tokens: both truncate at the same place
    torch_features = torch_embedder._model.preprocess([*TEXTS, long], prompt="passage: ")
    onnx_features = onnx_embedder._model.preprocess([*TEXTS, long], prompt="passage: ")
    for name in ("input_ids", "attention_mask"):
        assert torch_features[name].tolist() == onnx_features[name].tolist()
    assert onnx_features["input_ids"].shape[1] == 512
    assert onnx_embedder.dimension == torch_embedder.dimension == 384
    assert onnx_embedder.prefix("query") == "query: " and onnx_embedder.max_seq_length == 512


def test_int8_vectors_stay_close_to_fp32(torch_embedder: Embedder, onnx_embedder: Embedder) -> None:
    for embed in ("embed_passages", "embed_queries"):
        fp32, int8 = getattr(torch_embedder, embed)(TEXTS), getattr(onnx_embedder, embed)(TEXTS)
        assert int8.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
        cosines = (fp32 * int8).sum(axis=1)
        assert cosines.min() >= MIN_COSINE, cosines


def test_both_backends_rank_alike(torch_embedder: Embedder, onnx_embedder: Embedder) -> None:
    """Each query puts the same passage first on both backends, and no query-passage score moves by 0.02."""
    scores = [embedder.embed_queries(QUERIES) @ embedder.embed_passages(TEXTS).T
              for embedder in (torch_embedder, onnx_embedder)]
    assert scores[0].argmax(axis=1).tolist() == scores[1].argmax(axis=1).tolist()
    assert np.abs(scores[0] - scores[1]).max() < MAX_SCORE_SHIFT


def test_vectors_on_disk_are_keyed_by_backend(tmp_path: Path, torch_embedder: Embedder, onnx_embedder: Embedder
                                              ) -> None:
    """The sentence-vector cache and eval collections: fp32 keys as before, int8 ones apart from them."""
    assert torch_embedder.key == torch_embedder.name and onnx_embedder.key != torch_embedder.key
    path = tmp_path / "sentence-vectors.sqlite"
    SentenceVectorStore(path, torch_embedder).vectors(TEXTS[:2])
    from_int8 = SentenceVectorStore(path, onnx_embedder).vectors(TEXTS[:2])
    expected = onnx_embedder.embed_passages(TEXTS[:2]).astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(from_int8, expected)  # embedded anew, not read back from the fp32 rows
    torch_settings = Settings(embed_model=torch_embedder.name)
    onnx_settings = torch_settings.model_copy(update={"embed_backend": "onnx"})
    assert collection_name(torch_settings, CORPUS) != collection_name(onnx_settings, CORPUS)


def test_a_folder_without_export_says_how_to_build_it(tmp_path: Path, embed_model_path: str) -> None:
    with pytest.raises(OnnxModelMissing, match="mizan models install"):
        onnx_sentence_transformer(Path(embed_model_path), tmp_path / "model_qint8.onnx", threads=1)
