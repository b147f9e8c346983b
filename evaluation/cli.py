"""The `mizan eval` commands; registered by mizan/cli.py. Heavy imports stay inside the commands (`--help` is fast)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.settings import get_settings

if TYPE_CHECKING:
    from evaluation.questions import QuestionSet

EXIT_MISSES = 1  # `mizan eval verify`: some quotes are not where the file says (listed)
EXIT_LOCKED = 3  # the embedded store is held by another process (as for the other commands)
DEFAULT_MODES = ("hybrid", "dense", "sparse", "naive")

eval_app = typer.Typer(
    help="Retrieval evaluation on a question set: `mizan eval --questions FILE`, or `mizan eval verify FILE`.",
    invoke_without_command=True,
)
console = Console()


@eval_app.callback()
def run(
    ctx: typer.Context,
    questions: Annotated[Optional[Path], typer.Option(help="Question file (JSONL).", exists=True, dir_okay=False)] = None,
    corpus: Annotated[Optional[list[Path]], typer.Option(
        help="Ingest this folder into its own eval collection and evaluate there (default: the main collection, "
        "with `naive` reading MIZAN_CORPUS_DIR). Repeat it to evaluate several folders as one corpus (the real "
        "reports with the sample corpus as distractors).",
        exists=True, file_okay=False)] = None,
    modes: Annotated[Optional[list[str]], typer.Option(
        help="Retrievers to compare, repeated or comma-separated (default: hybrid,dense,sparse,naive).")] = None,
    k: Annotated[int, typer.Option(min=10, help="Passages retrieved per question (metrics go up to 10).")] = 10,
    out: Annotated[Optional[Path], typer.Option(help="Report folder (default reports/eval/<timestamp>).")] = None,
    answers: Annotated[bool, typer.Option("--answers", help="Evaluate answers (refusal, citations, evidence, latency) instead of retrieval.")] = False,
    strategies: Annotated[str, typer.Option(help="With --answers: extractive, llm, or both comma-separated.")] = "extractive",
    limit: Annotated[Optional[int], typer.Option(min=1, help="With --answers: only the first N questions (the local LLM is slow).")] = None,
) -> None:
    """Compare retrievers on a question set: Recall@1/3/5/10, MRR@10, nDCG@10 by language, user and document."""
    if ctx.invoked_subcommand is not None:
        return
    if questions is None:
        console.print(ctx.get_help())
        raise typer.Exit(2)
    from evaluation.questions import load_questions
    from evaluation.retrievers import RETRIEVERS

    chosen = [m.strip() for value in (modes or DEFAULT_MODES) for m in value.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in RETRIEVERS]
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown mode(s) {', '.join(unknown)}; known: {', '.join(RETRIEVERS)}", param_hint="--modes")
    question_set = load_questions(questions)
    _print_errors(question_set.errors)
    if not question_set.answerable:
        console.print("[red]No valid answerable question to score.[/red]")
        raise typer.Exit(1)
    folder = _one_folder(corpus)
    if answers:
        _evaluate_answers(question_set, folder, [x.strip() for x in strategies.split(",") if x.strip()], limit, out)
        return
    report = _evaluate(question_set, folder, list(dict.fromkeys(chosen)), k)

    from evaluation.report import print_tables, write_report

    print_tables(report, console)
    out = out or Path("reports/eval") / datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in write_report(report, out):
        console.print(f"wrote {path}")


def _evaluate(question_set: QuestionSet, corpus: Path | None, modes: list[str], k: int) -> dict[str, Any]:
    from evaluation.runner import NothingToEvaluate, evaluate, prepare
    from index.store import StoreLockedError

    with _Bars() as progress:
        try:
            context, ingested = prepare(get_settings(), corpus, progress)
        except StoreLockedError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_LOCKED) from exc
        except NothingToEvaluate as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        if ingested is not None:
            for rejected in ingested.rejected:
                console.print(f"[yellow]not ingested: {rejected.file_name}: {rejected.reason}[/yellow]")
        return evaluate(context, question_set, modes, k, progress)


def _evaluate_answers(question_set: QuestionSet, corpus: Path | None, strategies: list[str], limit: int | None,
                      out: Path | None) -> None:
    import json

    from evaluation.answers import evaluate_answers, markdown
    from evaluation.runner import prepare

    unknown = [s for s in strategies if s not in ("extractive", "llm")]
    if unknown or not strategies:
        raise typer.BadParameter(f"unknown strategy {', '.join(unknown)}; use extractive, llm", param_hint="--strategies")
    with _Bars() as progress:
        context, _ = prepare(get_settings(), corpus, progress)
        try:
            report = evaluate_answers(context, question_set, strategies, limit, progress)
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    text = markdown(report)
    console.print(text)
    out = out or Path("reports/eval") / datetime.now().strftime("answers-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    (out / "answers.md").write_text(text, encoding="utf-8")
    (out / "answers.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"wrote {out / 'answers.md'} and {out / 'answers.json'}")


class _Bars:
    """One rich bar per task name, created on first report: ingest, the naive index, the questions."""

    def __init__(self) -> None:
        self.bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             console=console, transient=True)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bars:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.__exit__(*exc)

    def __call__(self, task: str, done: int, total: int) -> None:
        name = task.split(":")[0]
        if name not in self.tasks:
            self.tasks[name] = self.bars.add_task(task, total=total)
        self.bars.update(self.tasks[name], description=task, completed=done, total=total)


CorpusFolders = Annotated[Optional[list[Path]], typer.Option(
    "--corpus", help="Corpus folder (default MIZAN_CORPUS_DIR); repeat it for several folders read as one.",
    exists=True, file_okay=False)]


@eval_app.command("verify")
def verify_command(
    file: Annotated[Path, typer.Argument(help="Question file (JSONL).", exists=True, dir_okay=False)],
    corpus: CorpusFolders = None,
) -> None:
    """Check every quote against the extracted, cleaned page text; list each miss. Exit 1 if any."""
    from evaluation.questions import load_questions
    from evaluation.verify import verify

    question_set = load_questions(file)
    _print_errors(question_set.errors)
    folder = _one_folder(corpus) or get_settings().corpus_dir
    with console.status("reading the corpus") as status:
        misses, loaded = verify(question_set, folder, progress=lambda name: status.update(f"reading {name}"))
    for rejected in loaded.rejected:
        console.print(f"[yellow]not loaded: {rejected.file_name}: {rejected.reason}[/yellow]")
    evidence = sum(len(q.evidence) for q in question_set.questions)
    if misses:
        table = Table(title=f"{len(misses)} of {evidence} quotes not found where stated")
        for column in ("question", "doc", "page", "quote", "problem"):
            table.add_column(column, overflow="fold")
        for miss in misses:
            table.add_row(miss.question_id, miss.doc, str(miss.page), miss.quote, miss.reason)
        console.print(table)
    else:
        console.print(f"[green]all {evidence} quotes of {len(question_set.questions)} questions found on their pages[/green]")
    if misses or question_set.errors:
        raise typer.Exit(EXIT_MISSES)


def _one_folder(folders: list[Path] | None) -> Path | None:
    """The folders as one corpus folder (see evaluation.corpora); None when none was given."""
    if not folders:
        return None
    from evaluation.corpora import combined_corpus

    return combined_corpus(folders, get_settings().data_dir / "eval" / "corpora")


def _print_errors(errors: list[str]) -> None:
    for error in errors:
        console.print(f"[red]skipped: {error}[/red]")


@eval_app.command("repage")
def repage_command(
    file: Annotated[Path, typer.Argument(help="Question file (JSONL), rewritten in place.", exists=True, dir_okay=False)],
    corpus: CorpusFolders = None,
) -> None:
    """Move each quote to the one page or Word section that holds it (after a reader change); then run verify."""
    from evaluation.repage import repage

    folder = _one_folder(corpus) or get_settings().corpus_dir
    for line in repage(file, folder):
        console.print(line)
