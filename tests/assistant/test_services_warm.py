"""Start-up warm-up: what the first users under load would otherwise pay (see Services.warm)."""

from __future__ import annotations

from assistant.services import WARM_QUESTIONS
from ingest.language import LANGUAGES, _detect_short, detect_language


def test_the_warm_up_covers_each_corpus_language(corpus_runtime) -> None:  # type: ignore[no-untyped-def]
    assert sorted(detect_language(question) for question in WARM_QUESTIONS) == sorted(LANGUAGES)
    _detect_short.cache_clear()
    corpus_runtime.warm()
    assert _detect_short.cache_info().currsize == len(WARM_QUESTIONS)  # each language's model has been loaded
    assert corpus_runtime.embedder.query_runtime == "onnx-fp32"  # `mizan models install` built the query export
