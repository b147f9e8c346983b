"""Reranking is pluggable: any sentence-transformers CrossEncoder folder re-orders the fused candidates by its scores."""

from __future__ import annotations

import pytest

from assistant.search import rerank


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


class FakeCrossEncoder:
    """Scores each (query, passage) pair by a number fixed in advance (0 for passages not named): the expected
    order is known without calling the code under test."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores
        self.pairs: list[tuple[str, str]] = []

    def predict(self, pairs: list[tuple[str, str]], show_progress_bar: bool = False) -> list[float]:
        self.pairs.extend(pairs)
        return [self.scores.get(text, 0.0) for _, text in pairs]


QUESTION = "Comment formuler un indicateur sensible au genre ?"


def test_reranker_orders_hits_by_its_scores(corpus_runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cross-encoder likes the fused candidates 6-10 best, in reverse order: those five come first, the tenth
    first, each with the score it was given (the rest score 0)."""
    search = corpus_runtime.search
    fused = search.search(QUESTION, k=search.settings.rerank_candidates, rerank=False)
    assert len(fused) == search.settings.rerank_candidates >= 10
    liked = fused[5:10]
    fake = FakeCrossEncoder({h.text: 6.0 + i for i, h in enumerate(liked)})  # fused[9] scores 10, fused[5] scores 6
    monkeypatch.setattr(rerank, "get_reranker", lambda name: fake if name == "fake-cross-encoder" else None)
    monkeypatch.setattr(search, "settings", search.settings.model_copy(update={"reranker": "fake-cross-encoder"}))
    reranked = search.search(QUESTION, k=5)
    # every fused candidate scored once, against the question
    assert len(fake.pairs) == len(fused) and {q for q, _ in fake.pairs} == {QUESTION}
    assert len({t for _, t in fake.pairs}) == len(fused) and {h.text for h in liked} <= {t for _, t in fake.pairs}
    assert [h.chunk_id for h in reranked] == [h.chunk_id for h in reversed(liked)]
    assert [h.rank for h in reranked] == [1, 2, 3, 4, 5]
    assert [h.score for h in reranked] == [10.0, 9.0, 8.0, 7.0, 6.0]


def test_a_real_cross_encoder_folder_reranks_the_fused_candidates(corpus_runtime, cross_encoder_dir: str) -> None:
    """The plumbing with a real CrossEncoder (its scores mean nothing): the five kept are fused candidates, ranked by
    falling score, and each score is the model's score of that pair alone."""
    from sentence_transformers import CrossEncoder

    search = corpus_runtime.search
    fused = {h.chunk_id: h for h in search.search(QUESTION, k=search.settings.rerank_candidates, rerank=False)}
    search.settings = search.settings.model_copy(update={"reranker": cross_encoder_dir})
    try:
        reranked = search.search(QUESTION, k=5)
    finally:
        search.settings = search.settings.model_copy(update={"reranker": None})
    assert len(reranked) == 5 and all(h.chunk_id in fused for h in reranked)
    assert [h.rank for h in reranked] == [1, 2, 3, 4, 5]
    scores = [h.score for h in reranked]
    assert scores == sorted(scores, reverse=True)
    model = CrossEncoder(cross_encoder_dir, device="cpu", local_files_only=True)
    alone = [float(model.predict([(QUESTION, h.text)], show_progress_bar=False)[0]) for h in reranked]
    assert scores == pytest.approx(alone, rel=1e-4, abs=1e-5)


def test_reranking_without_a_model_is_a_clear_error(corpus_runtime) -> None:
    with pytest.raises(ValueError, match="MIZAN_RERANKER"):
        corpus_runtime.search.search("budget", k=3, rerank=True)
