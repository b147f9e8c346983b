"""`mizan eval --answers`: what users get from the answer strategies, side by side on one question set.

Per strategy: how often unanswerable questions are refused (and answerable ones are not), whether every
citation is valid (each [n] names a citation, each quote is on its cited page), how often the cited passages
hit the gold evidence, and latency.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from assistant.answers.llm import get_llm
from assistant.answers.service import DEFAULT_K, AnswerService
from core.contract import Answer
from evaluation.context import EvalContext
from evaluation.matching import hits, normalize
from evaluation.questions import Question, QuestionSet

MARKER = re.compile(r"\[(\d+)\]")
Progress = Callable[[str, int, int], None]


def evaluate_answers(
    context: EvalContext, questions: QuestionSet, strategies: Sequence[str], limit: int | None = None,
    progress: Progress = lambda task, done, total: None,
) -> dict[str, Any]:
    runtime = context.runtime
    llm = get_llm(runtime.settings) if "llm" in strategies else None
    if "llm" in strategies and llm is None:
        raise ValueError("strategy 'llm' needs MIZAN_LLM=llamacpp (run `make llm`) or MIZAN_LLM=openai")
    service = runtime.answers.with_llm(llm)
    chosen = questions.questions[:limit] if limit else questions.questions
    results: dict[str, Any] = {}
    details: list[dict[str, Any]] = []
    for strategy in strategies:
        records = []
        for i, question in enumerate(chosen, 1):
            progress(f"answers: {strategy}", i, len(chosen))
            started = time.perf_counter()
            answer = service.answer(question.question, strategy=strategy)  # type: ignore[arg-type]
            records.append(_record(context, question, answer, time.perf_counter() - started))
        results[strategy] = _summary(records)
        details.extend({"strategy": strategy, **r} for r in records)
    return {"questions": len(chosen), "strategies": results, "details": details,
            "refusal_sweep": refusal_sweep(service, chosen)}


SWEEP_COSINES = (0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86)
SWEEP_COVERAGES = (0.3, 0.4, 0.5, 0.6)


def refusal_sweep(service: AnswerService, questions: Sequence[Question]) -> list[dict[str, Any]]:
    """Answerable and unanswerable questions refused by the evidence test at each (cosine, coverage) threshold
    pair: the calibration table for `Thresholds`. Each question's evidence is measured once."""
    measured = [(q.answerable, service.meter.measure(q.question, service.search.search(q.question, k=DEFAULT_K)))
                for q in questions]
    rows = []
    for cosine in SWEEP_COSINES:
        for min_coverage in SWEEP_COVERAGES:
            thresholds = replace(service.thresholds, refuse_below_cosine=cosine, min_coverage=min_coverage,
                                 confident_cosine=max(cosine, service.thresholds.confident_cosine))
            weak = [(answerable, evidence.is_weak(thresholds)) for answerable, evidence in measured]
            rows.append({
                "refuse_below_cosine": cosine, "min_coverage": min_coverage,
                "answerable_refused": _share([w for a, w in weak if a]),
                "unanswerable_refused": _share([w for a, w in weak if not a]),
            })
    return rows


def _record(context: EvalContext, question: Question, answer: Answer, seconds: float) -> dict[str, Any]:
    names = context.runtime.indexer
    cited = {c.n for c in answer.citations}
    markers_valid = all(int(n) in cited for n in MARKER.findall(answer.text))
    quotes_valid = all(_quote_on_page(names, c.doc_id, c.page, c.quote) for c in answer.citations)
    passages = _chunk_texts(context, [c.chunk_id for c in answer.citations])
    hit = any(
        hits(passages.get(c.chunk_id, c.quote), c.file, question.evidence, lambda a, b: a == b)
        for c in answer.citations
    )
    return {
        "id": question.id, "lang": question.lang, "answerable": question.answerable, "refused": answer.refused,
        "fallback": getattr(answer, "fallback", False), "citations": len(answer.citations),
        "valid": markers_valid and quotes_valid, "evidence_hit": hit, "seconds": seconds,
        "removed_citations": answer.removed_citations, "unsupported_sentences": answer.unsupported_sentences,
        "conflicts": len(answer.conflicts), "text": answer.text,
    }


def _quote_on_page(indexer: Any, doc_id: str, page: int, quote: str) -> bool:
    document = indexer.document(doc_id)
    if document is None:
        return False
    page_text = next((p.text for p in document.pages if p.number == page), "")
    following = next((p.text for p in document.pages if p.number == page + 1), "")
    return normalize(quote) in normalize(f"{page_text} {following}")  # a quote may run onto the next page


def _chunk_texts(context: EvalContext, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    points = context.runtime.backend.retrieve(context.collection, ids)
    return {p.id: json.loads(p.payload.get("_node_content", "{}")).get("text", "") for p in points}


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def _summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answered = [r for r in records if not r["refused"]]
    times = sorted(r["seconds"] for r in records)
    return {
        "unanswerable_refused": _share([r["refused"] for r in unanswerable]),
        "answerable_refused": _share([r["refused"] for r in answerable]),
        "citation_validity": _share([r["valid"] for r in answered]),
        "evidence_hit": _share([r["evidence_hit"] for r in answerable if not r["refused"]]),
        "fallbacks": sum(r["fallback"] for r in records),
        "removed_citations": sum(r["removed_citations"] for r in records),
        "unsupported_sentences": sum(r["unsupported_sentences"] for r in records),
        "answers_with_conflicts": sum(r.get("conflicts", 0) > 0 for r in records),
        "p50_s": statistics.median(times) if times else None,
        "p95_s": times[int(0.95 * (len(times) - 1))] if times else None,
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
    }


def markdown(report: dict[str, Any]) -> str:
    keys = ["unanswerable_refused", "answerable_refused", "citation_validity", "evidence_hit", "fallbacks",
            "removed_citations", "unsupported_sentences", "answers_with_conflicts", "p50_s", "p95_s"]
    lines = [f"# Answer evaluation ({report['questions']} questions)", "",
             "| strategy | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for strategy, summary in report["strategies"].items():
        cells = [f"{summary[k]:.3f}" if isinstance(summary[k], float) else str(summary[k]) for k in keys]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    lines += ["", "Targets: unanswerable refused ≥ 0.75; answerable refused ≤ 0.05; citation validity 1.000; "
              "evidence hit ≥ 0.85."]
    sweep = report.get("refusal_sweep") or []
    if sweep:
        lines += ["", "## Refusal threshold sweep (evidence test only)", "",
                  "| refuse_below_cosine | min_coverage | answerable refused | unanswerable refused |", "|---|---|---|---|"]
        lines += [f"| {r['refuse_below_cosine']:.2f} | {r['min_coverage']:.1f} | {_fmt(r['answerable_refused'])} | "
                  f"{_fmt(r['unanswerable_refused'])} |" for r in sweep]
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
