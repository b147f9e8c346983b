"""The real local LLM (Qwen2.5-Coder-1.5B GGUF through llama.cpp) answering over the sample corpus, through the guard.

Skipped, with the reason, when llama-cpp-python or the GGUF file is absent (`make llm` installs both). Point
MIZAN_LLM_MODEL_PATH at another copy of the file to use it. Each answer takes tens of seconds on a shared CPU.
"""

from __future__ import annotations

import importlib.util
import re

import pytest

from assistant.answers.llm import get_llm
from assistant.answers.service import AnswerService
from core.settings import Settings, get_settings

pytestmark = [pytest.mark.llm, pytest.mark.slow]

MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def llm_settings() -> Settings:
    settings = get_settings().model_copy(update={"llm": "llamacpp"})
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install 'mizan[llm]', or `make llm`)")
    if not settings.gguf_path.is_file():
        pytest.skip(f"no GGUF at {settings.gguf_path} (`mizan models install --llm`, or set MIZAN_LLM_MODEL_PATH)")
    return settings


@pytest.fixture(scope="module")
def service(llm_settings: Settings, corpus_runtime) -> AnswerService:
    return corpus_runtime.answers.with_llm(get_llm(llm_settings))


@pytest.mark.parametrize(("question", "language"), [
    ("En quelle année la démarche marocaine de budgétisation sensible au genre a-t-elle démarré ?", "fr"),
    ("When did Morocco start gender-responsive budgeting?", "en"),
])
def test_local_llm_answer_keeps_a_verified_citation(service: AnswerService, question: str, language: str) -> None:
    answer = service.answer(question, strategy="llm")
    assert answer.strategy == "llm" and not answer.fallback and not answer.refused, answer
    assert answer.language == language and answer.citations
    assert {int(n) for n in MARKER.findall(answer.text)} == {c.n for c in answer.citations}
    assert all(c.quote and c.quote_span for c in answer.citations)
