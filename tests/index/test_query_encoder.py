"""Queries through the fp32 ONNX export: the vectors fp32 torch gives, found in the same order, and a clear rule for
when the export is used (auto when installed, required when asked for, never beside the int8 backend)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from core.settings import Settings
from index.embedder import Embedder, get_embedder
from index.onnx_encoder import OnnxModelMissing, OnnxTransformer
from tests.index.test_embed_backends import QUERIES, TEXTS

MIN_COSINE = 0.99999
"""Measured on the 86 real and 54 sample questions: 0.9999999 (graph fusions only reorder the sums)."""


def _embedder(folder: Path, model: str | Path, **overrides: object) -> Embedder:
    return get_embedder(Settings(data_dir=folder, embed_model=str(model), embed_precision="fp32", **overrides))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def without_export(embed_model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installed model folder minus its ONNX exports."""
    folder = tmp_path_factory.mktemp("no-onnx") / "multilingual-e5-small"
    shutil.copytree(embed_model_path, folder, ignore=shutil.ignore_patterns("onnx"))
    return folder


def test_auto_embeds_queries_with_the_fp32_export(embed_model_path: str, tmp_path: Path) -> None:
    onnx, torch = _embedder(tmp_path, embed_model_path), _embedder(tmp_path, embed_model_path, query_encoder="torch")
    assert onnx.query_runtime == "onnx-fp32" and isinstance(onnx._query_model[0], OnnxTransformer)
    assert torch.query_runtime == "torch" and torch._query_model is None
    assert onnx._model is torch._model  # passages: one model in memory, whoever embeds the queries
    # and the query model borrows its tokenizer and word-vector table (96M of E5's 118M parameters)
    encoder = onnx._query_model[0]
    assert encoder.tokenizer is torch._model.tokenizer
    assert encoder._word_embeddings[0] is torch._model[0].auto_model.get_input_embeddings()
    fast, reference = onnx.embed_queries(QUERIES), torch.embed_queries(QUERIES)
    assert fast.dtype == np.float32 and fast.shape == reference.shape
    assert (fast * reference).sum(axis=1).min() >= MIN_COSINE
    passages = torch.embed_passages(TEXTS)
    np.testing.assert_array_equal(onnx.embed_passages(TEXTS), passages)
    order = [np.argsort(-(queries @ passages.T), axis=1) for queries in (fast, reference)]
    np.testing.assert_array_equal(order[0], order[1])


def test_without_the_export_auto_falls_back_and_onnx_says_how_to_build_it(without_export: Path, tmp_path: Path) -> None:
    assert _embedder(tmp_path, without_export).query_runtime == "torch"
    with pytest.raises(OnnxModelMissing, match="mizan models install"):
        _embedder(tmp_path, without_export, query_encoder="onnx")


def test_the_int8_backend_keeps_its_own_queries(embed_model_path: str, tmp_path: Path) -> None:
    int8 = get_embedder(Settings(data_dir=tmp_path, embed_model=embed_model_path, embed_backend="onnx"))
    assert int8.query_runtime == "onnx" and int8._query_model is None


def test_a_bad_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIZAN_QUERY_ENCODER", "gpu")
    with pytest.raises(ValueError, match="query_encoder"):
        Settings()
