"""English and Arabic questions put into French by the LLM for retrieval (MIZAN_QUERY_TRANSLATION)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback

from assistant.answers.translation import QueryTranslator
from assistant.search.service import SearchService
from core.settings import get_settings
from ingest.language import detect_language


class CountingLLM(CustomLLM):
    reply: str
    calls: int = 0

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="counting")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.calls += 1
        return CompletionResponse(text=self.reply)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        raise NotImplementedError


def test_a_translation_is_asked_once_and_junk_is_dropped() -> None:
    llm = CountingLLM(reply="« Quel est le rôle du Centre d'excellence ? »\nExplanation: …")
    translator = QueryTranslator(llm)
    assert translator.to_french("What does the Centre of Excellence do?") == "Quel est le rôle du Centre d'excellence ?"
    assert translator.to_french("What does the Centre of Excellence do?") == "Quel est le rôle du Centre d'excellence ?"
    assert llm.calls == 1
    assert QueryTranslator(CountingLLM(reply="<|im_start|>assistant")).to_french("Why?") is None
    assert QueryTranslator(CountingLLM(reply="")).to_french("Why?") is None


class FixedTranslator:
    def __init__(self, french: str) -> None:
        self.french = french
        self.asked: list[str] = []

    def to_french(self, question: str) -> str | None:
        self.asked.append(question)
        return self.french


def test_the_translation_lets_bm25_find_the_french_page(corpus_runtime) -> None:
    """Without the glossary, English words favour the English brief; the French rendering finds French pages."""
    runtime = corpus_runtime
    question = "What is the role of the Centre of Excellence for gender-responsive budgeting?"
    settings = runtime.settings.model_copy(update={"glossary": False})
    translator = FixedTranslator("Quel est le rôle du Centre d'excellence pour la budgétisation sensible au genre ?")
    translated = SearchService(settings.model_copy(update={"query_translation": "replace"}), runtime.backend, runtime.embedder, runtime.analyzer, translator=translator)  # type: ignore[arg-type]
    plain = SearchService(settings, runtime.backend, runtime.embedder, runtime.analyzer)
    french = [h.file_name for h in translated.search(question, k=5, mode="sparse")]
    assert "brochure_cebsg.pdf" in french and "brief_moroccan_grb_en.pdf" not in french, french
    assert [h.file_name for h in plain.search(question, k=5, mode="sparse")][0] == "brief_moroccan_grb_en.pdf"
    assert translator.asked == [question]
    translated.search("Quel est le rôle du Centre d'excellence ?", k=5, mode="sparse")
    assert translator.asked == [question]  # a French question is not translated


@pytest.mark.llm
@pytest.mark.slow
def test_the_local_llm_translates_english_and_arabic_into_french() -> None:
    settings = get_settings().model_copy(update={"llm": "llamacpp"})
    if importlib.util.find_spec("llama_cpp") is None or not settings.gguf_path.is_file():
        pytest.skip("the local LLM is not installed (`make llm`)")
    from assistant.answers.llm import get_llm

    translator = QueryTranslator(get_llm(settings))  # type: ignore[arg-type]
    for question in ("How many budget posts does the 2025 finance bill create?",
                     "ما هو عدد المناصب المالية التي يحدثها مشروع قانون المالية لسنة 2025؟"):
        french = translator.to_french(question)
        assert french and detect_language(french) == "fr", french
        assert "2025" in french
