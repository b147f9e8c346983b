"""Optional second stage: a sentence-transformers CrossEncoder re-scores the fused candidates.

No cross-encoder is packaged for offline use, so this is off by default; a deployment names one (hub id or a
local folder) in MIZAN_RERANKER. Loaded once per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder


@lru_cache(maxsize=2)
def get_reranker(name_or_path: str) -> CrossEncoder:
    from sentence_transformers import CrossEncoder

    local = Path(name_or_path).is_dir()
    return CrossEncoder(name_or_path, device="cpu", local_files_only=local)


def rerank_scores(name_or_path: str, query: str, texts: list[str]) -> list[float]:
    if not texts:
        return []
    scores = get_reranker(name_or_path).predict([(query, t) for t in texts], show_progress_bar=False)
    return [float(s) for s in scores]
