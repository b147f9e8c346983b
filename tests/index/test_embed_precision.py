"""bf16 autocast against fp32 on the real model: the speed-up must not change what is found, and bf16 vectors must
never be stored or cached where fp32 ones are expected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.settings import Settings
from evaluation.runner import collection_name
from index import embedder as embedder_module
from index.embedder import Embedder, get_embedder, resolve_precision
from tests.index.test_embed_backends import QUERIES, TEXTS

MIN_COSINE = 0.9999
"""Measured on these texts and 64 long passages: 0.99999+ (autocast keeps norms and softmax in fp32)."""


@pytest.fixture(scope="module")
def fp32(embed_model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return get_embedder(Settings(data_dir=tmp_path_factory.mktemp("fp32"), embed_model=embed_model_path,
                                 embed_precision="fp32"))


@pytest.fixture(scope="module")
def bf16(embed_model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return get_embedder(Settings(data_dir=tmp_path_factory.mktemp("bf16"), embed_model=embed_model_path,
                                 embed_precision="bf16"))


def test_bf16_vectors_stay_at_fp32s_place(fp32: Embedder, bf16: Embedder) -> None:
    a, b = fp32.embed_passages(TEXTS), bf16.embed_passages(TEXTS)
    assert a.dtype == b.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) >= MIN_COSINE
    assert not np.array_equal(a, b)  # the bf16 arithmetic really ran (equal rows would mean fp32 twice)
    # queries stay fp32: one short text gains nothing and would compile a kernel per length
    assert np.array_equal(fp32.embed_queries(QUERIES), bf16.embed_queries(QUERIES))


def test_bf16_ranks_passages_as_fp32_does(fp32: Embedder, bf16: Embedder) -> None:
    for model in (fp32, bf16):
        assert model.embed_queries(QUERIES).shape == (3, model.dimension)
    rankings = [np.argsort(-(m.embed_queries(QUERIES) @ m.embed_passages(TEXTS).T), axis=1) for m in (fp32, bf16)]
    assert (rankings[0] == rankings[1]).all()


def test_one_model_in_memory_for_both(fp32: Embedder, bf16: Embedder) -> None:
    assert fp32._model is bf16._model and fp32 is not bf16


def test_bf16_never_shares_keys_with_fp32(fp32: Embedder, bf16: Embedder, tmp_path: Path) -> None:
    assert fp32.key == fp32.name and bf16.key == f"{bf16.name}#bf16"
    base = Settings(data_dir=tmp_path, embed_model=fp32.name, embed_precision="fp32")
    corpus = tmp_path / "corpus"
    names = {collection_name(base.model_copy(update={"embed_precision": p}), corpus) for p in ("fp32", "bf16")}
    assert len(names) == 2


def test_auto_picks_bf16_only_on_cpus_that_have_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedder_module, "native_bf16", lambda: True)
    assert resolve_precision("auto", "torch") == "bf16"
    assert resolve_precision("auto", "onnx") == "fp32"  # int8 ONNX has its own arithmetic
    assert resolve_precision("fp32", "torch") == "fp32"
    monkeypatch.setattr(embedder_module, "native_bf16", lambda: False)
    assert resolve_precision("auto", "torch") == "fp32"
    assert resolve_precision("bf16", "torch") == "bf16"  # asked for explicitly: the user's choice
    monkeypatch.setenv("MIZAN_EMBED_PRECISION", "fp16")
    with pytest.raises(ValueError, match="embed_precision"):
        Settings()
