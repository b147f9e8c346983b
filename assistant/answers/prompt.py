"""The messages that ask the LLM for a short, cited answer over numbered sources.

Instructions are in English whatever the question's language: small instruct models follow English
instructions best, and are told which language to answer in. The sources go in the user turn, numbered as the
model must cite them.
"""

from __future__ import annotations

import numpy as np
from llama_index.core.base.llms.types import ChatMessage

from assistant.answers.evidence import Evidence, PassageSentences, Source
from assistant.answers.labels import LANGUAGE_NAMES

NOT_IN_SOURCES = "NOT_IN_SOURCES"
"""What the model answers when the sources do not hold the answer: turned into a refusal, not into text."""

SYSTEM = """You answer questions about gender-responsive budgeting (GRB, "BSG" in French) in Morocco using only the numbered sources the user gives.
Rules:
- Answer in {language}, in at most {sentences} short sentences.
- End every sentence with the number of the source that supports it, in square brackets, like [1].
- Use only facts written in the sources; sources may be in another language: translate what you use.
- Never cite a number that is not in the list of sources.
- If the sources do not contain the answer, reply with exactly: {refusal}"""

MAX_SENTENCES = 3
EXCERPT_SENTENCES = 3
"""Sentences of each passage shown to the model: the ones closest to the question, in passage order. A CPU reads
a prompt at ~40 tokens/s, so four whole 256-token passages (~1,300 tokens with the instructions) would cost
~30 s before the first word; three sentences each bring that to ~600 tokens."""
GAP = " […] "


def answer_messages(
    question: str, language: str, evidence: Evidence, sources: list[Source], passages: list[PassageSentences]
) -> list[ChatMessage]:
    numbered = "\n\n".join(
        f"[{n}] {source.hit.title or source.hit.file_name} (p. {source.hit.page})\n{excerpt(passage, evidence.vector)}"
        for n, (source, passage) in enumerate(zip(sources, passages), start=1)
    )
    system = SYSTEM.format(language=LANGUAGE_NAMES[language], sentences=MAX_SENTENCES, refusal=NOT_IN_SOURCES)
    return [
        ChatMessage(role="system", content=system),
        ChatMessage(role="user", content=f"Sources:\n\n{numbered}\n\nQuestion: {question}"),
    ]


def excerpt(passage: PassageSentences, question: np.ndarray, size: int = EXCERPT_SENTENCES) -> str:
    """The passage's `size` sentences most similar to the question, in their order, gaps marked."""
    if len(passage.sentences) <= size:
        return " ".join(s.text for s in passage.sentences)
    kept = sorted(np.argsort(-(passage.vectors @ question))[:size].tolist())
    parts = [passage.sentences[kept[0]].text]
    for before, index in zip(kept, kept[1:]):
        parts.append((" " if index == before + 1 else GAP) + passage.sentences[index].text)
    return "".join(parts)


def declined(text: str) -> bool:
    return NOT_IN_SOURCES in text
