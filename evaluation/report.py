"""The evaluation report in the three forms people read it: a terminal table, Markdown + JSON files, a chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from evaluation.metrics import CUTOFF

REPORT_MD = "report.md"
REPORT_JSON = "report.json"
CHART_PNG = "recall.png"


def metric_keys(report: dict[str, Any]) -> list[str]:
    first = next(iter(report["modes"].values()), {})
    return [key for key in first.get("overall", {}) if key != "n"]


def _label(key: str) -> str:
    return key.replace("recall", "R").replace("mrr", "MRR").replace("ndcg", "nDCG")


def _fmt(summary: dict[str, float], keys: list[str]) -> list[str]:
    return [f"{summary[key]:.3f}" if key in summary else "–" for key in keys]


def _extras(result: dict[str, Any]) -> list[str]:
    latency = result["latency_ms"]
    return [f"{latency['p50']:.0f}", f"{latency['p95']:.0f}", f"{result['median_passage_chars']:.0f}"]


def print_tables(report: dict[str, Any], console: Console) -> None:
    keys = metric_keys(report)
    meta = report["meta"]
    overall = Table(title=f"Retrieval on {meta['answerable']} answerable questions ({meta['collection']})")
    for column in ("mode", *map(_label, keys), "p50 ms", "p95 ms", "chars"):
        overall.add_column(column, justify="right")
    for mode, result in report["modes"].items():
        overall.add_row(mode, *_fmt(result["overall"], keys), *_extras(result))
    console.print(overall)
    by_lang = Table(title="By language")
    for column in ("mode", "lang", "n", *map(_label, keys)):
        by_lang.add_column(column, justify="right")
    for mode, result in report["modes"].items():
        for lang, summary in result["by_lang"].items():
            by_lang.add_row(mode, lang, str(summary["n"]), *_fmt(summary, keys))
    console.print(by_lang)


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    """report.json, report.md and the Recall@k chart in `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / REPORT_JSON, out / REPORT_MD
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return [json_path, md_path, write_chart(report, out / CHART_PNG)]


def markdown(report: dict[str, Any]) -> str:
    keys = metric_keys(report)
    meta = report["meta"]
    lines = [
        "# Retrieval evaluation",
        "",
        f"- questions: `{meta['questions_file']}`: {meta['answerable']} answerable (scored), "
        f"{meta['unanswerable']} unanswerable (not scored), {len(report['invalid_lines'])} invalid line(s)",
        f"- corpus: `{meta['corpus']}`, collection `{meta['collection']}`, k = {meta['k']}",
        "- settings: " + ", ".join(f"{name}={value}" for name, value in meta["settings"].items()),
        f"- run {meta['created']}, {meta['seconds']:.0f} s",
        "",
        "## Overall",
        "",
        *_table(["mode", *map(_label, keys), "p50 ms", "p95 ms", "median passage chars"],
                [[mode, *_fmt(r["overall"], keys), *_extras(r)] for mode, r in report["modes"].items()]),
    ]
    for title, group in (("By language", "by_lang"), ("By user group", "by_user"),
                         ("By document (judged on that document's evidence)", "by_doc")):
        rows = [[mode, name, str(s["n"]), *_fmt(s, keys)]
                for mode, r in report["modes"].items() for name, s in r[group].items()]
        lines += ["", f"## {title}", "", *_table(["mode", group.removeprefix("by_"), "n", *map(_label, keys)], rows)]
    lines += ["", f"## Answerable questions with no hit in the top {CUTOFF}", ""]
    for mode in report["modes"]:
        missed = [q["id"] for q in report["questions"]
                  if q["answerable"] and (q["modes"][mode]["first_hit_rank"] or CUTOFF + 1) > CUTOFF]
        lines.append(f"- {mode}: {', '.join(missed) or 'none'}")
    if report["invalid_lines"]:
        lines += ["", "## Invalid lines (skipped)", "", *(f"- {error}" for error in report["invalid_lines"])]
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


def write_chart(report: dict[str, Any], path: Path) -> Path:
    """Recall@k per mode, one panel for all questions and one per language."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and in CI
    import matplotlib.pyplot as plt

    modes = report["modes"]
    ks = [int(key.split("@")[1]) for key in metric_keys(report) if key.startswith("recall@")]
    langs = sorted({lang for result in modes.values() for lang in result["by_lang"]})
    panels: list[tuple[str, str | None]] = [("all", None), *((lang, lang) for lang in langs)]
    figure, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.6), sharey=True, squeeze=False)
    for axis, (title, lang) in zip(axes[0], panels):
        count = 0
        for mode, result in modes.items():
            summary = result["overall"] if lang is None else result["by_lang"].get(lang, {})
            count = int(summary.get("n", 0))
            if count:
                axis.plot(ks, [summary[f"recall@{k}"] for k in ks], marker="o", label=mode)
        axis.set_title(f"{title} (n={count})")
        axis.set_xlabel("k")
        axis.set_xticks(ks)
        axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("Recall@k")
    axes[0][-1].legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
