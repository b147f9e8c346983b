"""Shared fixtures: the real embedding model, and one real local Qdrant index of the sample corpus per session.

Each test that needs its own store gets a scratch data dir in tmp; the model itself is read from the repo's
data dir (`make test` installs it first) and loaded once per process.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus" / "documents"


@pytest.fixture(scope="session")
def embed_model_path() -> str:
    from core.models.install import install_embedding

    return str(install_embedding(get_settings()))


def scratch_settings(folder: Path, embed_model_path: str, **overrides: object) -> Settings:
    """Settings for a throw-away data dir that still uses the installed model."""
    return Settings(data_dir=folder, embed_model=embed_model_path, qdrant_url=None, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_runtime(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[object]:
    """The sample corpus ingested once into a real embedded Qdrant (Edge) in a temp folder."""
    from assistant.services import build_services

    settings = scratch_settings(tmp_path_factory.mktemp("corpus-index"), embed_model_path)
    runtime = build_services(settings)
    report = runtime.indexer.ingest(CORPUS)
    runtime.first_report = report  # type: ignore[attr-defined]
    yield runtime
    runtime.close()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


# The real finance-bill reports (not ours to redistribute, so not in the repo): beside the checkout in shared/.
DEV_CORPUS = Path(__import__("os").environ.get("MIZAN_DEV_CORPUS", REPO.parent / "shared" / "dev-corpus"))


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    if not (DEV_CORPUS / "note-presentation-plf-2025.docx").is_file():
        pytest.skip(f"the real reports are not at {DEV_CORPUS} (set MIZAN_DEV_CORPUS)")
    return DEV_CORPUS
