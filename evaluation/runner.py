"""`mizan eval`: every requested retriever over one question set, in one run, into one report (a plain dict).

An evaluated corpus goes into its own collection of the same store (`eval_<hash>_c<size>o<overlap>`), never the
main one: the name follows the corpus folder, the embedding model and the chunk settings, so a second run on an
unchanged corpus re-embeds nothing (the docstore skips unchanged documents) and each chunking setting tried keeps
its own index. One vector backend serves both collections, as the embedded store admits one process only.
"""

from __future__ import annotations

import hashlib
import itertools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.services import build_services
from core.settings import Settings
from evaluation.context import EvalContext, Passage, Retriever
from evaluation.matching import hits
from evaluation.metrics import CUTOFF, RECALL_KS, Ranking, first_hit, latency_ms, summarize
from evaluation.questions import Question, QuestionSet
from evaluation.retrievers import RETRIEVERS
from index.backends.factory import open_backend
from index.embedder import resolve_precision
from index.indexer import IngestReport, missing_vectors
from ingest.loader import corpus_files

Progress = Callable[[str, int, int], None]  # (task, done, total)
INDEX_FORMAT = "v3"  # bumped when chunk payloads change (v2: page_breaks, v3: table captions), so eval collections are rebuilt
TOP_SHOWN = 3  # passages per question and mode kept in the report, to read failures
TUNED = ("chunk_size", "chunk_overlap", "context_tokens", "table_caption_tokens", "fusion", "rrf_k", "dense_weight", "sparse_weight", "balance_languages", "prefetch_k",
         "glossary", "glossary_dense", "foreign_sparse_weight", "sentence_candidates", "sentence_weight",
         "sentence_rrf_k", "sentence_lexical_weight", "passage_lexical_weight", "sentence_cross_language_bonus")


class NothingToEvaluate(RuntimeError):
    """The main collection was asked for but has never been ingested."""


def _silent(task: str, done: int, total: int) -> None:
    """No progress display (tests, library use)."""


def collection_name(settings: Settings, corpus: Path) -> str:
    key = f"{corpus.resolve()}\0{settings.embed_model_path}"
    if settings.embed_backend != "torch":  # fp32 collections keep their names; others never share them
        key += f"\0{settings.embed_backend}"
    elif resolve_precision(settings.embed_precision, settings.embed_backend) != "fp32":
        key += "\0bf16"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"eval_{digest}_c{settings.chunk_size}o{settings.chunk_overlap}x{settings.context_tokens}t{settings.table_caption_tokens}_{INDEX_FORMAT}"


def prepare(settings: Settings, corpus: Path | None, progress: Progress = _silent) -> tuple[EvalContext, IngestReport | None]:
    """The context to evaluate in: `corpus` ingested into its own collection, or the main collection as it is."""
    if corpus is None:
        backend = open_backend(settings)
        if missing_vectors(settings, backend):
            raise NothingToEvaluate(f"the collection {settings.collection!r} is not in the vector store yet: run "
                                    "`mizan ingest --rebuild` first (it indexes the docstore's documents again)")
        if not backend.collection_exists(settings.collection):
            raise NothingToEvaluate(f"no collection {settings.collection!r}: run `mizan ingest` first, or pass --corpus")
        runtime = build_services(settings)
        return EvalContext(runtime, settings.collection, settings.corpus_dir, settings.data_dir / "eval", progress), None
    scoped = settings.model_copy(update={"collection": collection_name(settings, corpus)})
    runtime = build_services(scoped)
    if runtime.indexer.needs_rebuild():  # indexed into another store before (an old data dir): its docstore knows it
        runtime.indexer.rebuild(on_pages=lambda done, total: progress("ingest: indexing pages", done, total))
    files, read = len(corpus_files(corpus)), itertools.count(1)
    report = runtime.indexer.ingest(
        corpus,
        prune=True,
        on_file=lambda name: progress("ingest: reading files", next(read), files),
        on_pages=lambda done, total: progress("ingest: indexing pages", done, total),
    )
    return EvalContext(runtime, scoped.collection, corpus, settings.data_dir / "eval", progress), report


def evaluate(context: EvalContext, questions: QuestionSet, modes: Sequence[str], k: int,
             progress: Progress = _silent) -> dict[str, Any]:
    """Run each mode over every question, then judge, summarise and break down; returns the report."""
    started = time.perf_counter()
    canonical = _canonical_names(context)

    def same_doc(file_name: str, doc: str) -> bool:
        return canonical.get(file_name, file_name) == canonical.get(doc, doc)

    details = [_question_record(q) for q in questions.questions]
    summaries: dict[str, Any] = {}
    total = len(modes) * len(questions.questions)
    for mode_index, mode in enumerate(modes):
        done = mode_index * len(questions.questions)

        def report_done(index: int) -> None:  # called within this iteration only
            progress(f"questions: {mode}", done + index, total)  # noqa: B023

        summaries[mode] = _run_mode(RETRIEVERS[mode](context), mode, questions, details, k, same_doc, report_done)
    progress("questions: done", total, total)
    return {
        "meta": _meta(context, questions, modes, k, time.perf_counter() - started),
        "invalid_lines": questions.errors,
        "modes": summaries,
        "questions": details,
    }


def _run_mode(retriever: Retriever, mode: str, questions: QuestionSet, details: list[dict[str, Any]], k: int,
              same_doc: Callable[[str, str], bool], report_done: Callable[[int], None]) -> dict[str, Any]:
    """Every question through one retriever: its detail goes into `details`, its summary is returned."""
    if questions.questions:
        retriever.retrieve(questions.questions[0].question, k)  # load models and caches before timing
    rankings: dict[str, Ranking] = {}
    seconds: list[float] = []
    lengths: list[int] = []
    for index, (question, record) in enumerate(zip(questions.questions, details)):
        report_done(index)
        started = time.perf_counter()
        passages = retriever.retrieve(question.question, k)
        seconds.append(time.perf_counter() - started)
        lengths.extend(len(p.text) for p in passages)
        ranking = Ranking(
            tuple(hits(p.text, p.file_name, question.evidence, same_doc) for p in passages),
            frozenset(range(len(question.evidence))),
        )
        if question.answerable:
            rankings[question.id] = ranking
        record["modes"][mode] = _mode_record(ranking, passages, seconds[-1], question.answerable)
    summary = _summaries(questions.answerable, rankings, k)
    summary["latency_ms"] = latency_ms(seconds)
    # bigger passages hit quotes more easily but cite less precisely: shown beside the scores
    summary["median_passage_chars"] = statistics.median(lengths) if lengths else 0
    return summary


def _canonical_names(context: EvalContext) -> dict[str, str]:
    """Other names of one content (aliases) -> the name the collection gives it, so evidence may cite either."""
    return {alias: doc.file_name for doc in context.runtime.indexer.documents() for alias in doc.aliases}


def _question_record(question: Question) -> dict[str, Any]:
    return {
        "id": question.id, "lang": question.lang, "user": question.user, "answerable": question.answerable,
        "question": question.question, "evidence": [{"doc": e.doc, "page": e.page} for e in question.evidence],
        "modes": {},
    }


def _mode_record(ranking: Ranking, passages: list[Passage], seconds: float, answerable: bool) -> dict[str, Any]:
    return {
        "first_hit_rank": first_hit(ranking) if answerable else None,
        "hit_ranks": [[rank for rank, hit in enumerate(ranking.hits, 1) if item in hit] for item in sorted(ranking.items)],
        "top": [{"file": p.file_name, "page": p.page} for p in passages[:TOP_SHOWN]],
        "latency_ms": seconds * 1000,
    }


def _summaries(questions: list[Question], rankings: dict[str, Ranking], k: int) -> dict[str, Any]:
    ks = sorted({*RECALL_KS, k})
    by_lang: dict[str, list[Ranking]] = defaultdict(list)
    by_user: dict[str, list[Ranking]] = defaultdict(list)
    by_doc: dict[str, list[Ranking]] = defaultdict(list)
    for question in questions:
        ranking = rankings[question.id]
        by_lang[question.lang].append(ranking)
        by_user[question.user].append(ranking)
        for doc in sorted({e.doc for e in question.evidence}):
            # judged on that document's evidence only: shows which documents retrieval misses
            by_doc[doc].append(ranking.restrict(i for i, e in enumerate(question.evidence) if e.doc == doc))
    return {
        "overall": summarize(list(rankings.values()), ks),
        "by_lang": {key: summarize(group, ks) for key, group in sorted(by_lang.items())},
        "by_user": {key: summarize(group, ks) for key, group in sorted(by_user.items())},
        "by_doc": {key: summarize(group, ks) for key, group in sorted(by_doc.items())},
    }


def _meta(context: EvalContext, questions: QuestionSet, modes: Sequence[str], k: int, seconds: float) -> dict[str, Any]:
    settings = context.runtime.settings
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "questions_file": str(questions.path),
        "corpus": str(context.corpus),
        "collection": context.collection,
        "modes": list(modes),
        "k": k,
        "cutoff": CUTOFF,
        "questions": len(questions.questions),
        "answerable": len(questions.answerable),
        "unanswerable": len(questions.questions) - len(questions.answerable),
        "embed_model": settings.embed_model_path,
        "embed_backend": settings.embed_backend,
        "embed_precision": resolve_precision(settings.embed_precision, settings.embed_backend),
        "settings": {name: getattr(settings, name) for name in TUNED},
        "seconds": seconds,
    }
