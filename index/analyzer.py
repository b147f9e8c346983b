"""Language-aware BM25 terms for Qdrant's sparse vector, built on Snowball (PyStemmer) and pyarabic.

The collection's sparse vector has `modifier=IDF`: Qdrant computes IDF over the stored points at query time, so a
document carries only the BM25 term-frequency part and a query carries 1.0 per distinct term. No corpus
statistics live here, and no model is downloaded (fastembed's BM25 would fetch one).

Per token the script picks the pipeline: Arabic-script tokens go through pyarabic normalisation and the Snowball
Arabic stemmer; other letters through the French or English Snowball stemmer, then accent folding; numbers are
kept whole and by parts. Terms become sparse indices by CRC-32, which is stable across processes and machines
(Python's `hash()` is salted per process).
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from collections import Counter
from functools import lru_cache

import pyarabic.araby as araby
import Stemmer
from qdrant_client import models

from core.text import fold

Encoding = tuple[list[int], list[float]]
BatchEncoding = tuple[list[list[int]], list[list[float]]]

# Snowball's published stop lists (snowballstem.org, BSD), plus the demonstratives and relatives it leaves out and
# the longer French elided forms (jusqu', lorsqu'...): the tokenizer splits at apostrophes, so "l'", "d'", "qu'"
# reach the analyzer as the bare clitic, which this list (or the two-letter minimum) drops.
FRENCH_STOP_WORDS = frozenset(
    """
    au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même mes moi mon ne
    nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j
    l à m n s t y été étée étées étés étant étante étants étantes suis es est sommes êtes sont serai seras sera
    serons serez seront serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes
    furent sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants eu
    eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
    avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût
    eussions eussiez eussent
    cet cette ceux celle celles celui ceci cela ça leurs dont où ni si
    jusqu lorsqu puisqu quoiqu presqu
    """.split()
)
# Snowball's English list; the contraction stems ("don", "isn", "ll") because apostrophes split tokens.
ENGLISH_STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself
    it its itself they them their theirs themselves what which who whom this that these those am is are was were
    be been being have has had having do does did doing would should could ought a an the and but if or because as
    until while of at by for with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very can will just now
    don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn mustn ll ve re
    """.split()
)
# Function words of Modern Standard Arabic, written as usual; they are normalised like tokens when the analyzer
# is built. pyarabic ships no stop list, and the PyPI lists are news-derived (they drop "مليار", "سنة", "عام").
ARABIC_STOP_WORDS = frozenset(
    """
    في من إلى على عن مع بين حول حتى منذ خلال ضد دون عند لدى نحو عبر وفق حسب قبل بعد أمام تحت فوق ضمن إزاء
    و أو ثم أم بل لكن إلا غير سوى
    هو هي هم هن هما أنا نحن أنت أنتم أنتن أنتما
    هذا هذه ذلك تلك هذان هاتان هؤلاء أولئك هنا هناك هنالك
    الذي التي الذين اللذان اللتان اللاتي اللواتي
    ما ماذا متى أين كيف كم لماذا هل أي أية
    أن إن كان كانت كانوا يكون تكون ليس ليست قد لقد لا لم لن إذا إذ لو كما كذلك أيضا حيث تم يتم
    كل بعض جميع عدة
    له لها لهم لهن لنا به بها بهم بهن فيه فيها فيهم منه منها منهم عليه عليها عليهم عنه عنها عنهم إليه إليها إليهم
    """.split()
)

# A number keeps its inner separators ("130-13", "2015/2016", "1,5"); anything else is a run of letters.
TOKEN_RE = re.compile(r"\d+(?:[-./,]\d+)*|[^\W\d_]+")
NUMBER_SEPARATORS = re.compile(r"[./,]")
# pyarabic's own lists, removed in one C pass: strip_diacritics loops str.replace over ~50 marks, and it ran on
# every token of every sentence an answer weighs (a third of /ask's time under load).
_ARABIC_MARKS = dict.fromkeys(map(ord, [*araby.DIACRITICS, araby.TATWEEL]))
# str.translate costs ~0.1 µs a character, so these two run on single tokens, behind the term cache.
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})  # NFKC keeps them; "mise en œuvre" is typed "oeuvre"
# The article, alone or behind a conjunction or preposition ("لل" is ل + ال); longest first.
ARABIC_ARTICLES = ("وال", "فال", "بال", "كال", "ولل", "فلل", "ال", "لل")


def term_index(term: str) -> int:
    """Sparse index of a term: CRC-32 fits Qdrant's u32 indices and is the same on every machine, forever."""
    return zlib.crc32(term.encode("utf-8"))


def to_sparse_vector(encoding: Encoding) -> models.SparseVector:
    indices, values = encoding
    return models.SparseVector(indices=indices, values=values)


def fold_accents(word: str) -> str:
    """core.text.fold: on the analyzer's casefolded NFKC tokens, exactly the accent stripping it needs."""
    return fold(word)


def normalize_text(text: str) -> str:
    """Text-level clean-up done once per text, before tokenizing.

    NFKC maps PDF ligatures (ﬁ) and Arabic presentation forms to plain letters and composes decomposed accents;
    Arabic diacritics and tatweel must go before the regex because they are not word characters and would
    split a vocalised word in pieces.
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_MARKS)


def normalize_arabic(token: str) -> str:
    """Unify hamza carriers (أ إ آ ؤ ئ) and alef maksura before stemming, so spellings with and without them meet.

    Teh marbuta is kept: Snowball strips it as a suffix, and a heh in its place would be read as a pronoun.
    """
    return araby.normalize_hamza(token, method="tasheel").replace(araby.ALEF_MAKSURA, araby.YEH)


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\u08a0" <= char <= "\u08ff"


def _number_terms(token: str) -> tuple[str, ...]:
    """The whole number and its parts: "130-13" and "1.15.62" are law numbers, "2012-2016" should meet "2015"."""
    canonical = NUMBER_SEPARATORS.sub("-", token.translate(ARABIC_DIGITS))
    parts = canonical.split("-")
    return (canonical, *dict.fromkeys(parts)) if len(parts) > 1 else (canonical,)


class BM25Analyzer:
    """Text -> BM25 sparse vectors; created once per process (it holds the stemmers and a term cache)."""

    def __init__(self, avgdl: float = 120.0, k1: float = 1.2, b: float = 0.75, cache_size: int = 1 << 16) -> None:
        """`avgdl`: mean content tokens per chunk (a 256-token chunk is ~180 words, ~120 once stop words go).

        It is baked into the stored weights: changing it means re-indexing.
        """
        self.avgdl = avgdl
        self.k1 = k1
        self.b = b
        # PyStemmer's own cache only sees the misses of the term cache below, where it doubles the cost of a stem.
        self._stemmers = {
            lang: Stemmer.Stemmer(name, 0) for lang, name in (("fr", "french"), ("en", "english"), ("ar", "arabic"))
        }
        self._lock = threading.Lock()  # PyStemmer: "must not be called concurrently"; the API runs in threads
        self._arabic_stops = frozenset(normalize_arabic(w) for w in ARABIC_STOP_WORDS)
        latin = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS
        # One Latin stop set for both languages: an English "the" in a French bibliography, or a French "des" in an
        # English query, would otherwise become a rare, high-IDF term. Costs "but" (goal) and "an" (year) in French.
        self._latin_stops = latin | {fold_accents(w) for w in latin}
        self._token_terms = lru_cache(maxsize=cache_size)(self._analyse)

    # -- public API ------------------------------------------------------------------------------------------

    def terms(self, text: str, lang: str | None) -> list[str]:
        """Document terms in order, repeats kept; `lang` picks the stemmer for Latin tokens ("en", else French)."""
        return [t for terms in self._document_tokens(text, lang) for t in terms]

    def query_terms(self, text: str) -> list[str]:
        """Distinct query terms; Latin tokens give both their French and their English stems.

        A question is too short for reliable language identification ("budget genre 2015" is any language), and
        a wrong guess loses the match outright, while an extra stem costs little: with IDF a stem that no chunk
        holds weighs nothing, and one that a few hold is a true spelling match anyway.
        """
        tokens = TOKEN_RE.finditer(normalize_text(text))
        return list(dict.fromkeys(t for m in tokens for t in self._token_terms(m[0], "query")))

    def token_terms(self, token: str) -> tuple[str, ...]:
        """`query_terms` of one token already cut by TOKEN_RE from `normalize_text` output (no second pass)."""
        return self._token_terms(token, "query")

    def encode_document(self, text: str, lang: str | None) -> Encoding:
        """BM25's TF part per term: tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)), dl counted in content tokens."""
        tokens = self._document_tokens(text, lang)
        tf = Counter(term_index(t) for terms in tokens for t in terms)  # by index: a CRC collision must not repeat one
        norm = self.k1 * (1 - self.b + self.b * len(tokens) / self.avgdl)
        return list(tf), [f * (self.k1 + 1) / (f + norm) for f in tf.values()]

    def encode_query(self, text: str) -> Encoding:
        indices = list(dict.fromkeys(term_index(t) for t in self.query_terms(text)))
        return indices, [1.0] * len(indices)

    # -- LlamaIndex's sparse hook (SparseEncoderCallable: list of texts -> indices, values) -------------------

    def sparse_doc_fn(self, texts: list[str]) -> BatchEncoding:
        """LlamaIndex passes no language, so Latin tokens are stemmed as French (the corpus's main language)."""
        encoded = [self.encode_document(t, None) for t in texts]
        return [i for i, _ in encoded], [v for _, v in encoded]

    # -- internals -------------------------------------------------------------------------------------------

    def _document_tokens(self, text: str, lang: str | None) -> list[tuple[str, ...]]:
        """Terms of each content token (stop words and fragments dropped), so BM25 can count dl in tokens."""
        mode = "en" if lang == "en" else "fr"
        analysed = (self._token_terms(m[0], mode) for m in TOKEN_RE.finditer(normalize_text(text)))
        return [terms for terms in analysed if terms]

    def _analyse(self, token: str, mode: str) -> tuple[str, ...]:
        """Terms of one normalised token; `mode` is "fr" or "en" (document stemmer) or "query" (both)."""
        if token[0].isdigit():
            return _number_terms(token)
        if _is_arabic(token[0]):
            return self._arabic_terms(token)
        token = token.translate(LIGATURES)
        if len(token) < 2 or token in self._latin_stops:
            return ()
        with self._lock:
            if mode == "query":
                stems = (self._stemmers["fr"].stemWord(token), self._stemmers["en"].stemWord(token))
            else:
                # Snowball needs the accents ("égalité" -> "égal"), but "egalite" typed without them stems to
                # "egalit": a document also carries its accent-folded spelling's stem, which is what such a query
                # produces. An accented query keeps to the better, accented stem.
                stemmer = self._stemmers[mode]
                stems = (stemmer.stemWord(token), stemmer.stemWord(fold_accents(token)))
        return tuple(dict.fromkeys(fold_accents(s) for s in stems))

    def _arabic_terms(self, token: str) -> tuple[str, ...]:
        normalized = normalize_arabic(token)
        if len(normalized) < 2 or normalized in self._arabic_stops or (
            normalized[0] in "وف" and normalized[1:] in self._arabic_stops
        ):
            return ()
        # Snowball's Arabic stemmer strips noun suffixes far more consistently once it has removed an article
        # ("ميزانيات" -> "ميزانيا" but "الميزانيات" -> "ميزان"), and never removes "وال". So every token is stemmed in
        # its definite form: whatever article it has comes off, "ال" goes on. On 25 BSG nouns in 4-7 forms each,
        # this leaves 8 stray stems (broken plurals, mostly) where Snowball alone leaves 35. The article is found
        # before hamza normalisation, which would make "آليات" look like "ال" + "يات".
        article = next((a for a in ARABIC_ARTICLES if token.startswith(a) and len(token) - len(a) >= 2), "")
        definite = normalize_arabic("ال" + token[len(article):])
        with self._lock:
            stem = self._stemmers["ar"].stemWord(definite)
        return (araby.normalize_teh(stem),)
