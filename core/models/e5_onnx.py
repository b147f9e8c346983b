"""Export the rebuilt E5 folder to ONNX Runtime models, beside it, in sentence-transformers' layout: a fused fp32
encoder for queries (the same vectors as fp32 torch, in about half the time for one short text) and the int8 quantization of the
whole encoder (MIZAN_EMBED_BACKEND=onnx).

The query model starts after the word-embedding lookup: it takes the token vectors, which the caller reads from the
torch model it holds anyway. The lookup table is 96M of the model's 118M parameters; a second copy of it in ONNX
Runtime cost the API 880 MB of peak memory.

sentence-transformers' own ONNX backend needs optimum-onnx, whose only release pins transformers < 4.58 (this
stack runs transformers 5): installing it would downgrade the stack, and optimum-intel would pull a CUDA torch.
So the export uses the pieces those wrap: torch's ONNX exporter, ONNX Runtime's BERT graph fusions (what
optimum's ORTOptimizer calls) and its dynamic int8 quantization (what `export_dynamic_quantized_onnx_model`
calls), and writes the file where that backend looks for it (`onnx/model_qint8.onnx`).
"""

from __future__ import annotations

import gc
import logging
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer, BertModel

ONNX_SUBDIR = "onnx"
INT8_FILE = "model_qint8.onnx"
"""The int8 model inside the sentence-transformers folder: `<folder>/onnx/model_qint8.onnx`."""
FP32_FILE = "model_fp32_from_embeds.onnx"
"""The fused fp32 query model, from word vectors on: `<folder>/onnx/model_fp32_from_embeds.onnx`."""
EMBEDS_INPUT = "inputs_embeds"
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAME = "last_hidden_state"
OPSET = 17
MIN_COSINE = 0.98
MIN_COSINE_FP32 = 0.9999  # fp32 graph fusions only reorder sums: anything lower is a broken export
CHECK_TEXTS = [
    "passage: La budgétisation sensible au genre renforce l'égalité entre les femmes et les hommes.",
    "query: What share of the budget goes to gender-responsive programmes?",
    "passage: الميزانية المستجيبة للنوع الاجتماعي تعزز المساواة بين النساء والرجال في الولوج إلى الخدمات.",
]


def int8_path(model_dir: Path) -> Path:
    return model_dir / ONNX_SUBDIR / INT8_FILE


def fp32_path(model_dir: Path) -> Path:
    return model_dir / ONNX_SUBDIR / FP32_FILE


def onnx_feed(input_ids: torch.Tensor, attention_mask: torch.Tensor,
              word_embeddings: torch.nn.Module | None = None) -> dict[str, np.ndarray]:
    """An export's inputs: the token ids, or, for the query model (which starts after the lookup), their word vectors
    read from `word_embeddings`, the torch model's table."""
    feed = {INPUT_NAMES[1]: attention_mask.numpy().astype(np.int64, copy=False)}
    if word_embeddings is None:
        feed[INPUT_NAMES[0]] = input_ids.numpy().astype(np.int64, copy=False)
    else:
        with torch.inference_mode():
            feed[EMBEDS_INPUT] = word_embeddings(input_ids).numpy()
    return feed


def export_onnx(model_dir: Path, out_dir: Path) -> tuple[Path, Path]:
    """Write the fused fp32 and the int8 ONNX models of the encoder in `model_dir` (a sentence-transformers folder)
    into `out_dir`, as FP32_FILE and INT8_FILE, each checked against fp32 torch.

    int8: weights of the matrix products are int8 per output channel, activations quantized on the fly (no
    calibration data needed); the embedding table stays fp32, as rare tokens' rows are what per-tensor int8 would
    blur most. Intermediate steps write into a scratch folder; only the final files land in `out_dir`.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    query, int8 = out_dir / FP32_FILE, out_dir / INT8_FILE
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mizan-onnx-") as tmp, _quiet():
        for from_embeds, fused in ((False, Path(tmp) / "model_fused.onnx"), (True, query)):
            traced = Path(tmp) / "model.onnx"
            config = _export_fp32(model_dir, traced, from_embeds)
            # Fuses attention, skip layer norms and GELU into ONNX Runtime's contrib ops (opt_level 1: portable
            # across CPUs; the CPU-specific level-2 rewrites happen again when a session loads the file).
            optimized = optimize_model(str(traced), model_type="bert", num_heads=config["heads"],
                                       hidden_size=config["hidden"], opt_level=1)
            optimized.save_model_to_file(str(fused))
            del optimized
        # The fused ops are ONNX Runtime's own, which ONNX's shape inference cannot type: their outputs are fp32.
        quantize_dynamic(Path(tmp) / "model_fused.onnx", int8, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Attention"],
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    check_against_fp32(model_dir, query, MIN_COSINE_FP32)
    check_against_fp32(model_dir, int8)
    return query, int8


def check_against_fp32(model_dir: Path, onnx_file: Path, min_cosine: float = MIN_COSINE) -> float:
    """Fail unless the export's mean-pooled vectors stay within `min_cosine` of fp32 torch on FR/EN/AR texts, padded
    in one batch: a broken export (a wrong mask, a lost axis) fails the install, not a search. Returns the lowest."""
    import onnxruntime as ort

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    batch = tokenizer(CHECK_TEXTS, padding=True, return_tensors="pt")
    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False)
    with torch.inference_mode():
        fp32 = model(**batch).last_hidden_state.numpy()
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    from_embeds = EMBEDS_INPUT in {value.name for value in session.get_inputs()}
    feed = onnx_feed(batch["input_ids"], batch["attention_mask"], model.embeddings.word_embeddings if from_embeds else None)
    (exported,) = session.run([OUTPUT_NAME], feed)
    mask = batch["attention_mask"].numpy()[..., None]
    pooled = [(hidden * mask).sum(axis=1) / mask.sum(axis=1) for hidden in (fp32, exported)]
    unit = [vectors / np.linalg.norm(vectors, axis=1, keepdims=True) for vectors in pooled]
    lowest = float((unit[0] * unit[1]).sum(axis=1).min())
    if lowest < min_cosine:
        raise ValueError(f"the ONNX export {onnx_file.name} of {model_dir} embeds at cosine {lowest:.5f} of fp32 "
                         f"torch, below {min_cosine}")
    return lowest


def _export_fp32(model_dir: Path, out_file: Path, from_embeds: bool = False) -> dict[str, int]:
    """The encoder traced to ONNX with dynamic batch and sequence axes; eager attention traces to plain ops.
    `from_embeds`: its first input is the word vectors (EMBEDS_INPUT) instead of the token ids."""
    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False, attn_implementation="eager")
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    sample = tokenizer(["passage: exemple", "passage: un exemple un peu plus long"], padding=True,
                       return_tensors="pt")
    wrapper = _FromEmbeds(model) if from_embeds else _LastHiddenState(model)
    names = [EMBEDS_INPUT if from_embeds else INPUT_NAMES[0], INPUT_NAMES[1]]
    with torch.inference_mode():
        first = model.embeddings.word_embeddings(sample["input_ids"]) if from_embeds else sample["input_ids"]
        torch.onnx.export(
            wrapper,
            (first, sample["attention_mask"]),
            str(out_file),
            input_names=names,
            output_names=[OUTPUT_NAME],
            dynamic_axes={name: {0: "batch", 1: "sequence"} for name in (*names, OUTPUT_NAME)},
            opset_version=OPSET,
            dynamo=False,
        )
    config = {"heads": model.config.num_attention_heads, "hidden": model.config.hidden_size}
    del model, wrapper
    gc.collect()
    return config


@contextmanager
def _quiet() -> Iterator[None]:
    """The exporter warns about traced indexing and the quantizer logs a line per tensor on the root logger:
    nothing a person installing the model can act on (the install's own round-trip check is what counts)."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


class _LastHiddenState(torch.nn.Module):
    """The encoder with a plain tensor output, so the graph has one named output and no dict."""

    def __init__(self, model: BertModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


class _FromEmbeds(_LastHiddenState):
    """The encoder from word vectors on (position and token-type embeddings, layer norm and the layers included)."""

    def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
