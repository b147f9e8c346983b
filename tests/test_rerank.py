"""Reranking is pluggable: any sentence-transformers CrossEncoder folder re-orders the fused candidates by its scores."""

from __future__ import annotations

import pytest

from assistant.rerank import rerank_scores


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> str:
    """No cross-encoder ships offline: build one from the E5 encoder with a fresh (seeded) scoring head.
    Its scores mean nothing; the test checks the plumbing, not the quality."""
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("cross-encoder")
    CrossEncoder(embed_model_path, num_labels=1, device="cpu", local_files_only=True).save(str(folder))
    return str(folder)


def test_reranker_orders_hits_by_its_scores(corpus_runtime, cross_encoder_dir: str) -> None:
    search = corpus_runtime.search
    question = "Comment formuler un indicateur sensible au genre ?"
    fused = search.search(question, k=search.settings.rerank_candidates, rerank=False)
    search.settings = search.settings.model_copy(update={"reranker": cross_encoder_dir})
    try:
        reranked = search.search(question, k=5)
    finally:
        search.settings = search.settings.model_copy(update={"reranker": None})
    expected = sorted(zip(rerank_scores(cross_encoder_dir, question, [h.text for h in fused]), fused), key=lambda p: -p[0])[:5]
    assert [h.chunk_id for h in reranked] == [h.chunk_id for _, h in expected]
    assert [h.rank for h in reranked] == [1, 2, 3, 4, 5]
    assert [h.score for h in reranked] == pytest.approx([s for s, _ in expected], rel=1e-5)


def test_reranking_without_a_model_is_a_clear_error(corpus_runtime) -> None:
    with pytest.raises(ValueError, match="MIZAN_RERANKER"):
        corpus_runtime.search.search("budget", k=3, rerank=True)
