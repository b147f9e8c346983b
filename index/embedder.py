"""The embedding client: one sentence-transformers model per process, with the model family's prefixes applied here.

E5 models were trained with `query: ` / `passage: ` in front of every text and score noticeably worse without
them, so callers ask for query or passage embeddings and never handle prefixes themselves. The chunker counts
tokens with the same tokenizer (`tokenizer`, `prefix_token_count`) so chunks fit the model once prefixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import PrivateAttr
from sentence_transformers import SentenceTransformer
from transformers import PreTrainedTokenizerBase

from core.settings import Settings, get_settings

TextKind = Literal["query", "passage"]
Backend = Literal["torch", "onnx"]

E5_PREFIXES: dict[TextKind, str] = {"query": "query: ", "passage": "passage: "}

LLAMA_INDEX_BATCH = 512
"""Texts LlamaIndex hands over per call: sentence-transformers sorts each call by length before cutting it into
forward passes of `embed_batch_size`, so bigger calls pad less."""


class EmbeddingModelMissing(FileNotFoundError):
    """The default model folder is absent: `mizan models install` has not run for this data dir."""


class Embedder:
    """Embeds queries and passages as L2-normalized float32 rows, prefixing them as the model expects."""

    def __init__(self, model: SentenceTransformer, name: str, batch_size: int, backend: Backend = "torch") -> None:
        self._model = model
        self.name = name
        self.batch_size = batch_size
        self.backend = backend
        self._prefixes = _prefixes_for(model, name)
        self._prefix_tokens = {kind: self._count_tokens(prefix) for kind, prefix in self._prefixes.items()}

    @property
    def key(self) -> str:
        """What its vectors depend on: the model, and the backend unless fp32 torch (whose key stays the bare name,
        so caches and eval collections built before backends existed stay valid). Anything kept on disk or named
        after embeddings is keyed by this, so int8 and fp32 vectors never mix."""
        return self.name if self.backend == "torch" else f"{self.name}#{self.backend}"

    @property
    def dimension(self) -> int:
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"{self.name} does not report its embedding dimension")
        return dimension

    @property
    def max_seq_length(self) -> int:
        """Tokens per text, special tokens and prefix included; longer texts are truncated by the model."""
        return int(self._model.max_seq_length)

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        return self._model.tokenizer

    def prefix(self, kind: TextKind) -> str:
        return self._prefixes[kind]

    def prefix_token_count(self, kind: TextKind) -> int:
        """Tokens the prefix adds in front of a text (special tokens not counted; 0 for unprefixed models)."""
        return self._prefix_tokens[kind]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage")

    def _embed(self, texts: Sequence[str], kind: TextKind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            prompt=self._prefixes[kind],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def _count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The process-wide embedder for these settings (loaded on first use, then reused)."""
    settings = settings or get_settings()
    return _load_embedder(settings.embed_model_path, not settings.embed_model, settings.embed_batch_size,
                          settings.embed_threads, settings.embed_backend)


@cache
def _load_embedder(model_path: str, is_default: bool, batch_size: int, threads: int, backend: Backend) -> Embedder:
    local = Path(model_path).is_dir()
    if is_default and not local:
        raise EmbeddingModelMissing(f"no embedding model in {model_path}: run `mizan models install` first")
    if threads > 0:
        torch.set_num_threads(threads)
    if backend == "onnx":
        from core.models.e5_onnx import int8_path
        from index.onnx_encoder import onnx_sentence_transformer

        model = onnx_sentence_transformer(Path(model_path), int8_path(Path(model_path)), threads)
    else:
        # A local folder must never send the load to the hub; a hub id is the user's explicit choice.
        model = SentenceTransformer(model_path, device="cpu", local_files_only=local)
    return Embedder(model, model_path, batch_size, backend)


def _prefixes_for(model: SentenceTransformer, name: str) -> dict[TextKind, str]:
    """The saved prompts when the model folder declares them, E5's when the name says E5, else none."""
    prompts = model.prompts
    saved: dict[TextKind, str] = {
        "query": prompts.get("query", ""),
        "passage": prompts.get("passage") or prompts.get("document", ""),
    }
    if any(saved.values()):
        return saved
    if "e5" in Path(name).name.lower():
        return dict(E5_PREFIXES)
    return {"query": "", "passage": ""}


class MizanEmbedding(BaseEmbedding):
    """LlamaIndex's view of the embedder (IngestionPipeline, retrievers): texts are passages, queries are queries."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, embed_batch_size: int = LLAMA_INDEX_BATCH) -> None:
        super().__init__(model_name=embedder.name, embed_batch_size=embed_batch_size)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "MizanEmbedding"

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embedder.embed_queries([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embedder.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embedder.embed_passages(texts).tolist()
