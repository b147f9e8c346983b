"""Language of a text among the corpus languages (fr, ar, en), or "und" when there is too little to tell.

lingua is restricted to the three languages so it never answers Catalan for a short French line. Its
high-accuracy mode costs about the same as the low one on chunk-sized texts (~0.6 ms), and is much
better on short ones, so it is the one used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = ("fr", "en", "ar")  # the corpus languages
DEFAULT_LANGUAGE = "fr"  # the corpus's and most users' language, for questions too short to tell
UNDETERMINED = "und"
MIN_LETTERS = 12  # below this, a guess is noise ("PLF 2025", a page number, a table cell)
SHORT_CHARS = 400  # questions and quotes: cached, since the same one is asked about again and again
SAMPLE_CHARS = 3000  # the language of a page or chunk shows in its first few thousand characters
_CODES = {Language.FRENCH: "fr", Language.ARABIC: "ar", Language.ENGLISH: "en"}
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC]")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def detect_language(text: str) -> str:
    """'fr', 'ar', 'en', or 'und' for text with fewer than MIN_LETTERS letters or no confident answer."""
    if len(text) <= SHORT_CHARS:
        return _detect_short(text)
    return _detect(text[:SAMPLE_CHARS])


@lru_cache(maxsize=4096)
def _detect_short(text: str) -> str:
    """A question is looked at several times per answer (question, search, evidence), ~5 ms each time."""
    return _detect(text)


def _detect(sample: str) -> str:
    letters = _letters(sample)
    if letters < MIN_LETTERS:
        return UNDETERMINED
    if len(_ARABIC_LETTER.findall(sample)) * 2 >= letters:  # the script settles it among fr/ar/en
        return "ar"
    language = _detector().detect_language_of(sample)
    return _CODES.get(language, UNDETERMINED) if language is not None else UNDETERMINED


def other_language(passage_language: str, question_language: str) -> bool:
    """A passage in another language than a question's; False when either is unknown (nothing to compare)."""
    return question_language != UNDETERMINED and passage_language not in ("", question_language)


def dominant_language(texts: Iterable[str]) -> str:
    """Language holding most letters over several texts (the pages of a document)."""
    weights: Counter[str] = Counter()
    for text in texts:
        language = detect_language(text)
        if language != UNDETERMINED:
            weights[language] += _letters(text[:SAMPLE_CHARS])
    return weights.most_common(1)[0][0] if weights else UNDETERMINED
