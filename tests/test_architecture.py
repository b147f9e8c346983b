"""The layers: README's list is the import-linter contract, and the code keeps the contracts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README_MARKER = "<!-- layers:"


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _contract_layers() -> list[str]:
    contracts = _pyproject()["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers" and "containers" not in c]
    return [_normalized(layer) for layer in layers]


def _readme_layers() -> list[str]:
    """The fenced block after the README's `<!-- layers: ... -->` line; each line's first column is a layer."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(README_MARKER))
    assert lines[start + 1].startswith("```"), "the layers marker must be followed by a fenced block"
    end = next(i for i in range(start + 2, len(lines)) if lines[i].startswith("```"))
    return [_normalized(re.split(r"\s{2,}", line.strip())[0]) for line in lines[start + 2:end] if line.strip()]


def _normalized(layer: str) -> str:
    return " | ".join(part.strip() for part in re.split(r"[|:]", layer)) if layer.strip() else ""


def _top_level_packages() -> set[str]:
    return {p.parent.name for p in REPO.glob("*/__init__.py")}


def test_readme_layers_are_the_contract_layers() -> None:
    assert _readme_layers() == _contract_layers()


def test_every_package_is_in_the_layers_and_installed() -> None:
    config = _pyproject()
    packages = _top_level_packages()
    layered = {part for layer in _contract_layers() for part in layer.split(" | ")}
    assert layered == packages == set(config["tool"]["importlinter"]["root_packages"])
    assert {pattern.rstrip("*") for pattern in config["tool"]["setuptools"]["packages"]["find"]["include"]} == packages


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
