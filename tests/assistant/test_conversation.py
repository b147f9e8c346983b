"""Conversations: the session store's bounds, and follow-ups rewritten into standalone questions."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback

from assistant.answers.conversation import (
    ConversationStore,
    Turn,
    UnknownSession,
    merge_followup,
    question_language,
    standalone_question,
)
from index.analyzer import BM25Analyzer


@pytest.fixture(scope="module")
def analyzer() -> BM25Analyzer:
    return BM25Analyzer()


def turn(standalone: str, language: str = "fr") -> Turn:
    return Turn(question=standalone, standalone=standalone, answer="…", language=language)


def test_followup_code_replaces_the_code_of_the_same_kind(analyzer: BM25Analyzer) -> None:
    rewritten = merge_followup("et pour G2 ?", "Quels critères pour classer un programme G1 ?", analyzer)
    assert rewritten == "Quels critères pour classer un programme G2 ?"
    assert all(word in rewritten for word in ("critères", "G2", "programme"))


@pytest.mark.parametrize(("previous", "followup", "expected"), [
    ("Qu'a changé la LOF en 2015 ?", "Et en 2016 ?", "Qu'a changé la LOF en 2016 ?"),
    ("Quelles sont les missions du pôle formation ?", "et le pôle communication ?",
     "Quelles sont les missions du pôle communication ?"),
    ("Who leads GRB in Morocco since 2002?", "what about 2005?", "Who leads GRB in Morocco since 2005?"),
    ("Qu'est-ce que le marquage budgétaire ?", "Pourquoi ?", "Qu'est-ce que le marquage budgétaire — Pourquoi ?"),
    ("Qu'est-ce que le rapport sur le budget genre ?", "Qui rédige ce rapport ?",
     "Qu'est-ce que le rapport sur le budget genre — Qui rédige ce rapport ?"),
    ("ما هي مهام مركز التميز؟", "وماذا عن تقرير النوع الاجتماعي؟", "ما هي مهام مركز التميز — تقرير النوع الاجتماعي"),
])
def test_followups_become_standalone(analyzer: BM25Analyzer, previous: str, followup: str, expected: str) -> None:
    assert merge_followup(followup, previous, analyzer) == expected


@pytest.mark.parametrize("question", [
    "Comment le CE-BSG est-il structuré ?",
    "Et comment le rapport genre organise-t-il l'examen de chaque programme ?",  # "et", but a question of its own
    "وزارة الاقتصاد والمالية ما دورها في إعداد تقرير الميزانية؟",  # opens with و inside a word, not the connector
])
def test_questions_of_their_own_are_kept(analyzer: BM25Analyzer, question: str) -> None:
    assert merge_followup(question, "Qu'est-ce que le marquage budgétaire ?", analyzer) == question


def test_no_history_means_no_rewrite(analyzer: BM25Analyzer) -> None:
    assert standalone_question("et pour G2 ?", [], analyzer) == "et pour G2 ?"


class CondensingLLM(CustomLLM):
    reply: str

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="condensing")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.reply)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        raise NotImplementedError


def test_llm_condenses_and_an_answer_or_junk_instead_of_a_question_falls_back(analyzer: BM25Analyzer) -> None:
    history = [turn("Quels critères pour classer un programme G1 ?")]
    good = CondensingLLM(reply="« Quels critères pour classer un programme G2 ? »\n")
    assert standalone_question("et pour G2 ?", history, analyzer, good) == "Quels critères pour classer un programme G2 ?"
    heuristic = "Quels critères pour classer un programme G2 ?"
    for bad in ("<|im_start|>assistant", "Le programme G2 est classé selon trois critères [1].", ""):
        assert standalone_question("et pour G2 ?", history, analyzer, CondensingLLM(reply=bad)) == heuristic


def test_short_question_keeps_the_conversation_language() -> None:
    assert question_language("et pour G2 ?", [turn("…", "ar")]) == "ar"
    assert question_language("When did Morocco start gender budgeting?", [turn("…", "fr")]) == "en"
    assert question_language("G2 ?") == "fr"


def test_store_bounds_sessions_and_turns() -> None:
    store = ConversationStore(max_sessions=2, max_turns=3)
    first, second = store.create(), store.create()
    for i in range(5):
        store.add(first, turn(f"question {i}"))
    assert [t.standalone for t in store.history(first)] == ["question 2", "question 3", "question 4"]
    store.history(first)  # used last: the second session is now the oldest
    third = store.create()
    with pytest.raises(UnknownSession):
        store.history(second)
    assert store.history(third) == [] and len(store.history(first)) == 3
