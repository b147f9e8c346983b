"""The few words Mizan writes itself, in the question's language (quotes stay in their source's language)."""

from __future__ import annotations

# Defined with the corpus languages (conversation needs them too, below answers); re-exported here.
from ingest.language import DEFAULT_LANGUAGE as DEFAULT_LANGUAGE
from ingest.language import LANGUAGES as LANGUAGES

LANGUAGE_NAMES = {"fr": "French", "en": "English", "ar": "Arabic"}  # for the (English) LLM instructions

EXTRACTIVE_INTRO = {
    "fr": "Passages des documents qui répondent à la question",
    "en": "Passages from the documents that answer the question",
    "ar": "مقتطفات من الوثائق تجيب عن السؤال",
}

REFUSAL = {
    "fr": "Je ne trouve pas dans les documents d'éléments assez solides pour répondre à cette question.",
    "en": "I could not find enough evidence in the documents to answer this question.",
    "ar": "لم أجد في الوثائق ما يكفي من العناصر للإجابة عن هذا السؤال.",
}

# Why a near miss is refused (assistant/answers/focus.py): said after REFUSAL.
NOT_BY_SEX = {
    "fr": "Les passages les plus proches donnent des chiffres qui ne sont pas ventilés pour les femmes.",
    "en": "The closest passages give figures that are not broken down for women.",
    "ar": "المقتطفات الأقرب تقدم أرقاما غير مصنفة بالنسبة للنساء.",
}
NOT_FOR_YEAR = {
    "fr": "Les passages les plus proches ne donnent pas cette information pour {year}.",
    "en": "The closest passages do not give this for {year}.",
    "ar": "المقتطفات الأقرب لا تقدم هذه المعلومة بالنسبة لسنة {year}.",
}
NOT_FOR_PLACE = {
    "fr": "Les passages les plus proches ne parlent pas de {place}.",
    "en": "The closest passages do not speak of {place}.",
    "ar": "المقتطفات الأقرب لا تتحدث عن {place}.",
}
NO_FIGURE = {
    "fr": "Les passages les plus proches ne donnent pas de chiffre à ce sujet.",
    "en": "The closest passages give no figure for it.",
    "ar": "المقتطفات الأقرب لا تقدم رقما بهذا الشأن.",
}
NOT_PER_HEAD = {
    "fr": "Les passages les plus proches ne donnent pas de chiffre par habitant.",
    "en": "The closest passages give no figure per inhabitant.",
    "ar": "المقتطفات الأقرب لا تقدم رقما لكل فرد.",
}
NOT_FOR_NAME = {
    "fr": "Les passages les plus proches ne mentionnent pas {name}.",
    "en": "The closest passages do not mention {name}.",
    "ar": "المقتطفات الأقرب لا تذكر {name}.",
}

NEAREST = {
    "fr": "Documents les plus proches",
    "en": "Nearest documents",
    "ar": "أقرب الوثائق",
}
COLON = {"fr": " :", "en": ":", "ar": ":"}  # French typography spaces its colons

PAGE = {"fr": "p.", "en": "p.", "ar": "ص."}

# "(quoted in French)": the note after a quote whose language is not the question's.
QUOTED_IN = {
    "fr": {"en": "cité en anglais", "ar": "cité en arabe"},
    "en": {"fr": "quoted in French", "ar": "quoted in Arabic"},
    "ar": {"fr": "مقتبس بالفرنسية", "en": "مقتبس بالإنجليزية"},
}

QUOTES = {"fr": ("« ", " »"), "en": ("“", "”"), "ar": ("«", "»")}


def heading(text: str, language: str, note: str | None = None) -> str:
    """A line introducing a list: "Nearest documents:", "Passages … (quoted in French):"."""
    return text + (f" ({note})" if note else "") + COLON[language]


def quoted_in(question_language: str, quote_language: str) -> str | None:
    return QUOTED_IN.get(question_language, {}).get(quote_language)
