"""The embedding client: one sentence-transformers model per process, with the model family's prefixes applied here.

E5 models were trained with `query: ` / `passage: ` in front of every text and score noticeably worse without
them, so callers ask for query or passage embeddings and never handle prefixes themselves. The chunker counts
tokens with the same tokenizer (`tokenizer`, `prefix_token_count`) so chunks fit the model once prefixed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
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
Precision = Literal["fp32", "bf16"]

E5_PREFIXES: dict[TextKind, str] = {"query": "query: ", "passage": "passage: "}

LLAMA_INDEX_BATCH = 512
"""Texts LlamaIndex hands over per call: sentence-transformers sorts each call by length before cutting it into
forward passes of `embed_batch_size`, so bigger calls pad less."""


class EmbeddingModelMissing(FileNotFoundError):
    """The default model folder is absent: `mizan models install` has not run for this data dir."""


class Embedder:
    """Embeds queries and passages as L2-normalized float32 rows, prefixing them as the model expects."""

    def __init__(self, model: SentenceTransformer, name: str, batch_size: int, backend: Backend = "torch",
                 precision: Precision = "fp32", query_model: SentenceTransformer | None = None) -> None:
        self._model = model
        # Queries in fp32 through ONNX Runtime: one short text is mostly per-call overhead in torch (48 ms against
        # 28 ms), the vectors are fp32 torch's, and under 20 concurrent clients that time is every request's.
        self._query_model = query_model
        self.name = name
        self.batch_size = batch_size
        self.backend = backend
        self.precision: Precision = precision if backend == "torch" else "fp32"
        self._prefixes = _prefixes_for(model, name)
        self._prefix_tokens = {kind: self._count_tokens(prefix) for kind, prefix in self._prefixes.items()}

    @property
    def key(self) -> str:
        """What its vectors depend on: the model, and the backend or precision unless fp32 torch (whose key stays
        the bare name, so caches and eval collections built before backends existed stay valid). Anything kept on
        disk or named after embeddings is keyed by this, so int8, bf16 and fp32 vectors never mix."""
        if self.backend != "torch":
            return f"{self.name}#{self.backend}"
        return self.name if self.precision == "fp32" else f"{self.name}#{self.precision}"

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

    @property
    def query_runtime(self) -> str:
        """What embeds queries: "onnx-fp32" (the fp32 export) or this embedder's own model."""
        return "onnx-fp32" if self._query_model is not None else self.backend

    def _embed(self, texts: Sequence[str], kind: TextKind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._query_model if kind == "query" and self._query_model is not None else self._model
        with self._arithmetic(kind):
            vectors = model.encode(
                list(texts),
                prompt=self._prefixes[kind],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    @contextmanager
    def _arithmetic(self, kind: TextKind = "passage") -> Iterator[None]:
        """Autocast rather than bf16 weights: matmuls run in bf16 (the AMX speed-up) while layer norms, softmax and
        the final normalisation stay fp32, which keeps vectors at cosine 0.99999 of fp32 (bf16 weights: 0.998).
        Autocast state is per thread, so concurrent queries and an upload's embedding never see each other's.
        Passages only: a query is one short text, where bf16 gains nothing (45 vs 50 ms) and oneDNN compiles a
        kernel per new query length (20 clients, fresh server: search p95 8.8 s in bf16, 3.3 s in fp32)."""
        bf16 = self.precision == "bf16" and kind == "passage"
        context = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()
        with context:
            yield

    def _count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The process-wide embedder for these settings (loaded on first use, then reused)."""
    settings = settings or get_settings()
    return _load_embedder(settings.embed_model_path, not settings.embed_model, settings.embed_batch_size,
                          settings.embed_threads, settings.embed_backend,
                          resolve_precision(settings.embed_precision, settings.embed_backend),
                          settings.query_encoder)


def native_bf16() -> bool:
    """Whether the CPU does bf16 arithmetic in hardware (AMX tiles or AVX512-BF16); without it torch emulates bf16
    and autocast is slower than fp32. torch's own probes are private, hence the guarded lookup."""
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, probe, lambda: False)()) for probe in probes)


def resolve_precision(requested: str, backend: str) -> Precision:
    """`auto` becomes bf16 only for the torch backend on a CPU with native bf16; ONNX has its own (int8) arithmetic."""
    if backend != "torch":
        return "fp32"
    if requested == "auto":
        return "bf16" if native_bf16() else "fp32"
    return "bf16" if requested == "bf16" else "fp32"


@cache
def _load_embedder(model_path: str, is_default: bool, batch_size: int, threads: int, backend: Backend,
                   precision: Precision = "fp32", query_encoder: str = "torch") -> Embedder:
    model = _load_model(model_path, is_default, threads, backend)
    query_model = _load_query_model(model_path, is_default, threads) \
        if _onnx_queries(model_path, backend, query_encoder) else None
    return Embedder(model, model_path, batch_size, backend, precision, query_model)


def _onnx_queries(model_path: str, backend: Backend, query_encoder: str) -> bool:
    """onnx: required (a missing export fails the load); auto: when installed; never beside the onnx backend,
    whose queries go through its own int8 model."""
    if backend != "torch" or query_encoder == "torch":
        return False
    from core.models.e5_onnx import fp32_path

    return query_encoder == "onnx" or fp32_path(Path(model_path)).is_file()


@cache
def _load_query_model(model_path: str, is_default: bool, threads: int) -> SentenceTransformer:
    """The fp32 ONNX query model, reading word vectors from the torch model's table (one copy in memory)."""
    from core.models.e5_onnx import fp32_path
    from index.onnx_encoder import onnx_sentence_transformer

    torch_model = _load_model(model_path, is_default, threads, "torch")
    lookup = torch_model[0].auto_model.get_input_embeddings()
    return onnx_sentence_transformer(Path(model_path), fp32_path(Path(model_path)), threads, lookup,
                                     torch_model.tokenizer)


@cache
def _load_model(model_path: str, is_default: bool, threads: int, backend: Backend) -> SentenceTransformer:
    """One model in memory per path and backend: fp32 and bf16 embedders share it (autocast leaves weights alone)."""
    local = Path(model_path).is_dir()
    if is_default and not local:
        raise EmbeddingModelMissing(f"no embedding model in {model_path}: run `mizan models install` first")
    if threads > 0:
        torch.set_num_threads(threads)
    if backend == "onnx":
        from core.models.e5_onnx import int8_path
        from index.onnx_encoder import onnx_sentence_transformer

        return onnx_sentence_transformer(Path(model_path), int8_path(Path(model_path)), threads)
    # A local folder must never send the load to the hub; a hub id is the user's explicit choice.
    return SentenceTransformer(model_path, device="cpu", local_files_only=local)


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
