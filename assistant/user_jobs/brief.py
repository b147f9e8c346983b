"""A delegation brief: 5-8 cited bullet points on one topic of the Moroccan experience, as Markdown to take away.

The brief is extractive, like the default answers: each bullet is one sentence of the documents, quoted exactly,
with its language marked when it is not the reader's, and a citation whose span locates it on its page. It is
gathered by searching a few questions per topic in French, English and Arabic (the corpus is mostly French;
asking in each language lets the English and Arabic documents speak too). A sentence qualifies when it names the
topic (a short list of words per topic, in the three languages, kept here in plain sight) and is quotable (no
heading, caption, footnote, cover title or disclaimer); sentences rank by the search rank of their passage. Near
duplicates are dropped — preferring the reader's language — and dated bullets are put in time order.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from assistant.answers import labels
from assistant.answers.citations import page_span
from assistant.answers.quotable import is_quotable
from assistant.search.service import Hit, SearchService
from core.contract import Citation
from index.sentences import QUESTION_ENDS, split_passage
from ingest.language import detect_language
from ingest.metadata import YEAR

Topic = Literal["institutions", "legal_basis", "tools", "gender_report", "results", "lessons"]
TOPICS: tuple[Topic, ...] = ("institutions", "legal_basis", "tools", "gender_report", "results", "lessons")
MIN_BULLETS, MAX_BULLETS = 5, 8
HITS_PER_QUESTION = 6
MIN_WORDS = 6  # shorter sentences are labels or fragments
SAME_WORDS = 0.6  # share of the shorter quote's words in the other: the same point made twice
# A sentence's score is 1/rank of its passage, + TERM_BONUS per topic word; the reader's language wins ties.
READER_BONUS = 0.25
TERM_BONUS = 0.05
_WORD = re.compile(r"\w+")

TOPIC_LABELS: dict[Topic, dict[str, str]] = {
    "institutions": {"fr": "Le dispositif institutionnel", "en": "Institutional set-up", "ar": "الإطار المؤسساتي"},
    "legal_basis": {"fr": "La base juridique", "en": "Legal basis", "ar": "الأساس القانوني"},
    "tools": {"fr": "Les outils", "en": "Tools", "ar": "الأدوات"},
    "gender_report": {"fr": "Le rapport annuel sur le budget genre", "en": "The annual gender budget report",
                      "ar": "التقرير السنوي حول ميزانية النوع الاجتماعي"},
    "results": {"fr": "Résultats et chiffres", "en": "Results and figures", "ar": "النتائج والأرقام"},
    "lessons": {"fr": "Enseignements", "en": "Lessons", "ar": "الدروس المستفادة"},
}

# What the brief asks the documents, per topic: French first (most documents), then English and Arabic.
TOPIC_QUESTIONS: dict[Topic, tuple[str, ...]] = {
    "institutions": (
        "Comment le Centre de l'Excellence pour la BSG est-il organisé et à quelle direction est-il rattaché ?",
        "Quel est le rôle du ministère des finances dans la budgétisation sensible au genre ?",
        "How is the Centre of Excellence for gender-responsive budgeting organised?",
        "ما هو دور مركز التميز الخاص بميزانية النوع الاجتماعي وكيف ينتظم؟",
    ),
    "legal_basis": (
        "Quelle est la base juridique de la budgétisation sensible au genre au Maroc ?",
        "Que prévoit la loi organique n° 130-13 relative à la loi de finances pour la dimension genre ?",
        "What does organic law 130-13 require of ministries' performance programmes?",
        "ماذا ينص القانون التنظيمي لقانون المالية رقم 130-13 بشأن النوع الاجتماعي؟",
    ),
    "tools": (
        "Quels sont les outils de la budgétisation sensible au genre ?",
        "Qu'est-ce que le marquage budgétaire et l'analyse genre d'un programme ?",
        "Which instruments does gender-responsive budgeting rely on?",
        "ما هي أدوات الميزانية المستجيبة للنوع الاجتماعي؟",
    ),
    "gender_report": (
        "Qu'est-ce que le rapport sur le budget genre qui accompagne le projet de loi de finances ?",
        "Depuis quand le rapport sur le budget genre est-il publié et combien de départements couvre-t-il ?",
        "What is the gender budget report and how has it evolved?",
        "ما هو التقرير حول ميزانية النوع الاجتماعي المرافق لمشروع قانون المالية؟",
    ),
    "results": (
        "Quels résultats et quelle reconnaissance l'expérience marocaine de BSG a-t-elle obtenus ?",
        "Combien de départements le rapport sur le budget genre couvre-t-il ?",
        "What recognition has Morocco's gender-responsive budgeting received?",
        "ما هي نتائج تجربة الميزانية المستجيبة للنوع الاجتماعي في المغرب؟",
    ),
    "lessons": (
        "Quels enseignements tirer de l'expérience marocaine de budgétisation sensible au genre ?",
        "What lessons have other countries drawn from the Moroccan experience?",
        "ما هي الدروس المستفادة من التجربة المغربية في الميزانية المستجيبة للنوع الاجتماعي؟",
    ),
}

# Words a sentence must hold to be about the topic (French, English, Arabic).
TOPIC_TERMS: dict[Topic, re.Pattern[str]] = {topic: re.compile(pattern, re.IGNORECASE) for topic, pattern in {
    "institutions": r"CE-BSG|centre de l'excellence|centre d'excellence|centre of excellence|direction du budget|"
                    r"budget directorate|\bpôles?\b|\bpoles?\b|ministère (?:chargé )?des finances|finance ministry|"
                    r"مركز التميز|مديرية الميزانية|أقطاب|وزارة المالية",
    "legal_basis": r"loi organique|\bLOF\b|130-13|organic (?:budget )?law|cadre juridique|legal|"
                   r"القانون التنظيمي|الإطار القانوني",
    "tools": r"\boutils?\b|\binstruments?\b|\btools?\b|marquage|tagging|\bindicateurs?\b|\bindicators?\b|analyse genre|"
             r"gender analysis|rapports? de performance|performance reports?|évaluation d'impact|"
             r"أدوات|المؤشرات|مؤشرات|تحليل النوع",
    "gender_report": r"rapport (?:sur le )?budget genre|rapport genre|gender budget report|التقرير حول ميزانية النوع|"
                     r"التقرير السنوي|التقرير المرافق",
    "results": r"\bprix\b|\bawards?\b|reconnaissance|recognition|résultats|\bresults\b|\b27\b|vingt-sept|élargi|"
               r"widened|جائزة|نتائج|حوالي 27|اتسع",
    "lessons": r"enseignements?|leçons?|lessons?|ancrage|\banchor|step by step|progression|graduel|régularité|"
               r"\bregular\b|condition de réussite|peer learning|apprentissage entre pairs|"
               r"دروس|تدريجيا|انتظام|شرط أساسي|التعلم بين الأقران",
}.items()}
# A document speaking about itself, not about the topic: sample-document notes, disclaimers, "this brief…".
_ABOUT_ITSELF = re.compile(
    r"publication officielle|official publication|منشورا رسميا|document d'exemple|sample document|"
    r"this (?:brief|note|study)|"
    r"cette (?:note|étude|fiche)|ce (?:guide|document|rapport)|le présent document|\bit summarises\b|@|www\.|https?://",
    re.IGNORECASE)
_FINISHED = re.compile(r"[.!?…;؛؟»”\")]$")  # a sentence or list item, not a heading; one ending in ":" announces a list

WORDS: dict[str, dict[str, str]] = {
    "title": {"fr": "Note de délégation", "en": "Delegation brief", "ar": "مذكرة للوفود"},
    "lead": {
        "fr": "Extraits des documents indexés, cités tels quels avec leur page ; les dates sont classées dans l'ordre "
              "du temps.",
        "en": "Excerpts of the indexed documents, quoted as written with their page; dated points come in time order.",
        "ar": "مقتطفات من الوثائق المفهرسة، مستشهد بها كما هي مع صفحاتها؛ والنقاط المؤرخة مرتبة زمنيا.",
    },
    "sources": {"fr": "Sources", "en": "Sources", "ar": "المصادر"},
    "empty": {
        "fr": "Les documents indexés ne contiennent pas de passage assez solide sur ce sujet.",
        "en": "The indexed documents hold no passage strong enough on this topic.",
        "ar": "لا تتضمن الوثائق المفهرسة مقطعا كافيا حول هذا الموضوع.",
    },
    "generated": {
        "fr": "Préparé par Mizan à partir des documents indexés — à vérifier avant diffusion.",
        "en": "Prepared by Mizan from the indexed documents — check before circulating.",
        "ar": "أعده ميزان انطلاقا من الوثائق المفهرسة — يُرجى التحقق قبل التوزيع.",
    },
}


class BriefBullet(BaseModel):
    n: int = Field(description="The bullet's number, also its citation's.")
    year: int | None = Field(description="The earliest year the quote names; bullets with one come first, in order.")
    quote: str = Field(description="The document's words, exactly.")
    quote_language: str = Field(description="fr, en or ar: the quote's language.")
    language_note: str = Field("", description="\"quoted in French\" (in the reader's language) when it is not theirs.")
    citation: Citation


class Brief(BaseModel):
    topic: Topic
    language: str = Field(description="The reader's language: labels and notes are in it, quotes are not translated.")
    title: str
    bullets: list[BriefBullet]
    markdown: str = Field(description="The brief as a Markdown document, ready to download.")


class BriefService:
    """Created once per process over the search service."""

    def __init__(self, search: SearchService) -> None:
        self.search = search

    def brief(self, topic: Topic, language: str = "en") -> Brief:
        lang = language if language in labels.LANGUAGES else "en"
        chosen = _distinct(self._candidates(topic), lang)[:MAX_BULLETS]
        chosen.sort(key=lambda c: (_year(c.quote) is None, _year(c.quote) or 0))  # stable: undated keep their rank
        bullets = []
        for n, cited in enumerate(chosen, start=1):
            quote_language = _language(cited.quote)
            bullets.append(BriefBullet(
                n=n, year=_year(cited.quote), quote=cited.quote, quote_language=quote_language,
                language_note=labels.quoted_in(lang, quote_language) or "", citation=cited.model_copy(update={"n": n}),
            ))
        title = f"{WORDS['title'][lang]} — {TOPIC_LABELS[topic][lang]}"
        return Brief(topic=topic, language=lang, title=title, bullets=bullets,
                     markdown=to_markdown(title, bullets, lang))

    def _candidates(self, topic: Topic) -> list[Citation]:
        """Sentences of the passages found for the topic's questions that name the topic, each scored by the best
        rank of its passage (score kept in the citation); only those located on their page."""
        best: dict[tuple[str, int, int], Citation] = {}
        for question in TOPIC_QUESTIONS[topic]:
            for rank, hit in enumerate(self.search.search(question, k=HITS_PER_QUESTION), start=1):
                for cited in _sentences(hit, topic, 1 / rank):
                    key = (cited.chunk_id, *(cited.quote_span or (0, 0)))
                    if key not in best or best[key].score < cited.score:
                        best[key] = cited
        return sorted(best.values(), key=lambda c: -c.score)


def _sentences(hit: Hit, topic: Topic, score: float) -> list[Citation]:
    found = []
    title = " ".join(hit.title.split()).lower()
    for sentence in split_passage(hit.text):
        text = sentence.text
        terms = TOPIC_TERMS[topic].findall(text)
        if (sentence.heading or text.endswith(QUESTION_ENDS) or not _FINISHED.search(text)
                or len(text.split()) < MIN_WORDS or not terms
                or not is_quotable(text) or _ABOUT_ITSELF.search(text) or (title and title in text.lower())):
            continue
        page, span = page_span(hit, sentence.start, sentence.end)
        if span is None:  # across a page break: the quote could not be located on one page
            continue
        found.append(Citation(
            n=0, doc_id=hit.doc_id, file=hit.file_name, title=hit.title, page=page, quote=text, chunk_id=hit.chunk_id,
            score=round(score + TERM_BONUS * len({t.lower() for t in terms}), 4), quote_span=span,
            locator=hit.locator if page == hit.page else "", ocr=hit.ocr,
        ))
    return found


def _distinct(candidates: list[Citation], language: str) -> list[Citation]:
    """One quote per point, preferring the reader's language: the same words twice, or (across languages) the same
    years, make one point."""
    ranked = sorted(candidates, key=lambda c: -(c.score + (READER_BONUS if _language(c.quote) == language else 0.0)))
    kept: list[Citation] = []
    for candidate in ranked:
        if not any(_same_point(candidate, other) for other in kept):
            kept.append(candidate)
    return kept


def _same_point(a: Citation, b: Citation) -> bool:
    words_a, words_b = set(_WORD.findall(a.quote.lower())), set(_WORD.findall(b.quote.lower()))
    shorter = min(len(words_a), len(words_b)) or 1
    if len(words_a & words_b) / shorter >= SAME_WORDS:
        return True
    years_a, years_b = set(YEAR.findall(a.quote)), set(YEAR.findall(b.quote))
    return bool(years_a) and years_a == years_b and _language(a.quote) != _language(b.quote)


def _year(text: str) -> int | None:
    years = [int(y) for y in YEAR.findall(text)]
    return min(years) if years else None


def _language(text: str) -> str:
    detected = detect_language(text)
    return detected if detected in labels.LANGUAGES else "fr"


def to_markdown(title: str, bullets: list[BriefBullet], language: str) -> str:
    """The brief as Markdown: numbered points with their quote marks and language notes, then the sources."""
    opening, closing = labels.QUOTES.get(language, labels.QUOTES["en"])
    lines = [f"# {title}", "", f"_{WORDS['lead'][language]}_", ""]
    if not bullets:
        lines.append(WORDS["empty"][language])
    for bullet in bullets:
        year = f"**{bullet.year}** — " if bullet.year else ""
        note = f" ({bullet.language_note})" if bullet.language_note else ""
        lines.append(f"{bullet.n}. {year}{opening}{bullet.quote}{closing}{note} [{bullet.n}]")
    lines += ["", f"## {WORDS['sources'][language]}", ""]
    for bullet in bullets:
        c = bullet.citation
        where = f"§ {c.page} {c.locator}" if c.locator else f"{labels.PAGE[language]} {c.page}"
        lines.append(f"[{bullet.n}] {c.title} — {c.file}, {where}")
    lines += ["", f"_{WORDS['generated'][language]}_", ""]
    return "\n".join(lines)
