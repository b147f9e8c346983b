"""AnswerService over a small real index: extractive answers, refusals, and the citation guard on scripted LLM output.

Three short documents (two French, one English) are ingested into a real embedded Qdrant with the real E5 model.
The scripted LLM is a LlamaIndex CustomLLM that replies with canned text, built per test from the actual source
order, so each test names exactly which passage a sentence cites.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from conftest import scratch_settings
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback

import assistant.answers.service as service_module
from assistant.answers.conversation import Turn
from assistant.answers.service import AnswerService, StrategyUnavailable
from assistant.services import Services, build_services
from core.contract import Answer
from index.backends.factory import close_backend

DOCUMENTS = {
    "guide_indicateurs.md": """# Guide : indicateurs sensibles au genre

## Qu'est-ce qu'un indicateur sensible au genre ?

Un indicateur sensible au genre mesure un changement pour les femmes et pour les hommes séparément. Sa fiche comporte des données ventilées par sexe, une valeur de référence, une cible, une source de vérification, une fréquence de mesure et un lien avec un objectif du programme.

## Quand faire l'analyse genre ?

L'analyse genre d'un programme précède la formulation des objectifs et le choix des indicateurs. Le marquage budgétaire estime ensuite la part des dépenses qui sert l'égalité entre les femmes et les hommes.
""",
    "historique_bsg.md": """# Historique de la budgétisation sensible au genre au Maroc

L'expérience marocaine de budgétisation sensible au genre a été lancée en 2002. Un rapport sur le budget genre accompagne le projet de loi de finances chaque année depuis 2005.

La loi organique n° 130-13 relative à la loi de finances, adoptée en 2015, a institutionnalisé les principes d'égalité entre les sexes dans la programmation budgétaire.
""",
    "ce_bsg_brief.md": """# The CE-BSG in brief

The Centre of Excellence for Gender Responsive Budgeting (CE-BSG) belongs to the Budget Directorate of the Ministry of Economy and Finance in Rabat. It is organised as a matrix of poles: expertise and instruments, training engineering, research and innovation, outreach and communication, and information systems.

The outreach and communication pole also handles international cooperation, including peer learning with Maghreb, Middle East and African countries.
""",
}

LAUNCH_FR = "Quand la démarche marocaine de budgétisation sensible au genre a-t-elle été lancée ?"
MARKER = re.compile(r"\[(\d+)\]")


class ScriptedLLM(CustomLLM):
    """Replies with the next canned text, streamed four characters at a time."""

    replies: list[str]
    prompts: list[str] = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="scripted")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.replies.pop(0))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        self.prompts.append(prompt)
        reply = self.replies.pop(0)

        def gen() -> Iterator[CompletionResponse]:
            for i in range(0, len(reply), 4):
                yield CompletionResponse(text=reply[:i + 4], delta=reply[i:i + 4])

        return gen()


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("answers-corpus")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = scratch_settings(tmp_path_factory.mktemp("answers-data"), embed_model_path)
    runtime = build_services(settings)
    assert runtime.indexer.ingest(folder).rejected == []
    yield runtime
    close_backend(settings)


@pytest.fixture(scope="module")
def service(runtime: Services) -> AnswerService:
    return runtime.answers


def scripted(runtime: Services, *replies: str) -> AnswerService:
    return runtime.answers.with_llm(ScriptedLLM(replies=list(replies)))


def source_number(runtime: Services, question: str, file_name: str) -> int:
    """The [n] a prompt gives `file_name` for this question (sources are numbered in search order)."""
    files = [hit.file_name for hit in runtime.search.search(question, k=8)]
    return files.index(file_name) + 1


def assert_well_cited(runtime: Services, answer: Answer) -> None:
    """Every [n] names a citation, and every citation's quote is the text at its page and span."""
    assert {int(n) for n in MARKER.findall(answer.text)} == {c.n for c in answer.citations}
    for c in answer.citations:
        page = next(p.text for p in runtime.indexer.document(c.doc_id).pages if p.number == c.page)
        assert c.quote_span is not None
        assert _words(page[c.quote_span[0]:c.quote_span[1]]) == _words(c.quote)


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lstrip("#> ").split())


# -- extractive ---------------------------------------------------------------------------------------------------


def test_extractive_quotes_the_answering_sentence(runtime: Services, service: AnswerService) -> None:
    answer = service.answer("Quels éléments doit comporter la fiche d'un indicateur sensible au genre ?")
    assert not answer.refused and answer.strategy == "extractive" and answer.language == "fr"
    assert answer.text.startswith("Passages des documents")
    assert any("valeur de référence" in c.quote and c.file == "guide_indicateurs.md" for c in answer.citations)
    assert_well_cited(runtime, answer)


def test_english_question_over_french_source_says_quoted_in_french(runtime: Services, service: AnswerService) -> None:
    answer = service.answer("When was gender-responsive budgeting launched in Morocco?")
    assert answer.language == "en" and answer.text.startswith("Passages from the documents")
    assert "quoted in French" in answer.text
    assert any("2002" in c.quote for c in answer.citations)
    assert_well_cited(runtime, answer)


def test_stream_pieces_add_up_to_the_answer(service: AnswerService) -> None:
    pieces = list(service.stream("Comment le CE-BSG est-il organisé ?"))
    *texts, final = pieces
    assert isinstance(final, Answer) and all(isinstance(t, str) for t in texts) and len(texts) > 1
    assert "".join(texts) == final.text


def test_a_question_is_embedded_once_and_the_store_called_once(runtime: Services, service: AnswerService,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The search's dense list and the evidence's cosines share one question vector, and the hits bring their passage
    vectors: one embedding, one store query, no read-back."""
    calls: list[str] = []
    for obj, method in ((runtime.embedder, "embed_queries"), (runtime.backend, "query"), (runtime.backend, "retrieve")):
        original = getattr(obj, method)
        monkeypatch.setattr(obj, method, lambda *a, _f=original, _m=method, **kw: calls.append(_m) or _f(*a, **kw))
    answer = service.answer("Quels éléments doit comporter la fiche d'un indicateur sensible au genre ?")
    assert not answer.refused
    assert calls == ["embed_queries", "query"]


def test_followup_is_rewritten_before_search(service: AnswerService) -> None:
    first = service.answer("En quelle année la loi organique relative à la loi de finances a-t-elle été adoptée ?")
    history = [Turn(question="…", standalone=first.standalone_question, answer=first.text, language="fr")]
    followup = "et pour le rapport sur le budget genre ?"
    answer = service.answer(followup, history=history)
    standalone = answer.standalone_question
    # What is asked (a year) comes from the previous question, what it is asked about from the follow-up.
    assert "année" not in followup and "année" in standalone
    assert "budget genre" in standalone
    assert not answer.refused and any("2005" in c.quote for c in answer.citations)


# -- refusal ------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails any answer that gets as far as picking sentences: a refusal must come from the evidence test."""
    def picked(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the evidence test let the question through to extraction")
    monkeypatch.setattr(service_module, "pick_sentences", picked)


def without_coverage_test(service: AnswerService) -> AnswerService:
    """The same service with the word-coverage test off: only the cosine floors and the number test can refuse."""
    return AnswerService(service.settings, service.search, service.meter, service.analyzer,
                         thresholds=replace(service.thresholds, min_coverage=0.0))


def test_off_topic_question_is_refused_in_its_language(service: AnswerService, no_extraction: None) -> None:
    answer = service.answer("What is the capital of Australia?")
    assert answer.refused and answer.refusal_reason == "weak" and answer.language == "en" and not answer.citations
    assert answer.text.startswith("I could not find") and "Nearest documents:" in answer.text
    assert answer.nearest_documents
    # It holds none of the corpus's words, but that alone must not be what refuses it: the cosine floor does too.
    assert without_coverage_test(service).answer("What is the capital of Australia?").refused


@pytest.mark.parametrize("question", ["How do I install Python on Windows?", "Quelle est la capitale de l'Australie ?"])
def test_off_topic_question_is_refused_by_the_cosine_floor_alone(service: AnswerService, no_extraction: None,
                                                                 question: str) -> None:
    """These questions hold none of the corpus's words, so word coverage refuses them too: with it off, the cosine
    floor (refuse_below_cosine; they measure 0.72-0.74 here) must refuse them on its own."""
    answer = without_coverage_test(service).answer(question)
    assert answer.refused and answer.refusal_reason == "weak" and not answer.citations


def test_off_topic_question_in_another_language_is_refused_by_the_cross_language_floor(
        service: AnswerService, no_extraction: None) -> None:
    """An Arabic question over French and English pages: words cannot match across languages, so the cross-language
    cosine floor (refuse_below_cosine_cross; 0.70 here) is the only test that can refuse it."""
    question = "ما هي عاصمة أستراليا؟"
    evidence = service.meter.measure(question, service.search.search(question, k=8))
    assert evidence.cross_language
    answer = service.answer(question)
    assert answer.refused and answer.refusal_reason == "weak" and answer.language == "ar" and not answer.citations
    assert answer.nearest_documents


def test_question_about_a_year_no_document_mentions_is_refused(service: AnswerService, no_extraction: None) -> None:
    """Refused by the number test, not by a cosine floor: the question is as close to the corpus as an answerable
    one (the whole subject is there, only 2023 is not), so no cosine threshold could refuse it."""
    question = "Quel montant le Maroc a-t-il consacré à l'égalité femmes-hommes dans la loi de finances 2023 ?"
    evidence = service.meter.measure(question, service.search.search(question, k=8))
    assert evidence.best_cosine >= service.thresholds.confident_cosine
    answer = without_coverage_test(service).answer(question)
    assert answer.refused and answer.refusal_reason == "weak" and answer.text.startswith("Je ne trouve pas")
    assert answer.nearest_documents and not answer.citations


def test_llm_strategy_without_llm_is_refused(service: AnswerService) -> None:
    with pytest.raises(StrategyUnavailable):
        service.answer(LAUNCH_FR, strategy="llm")


# -- the guard, on scripted LLM output ------------------------------------------------------------------------------


def test_invented_citation_number_is_removed(runtime: Services) -> None:
    n = source_number(runtime, LAUNCH_FR, "historique_bsg.md")
    answer = scripted(runtime, f"La démarche marocaine a été lancée en 2002 [{n}][7].").answer(LAUNCH_FR)
    assert answer.strategy == "llm" and not answer.fallback
    assert answer.text == "La démarche marocaine a été lancée en 2002 [1]."
    assert answer.removed_citations == 1 and answer.unsupported_sentences == 0
    assert answer.citations[0].file == "historique_bsg.md" and "2002" in answer.citations[0].quote
    assert_well_cited(runtime, answer)


def test_answer_without_citations_falls_back_to_extractive(runtime: Services) -> None:
    reply = "La démarche a été lancée en 2002. Un rapport accompagne le projet de loi de finances depuis 2005."
    answer = scripted(runtime, reply).answer(LAUNCH_FR)
    assert answer.fallback and answer.strategy == "extractive" and answer.unsupported_sentences == 2
    assert answer.text.startswith("Passages des documents") and answer.citations
    assert_well_cited(runtime, answer)


def test_sentence_citing_a_passage_that_does_not_support_it_is_dropped(runtime: Services) -> None:
    n = source_number(runtime, LAUNCH_FR, "historique_bsg.md")
    reply = (f"L'expérience marocaine de budgétisation sensible au genre a été lancée en 2002 [{n}]. "
             f"Le centre est organisé en pôles d'expertise, de formation et de communication [{n}].")
    service = scripted(runtime, reply)
    pieces = list(service.stream(LAUNCH_FR))
    answer = pieces[-1]
    assert isinstance(answer, Answer) and answer.strategy == "llm"
    assert answer.text == "L'expérience marocaine de budgétisation sensible au genre a été lancée en 2002 [1]."
    assert answer.unsupported_sentences == 1
    assert "".join(pieces[:-1]) == answer.text  # the dropped sentence was never streamed


def test_invented_figure_is_unsupported(runtime: Services) -> None:
    n = source_number(runtime, LAUNCH_FR, "historique_bsg.md")
    reply = (f"L'expérience marocaine de budgétisation sensible au genre a été lancée en 1998 [{n}]. "
             f"Un rapport sur le budget genre accompagne le projet de loi de finances depuis 2005 [{n}].")
    answer = scripted(runtime, reply).answer(LAUNCH_FR)
    assert answer.unsupported_sentences == 1 and "1998" not in answer.text and "2005 [1]" in answer.text


def test_answer_in_the_wrong_language_falls_back(runtime: Services) -> None:
    n = source_number(runtime, LAUNCH_FR, "historique_bsg.md")
    answer = scripted(runtime, f"Morocco launched gender-responsive budgeting in 2002 [{n}].").answer(LAUNCH_FR)
    assert answer.wrong_language_sentences == 1 and answer.fallback
    assert answer.language == "fr" and answer.text.startswith("Passages des documents")


def test_model_saying_the_sources_do_not_answer_is_a_refusal(runtime: Services) -> None:
    answer = scripted(runtime, "NOT_IN_SOURCES").answer(LAUNCH_FR)
    assert answer.refused and answer.strategy == "llm" and not answer.fallback and answer.nearest_documents


def test_prompt_numbers_the_sources_in_chatml_free_messages(runtime: Services) -> None:
    llm = ScriptedLLM(replies=["NOT_IN_SOURCES"])
    runtime.answers.with_llm(llm).answer(LAUNCH_FR)
    prompt = llm.prompts[-1]
    assert "Answer in French" in prompt and "[1] " in prompt and f"Question: {LAUNCH_FR}" in prompt


def test_unreachable_model_server_falls_back_to_extractive(runtime: Services) -> None:
    """An OpenAI-compatible URL nobody listens on: the user still gets a cited answer, not a server error."""
    import socket

    from llama_index.llms.openai_like import OpenAILike

    with socket.socket() as probe:  # a free port, closed again: connections to it are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm = OpenAILike(model="none", api_base=f"http://127.0.0.1:{port}/v1", api_key="x", is_chat_model=True, max_retries=0, timeout=5)
    answer = runtime.answers.with_llm(llm).answer(LAUNCH_FR, history=[Turn(question="Bonjour", standalone="Bonjour", answer="", language="fr")])
    assert answer.fallback and answer.strategy == "extractive"
    assert answer.citations and "2002" in answer.text
