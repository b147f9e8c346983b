"""The E5 encoder run by ONNX Runtime, as the first module of a SentenceTransformer.

Only the transformer's forward pass changes: the tokenizer, the prompts, sentence-transformers' length-sorted
batching, its mean pooling and normalization are the same objects the torch backend uses, read from the same
folder, so the two backends differ by the int8 arithmetic alone. (sentence-transformers' own `backend="onnx"`
would load the same file through optimum-onnx, which this stack cannot install: see core/models/e5_onnx.py.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnxruntime as ort
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from core.models.e5_onnx import EMBEDS_INPUT, OUTPUT_NAME, onnx_feed

TRANSFORMER = "sentence_transformers.base.modules.transformer.Transformer"
POOLING = "sentence_transformers.sentence_transformer.modules.pooling.Pooling"
NORMALIZE = "sentence_transformers.base.modules.normalize.Normalize"


class OnnxModelMissing(FileNotFoundError):
    """The folder has no ONNX export: `mizan models install` builds it for the offline model."""


class OnnxTransformer(InputModule):
    """Tokenizes like sentence-transformers' Transformer module and runs the encoder in an ONNX Runtime session."""

    def __init__(self, model_dir: Path, onnx_file: Path, threads: int, word_embeddings: torch.nn.Module | None = None,
                 tokenizer: PreTrainedTokenizerBase | None = None) -> None:
        super().__init__()
        # The query model borrows the torch model's tokenizer: a second copy of E5's 250k-token one is ~360 MB.
        self.tokenizer = tokenizer or AutoTokenizer.from_pretrained(model_dir)
        options = ort.SessionOptions()
        if threads > 0:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initializers say nothing to a user
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self._hidden = int(self.session.get_outputs()[0].shape[-1])
        from_embeds = EMBEDS_INPUT in {value.name for value in self.session.get_inputs()}
        if from_embeds and word_embeddings is None:
            raise ValueError(f"{onnx_file.name} starts from word vectors: it needs the torch model's word embeddings")
        # In a list: not a submodule of this one (it belongs to the torch model). None: the export takes token ids.
        self._word_embeddings = [word_embeddings if from_embeds else None]

    @property
    def max_seq_length(self) -> int:
        """The tokenizer's limit, as sentence-transformers' Transformer module reads it."""
        return int(self.tokenizer.model_max_length)

    def preprocess(self, inputs: Any, prompt: str | None = None, **kwargs: Any) -> dict[str, torch.Tensor]:
        texts = [prompt + text for text in inputs] if prompt else list(inputs)
        return dict(self.tokenizer(texts, padding=True, truncation="longest_first", max_length=self.max_seq_length,
                                   return_tensors="pt"))

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        feed = onnx_feed(features["input_ids"], features["attention_mask"], self._word_embeddings[0])
        (hidden,) = self.session.run([OUTPUT_NAME], feed)
        features["token_embeddings"] = torch.from_numpy(hidden)
        return features

    def get_embedding_dimension(self) -> int:
        return self._hidden

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("an ONNX-backed model is saved by `mizan models install`, not by save()")


def onnx_sentence_transformer(model_dir: Path, onnx_file: Path, threads: int,
                              word_embeddings: torch.nn.Module | None = None,
                              tokenizer: PreTrainedTokenizerBase | None = None) -> SentenceTransformer:
    """The folder's model with its encoder in ONNX Runtime; the folder must be Transformer → Pooling → Normalize.
    A model exported from word vectors on (the query model) reads them from `word_embeddings`."""
    if not onnx_file.is_file():
        raise OnnxModelMissing(f"no ONNX export at {onnx_file}: run `mizan models install` first")
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    types = [module["type"] for module in modules]
    if types[:2] != [TRANSFORMER, POOLING] or not set(types[2:]) <= {NORMALIZE}:
        raise ValueError(f"{model_dir}: the ONNX backend runs Transformer → Pooling → Normalize models, not {types}")
    encoder = OnnxTransformer(model_dir, onnx_file, threads, word_embeddings, tokenizer)
    pooling = Pooling.load(str(model_dir), subfolder=modules[1]["path"], local_files_only=True)
    tail = [Normalize()] if types[2:] else []
    st_config = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    return SentenceTransformer(modules=[encoder, pooling, *tail], prompts=st_config.get("prompts") or {},
                               device="cpu")
