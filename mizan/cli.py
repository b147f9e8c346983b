"""The `mizan` command: a thin shell over the services the API and the tests use too."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from core.settings import get_settings
from mizan.common import FILTER_HELP, _check_store, _filters, _mizan, _quiet_libraries, console

API_OPTION = "A running Mizan API (e.g. http://127.0.0.1:8000) to send this to, instead of opening the local index."

app = typer.Typer(help="Mizan: cited search and answers over gender-responsive budgeting documents.", no_args_is_help=True)
models_app = typer.Typer(help="Offline models, rebuilt from data files inside PyPI packages.", no_args_is_help=True)
bench_app = typer.Typer(help="Speed and memory benchmarks (figures for the README and closing notes).", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(bench_app, name="bench")


@app.callback()
def _console(verbose: bool = typer.Option(False, "--verbose", help="Show the libraries' own logs and progress bars.")
             ) -> None:
    """Every command prints Mizan's own lines and progress only: transformers' "Loading weights" bars, its
    tokenizer-length warning per long document and the hub's download bars say nothing to a user. Set through the
    environment, before any of those libraries is imported, so `mizan --help` still imports none of them."""
    if not verbose:
        for name, value in QUIET_ENVIRONMENT.items():
            os.environ.setdefault(name, value)


QUIET_ENVIRONMENT = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
                     "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1", "TOKENIZERS_PARALLELISM": "false"}
# `mizan eval`: retrieval evaluation (evaluation/cli.py owns its commands; it imports nothing heavy at load).
from evaluation.cli import eval_app  # noqa: E402

app.add_typer(eval_app, name="eval")
# `mizan indicators`, `mizan brief`, `mizan export`: the users' jobs (mizan/user_jobs_cli.py).
from mizan.user_jobs_cli import register as register_user_jobs  # noqa: E402

register_user_jobs(app)

EXIT_REJECTED = 2  # `mizan ingest`: some files were turned away (listed); everything else went in.
OPTIMIZE_AFTER = 1_000  # chunks written by one ingest after which the embedded store's segments are optimized


@models_app.command("install")
def models_install(llm: Annotated[bool, typer.Option("--llm", help="Also assemble the local GGUF LLM.")] = False) -> None:
    """Install the embedding model (and optionally the local LLM); skips what is present and verified."""
    import logging

    from core.models.install import install_embedding, install_llm

    logging.basicConfig(level=logging.INFO, format="%(message)s")  # the ~30 s build says what it is doing
    settings = get_settings()
    console.print(f"embedding model: {install_embedding(settings)}")
    if llm:
        console.print(f"local LLM: {install_llm(settings)}")


@app.command()
def ingest(
    folder: Annotated[Optional[Path], typer.Argument(help="Folder to ingest (default MIZAN_CORPUS_DIR).")] = None,
    prune: Annotated[bool, typer.Option(help="Remove documents whose files are gone.")] = False,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Index every document of the docstore again, from its stored text (no file is read): after "
        "a change of store (an index of the old embedded store) or of chunk settings.")] = False,
) -> None:
    """Ingest a folder: new and changed documents are embedded, unchanged ones skipped.

    Exit code 0 when every file went in, 2 when some were rejected (listed with the reason).
    3: another process holds the embedded store. 4: the index must first be rebuilt (`--rebuild`).
    A run that embeds 1,000 chunks or more then optimizes the embedded store (seconds per 10k chunks).
    """
    settings = get_settings()
    if rebuild and (folder is not None or prune):
        raise typer.BadParameter("--rebuild re-indexes the docstore alone; ingest a folder in a second command",
                                 param_hint="--rebuild")
    folder = folder or settings.corpus_dir
    if not rebuild and not folder.is_dir():
        console.print(f"[red]No such folder: {folder}[/red]")
        raise typer.Exit(1)
    _quiet_libraries()
    _check_store(settings, writes=True, rebuilding=rebuild)
    from assistant.services import build_services

    rt = build_services(settings)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as progress:
        reading = progress.add_task("reading files", total=None, visible=not rebuild)
        indexing = progress.add_task("indexing pages", total=None, visible=False)

        def on_file(name: str) -> None:
            progress.update(reading, advance=1, description=f"reading {name[-40:]}")

        def on_pages(done: int, total: int) -> None:
            progress.update(indexing, completed=done, total=total, visible=True)

        if rebuild:
            report = rt.indexer.rebuild(on_pages=on_pages)
        else:
            report = rt.indexer.ingest(folder, prune=prune, on_file=on_file, on_pages=on_pages)

    table = Table(title=f"Rebuilt {settings.collection} from the docstore" if rebuild else f"Ingested {folder}")
    for col in ("files", "documents", "pages", "chunks embedded", "removed", "rejected", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        str(report.files), str(report.documents), str(report.pages), str(report.chunks_embedded),
        str(len(report.removed)), str(len(report.rejected)), f"{report.seconds:.1f}",
    )
    console.print(table)
    if report.chunks_embedded >= OPTIMIZE_AFTER:
        _optimize(rt.backend, settings.collection)
    for warning in report.warnings:
        console.print(f"[yellow]note:[/yellow] {warning}")
    if report.rejected:
        rejected = Table(title="Rejected files")
        rejected.add_column("file")
        rejected.add_column("reason")
        for r in report.rejected:
            rejected.add_row(r.file_name, r.reason)
        console.print(rejected)
        raise typer.Exit(EXIT_REJECTED)


def _optimize(backend: Any, collection: str) -> None:
    """After a large ingest, Qdrant Edge merges segments and builds its HNSW graph: seconds per 10k chunks, during
    which the process does nothing else (so here, never inside `mizan serve`); a server does it by itself."""
    import time

    started = time.perf_counter()
    with console.status("optimizing the index (merging segments, building the vector graph)…"):
        changed = backend.optimize(collection)
    if changed:
        console.print(f"index optimized in {time.perf_counter() - started:.1f} s")


@app.command()
def migrate(
    to: Annotated[str, typer.Option("--to", help="Qdrant server or cluster URL, e.g. http://qdrant:6333 (its key: "
                                    "MIZAN_QDRANT_API_KEY).")],
) -> None:
    """Copy the embedded index (Qdrant Edge) to a Qdrant server, to run Mizan against it with MIZAN_QDRANT_URL.

    Nothing is embedded again; the docstore stays in the data dir, which the server-backed processes keep using.
    """
    from qdrant_client import QdrantClient

    from index.backends.copy import TargetNotEmpty, copy_collection
    from index.backends.factory import open_backend
    from index.backends.server import ServerBackend

    settings = get_settings()
    if settings.qdrant_url:
        console.print(f"[red]MIZAN_QDRANT_URL is set ({settings.qdrant_url}): the index is already on a server.[/red]")
        raise typer.Exit(1)
    _check_store(settings, writes=True)
    source, name = open_backend(settings), settings.collection
    if not source.collection_exists(name):
        console.print(f"[red]Nothing to copy: the embedded store has no collection {name!r}.[/red]")
        raise typer.Exit(1)
    target = ServerBackend(QdrantClient(url=to, api_key=settings.qdrant_api_key, timeout=60))
    try:
        with Progress(TextColumn("copying chunks"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("copy", total=source.count(name))
            copied = copy_collection(source, target, name, lambda done, total: progress.update(task, completed=done))
    except TargetNotEmpty as exc:
        console.print(f"[red]{exc}. Choose another MIZAN_COLLECTION, or delete that collection on the server.[/red]")
        raise typer.Exit(1) from exc
    except Exception as exc:  # unreachable server, wrong key: said in words, not as a traceback
        console.print(f"[red]Could not copy to {to}: {type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        target.close()
    console.print(f"Copied {copied} chunks of {name!r} to {to}. From now on set [bold]MIZAN_QDRANT_URL={to}[/bold] "
                  f"(and MIZAN_QDRANT_API_KEY) for every Mizan process; {settings.edge_location} can then be deleted.")


@app.command()
def backup(file: Annotated[Path, typer.Argument(help="Archive to write (.tar.gz).", dir_okay=False)]) -> None:
    """Write the index (chunks as stored, nothing to re-embed), the docstore, the uploads and the feedback to FILE."""
    from assistant.library.backup import write_backup
    from index.backends.factory import open_backend

    settings = get_settings()
    _check_store(settings)
    with console.status(f"writing {file}…"):
        summary = write_backup(settings, open_backend(settings), file)
    console.print(f"{file}: {summary.chunks} chunks, {summary.documents} documents, {summary.uploads} uploads"
                  f"{', feedback' if summary.feedback else ''}")


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="An archive written by `mizan backup`.", exists=True,
                                                 dir_okay=False)]) -> None:
    """Restore a backup into an empty data dir and store (the embedded store, or MIZAN_QDRANT_URL's server)."""
    from assistant.library.backup import RestoreRefused, restore_backup
    from index.backends.factory import open_backend

    settings = get_settings()
    _check_store(settings, writes=True, rebuilding=True)  # the docstore check is restore's own
    backend = open_backend(settings)
    try:
        with console.status(f"restoring {file}…"):
            summary = restore_backup(settings, backend, file)
    except (RestoreRefused, ValueError) as exc:
        console.print(f"[red]Not restored: {exc}. Restore into an empty data dir (MIZAN_DATA_DIR) and store.[/red]")
        raise typer.Exit(1) from exc
    console.print(f"restored {summary.chunks} chunks, {summary.documents} documents, {summary.uploads} uploads"
                  f"{', feedback' if summary.feedback else ''} from {file}")
    if summary.chunks >= OPTIMIZE_AFTER:
        _optimize(backend, settings.collection)


LLM_OPTION = "Have the configured LLM (MIZAN_LLM) write the answer; without it the answer quotes the sources."


def _no_llm_with_api(llm: bool, api: str | None) -> None:
    if llm and api:  # through the API no strategy is sent: the server's own default (its MIZAN_LLM) applies
        raise typer.BadParameter("with --api the server's MIZAN_LLM decides how answers are written", param_hint="--llm")


def _print_sources(answer: Any) -> None:
    """Citations after the text (or, for a refusal, where to look); local answers and the API's share field names."""
    from rich.markup import escape

    for c in answer.citations:
        console.print(f"  [bold][{c.n}][/bold] {escape(c.title)} — {escape(c.file)} {escape(_where(c.page, c.locator))}"
                      f"{_OCR if c.ocr else ''}")
    if answer.refused and answer.nearest_documents:
        console.print("  Nearest documents:")
        for d in answer.nearest_documents:
            console.print(f"  • {escape(d.title)} — {escape(d.file)} p.{d.page}")


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="What you are looking for, in French, English or Arabic.")],
    k: Annotated[int, typer.Option(min=1, max=50)] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or sparse")] = "hybrid",
    lang: Annotated[Optional[list[str]], typer.Option(help=FILTER_HELP)] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help="guide, loi, rapport, etude, autre")] = None,
    year_from: Annotated[Optional[int], typer.Option()] = None,
    year_to: Annotated[Optional[int], typer.Option()] = None,
    by_doc: Annotated[bool, typer.Option("--by-doc", help="Group hits per document.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Search the index and print ranked, cited passages."""
    if mode not in ("hybrid", "dense", "sparse"):
        raise typer.BadParameter("mode must be hybrid, dense or sparse", param_hint="--mode")
    filters = _filters(lang, doc_type, year_from, year_to)  # bad values refused before any model is loaded
    with _mizan(api) as mizan:
        results = mizan.search(question, k=k, mode=mode, filters=filters, by_doc=by_doc)  # type: ignore[arg-type]
    rows = [r.model_dump() for r in results]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{question}[/bold]  ({mode}, {len(results)} {'documents' if by_doc else 'hits'})")
    if by_doc:
        for g in results:
            console.print(f"[cyan]{g.title}[/cyan] ({g.file_name}, {g.year or 'n.d.'}) pages {', '.join(map(str, g.pages))}")
        return
    from rich.markup import escape

    for h in results:
        snippet = " ".join(h.text.split())[:240]
        console.print(f"[bold]{h.rank}.[/bold] [cyan]{h.title}[/cyan] — {h.file_name} {escape(_where(h.page, h.locator))}"
                      f"{_OCR if h.ocr else ''} [{h.language}] ({h.score:.3f})")
        console.print(f"   {snippet}…")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the HTTP API (interactive docs at /docs). It holds the local index: other commands then take `--api URL`."""
    import uvicorn

    from assistant.answers.llm import LLMUnavailable, get_llm
    from assistant.api.app import create_app

    _quiet_libraries()
    settings = get_settings()
    # A locked store, an index to rebuild or a missing LLM said in words here, not in uvicorn's start-up traceback.
    _check_store(settings)
    try:
        get_llm(settings)
    except LLMUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Mizan API on [bold]http://{host}:{port}[/bold] (docs: http://{host}:{port}/docs); loading models…")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in French, English or Arabic.")],
    llm: Annotated[bool, typer.Option("--llm", help=LLM_OPTION)] = False,
    k: Annotated[int, typer.Option(min=1, max=50, help="Passages searched before choosing the sources.")] = 8,
    lang: Annotated[Optional[list[str]], typer.Option(help=FILTER_HELP)] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help="guide, loi, rapport, etude, autre")] = None,
    year_from: Annotated[Optional[int], typer.Option()] = None,
    year_to: Annotated[Optional[int], typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole answer as JSON (citations with spans).")] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Answer a question with cited sources, or say that the documents do not answer it."""
    _no_llm_with_api(llm, api)
    filters = _filters(lang, doc_type, year_from, year_to)
    with _mizan(api) as mizan:
        answer = mizan.ask(question, filters=filters, k=k, strategy="llm" if llm else None)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    typer.echo(answer.text)
    _print_sources(answer)


@app.command()
def chat(
    llm: Annotated[bool, typer.Option("--llm", help=LLM_OPTION)] = False,
    k: Annotated[int, typer.Option(min=1, max=50, help="Passages searched per question (local answers).")] = 8,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """A conversation with the documents: follow-ups ("et en 2014 ?") are read with what came before.

    An empty line or Ctrl-D ends it.
    """
    _no_llm_with_api(llm, api)
    from core.contract import Answer

    with _mizan(api) as mizan:
        for question in _questions():
            for piece in mizan.chat(question, k=k, strategy="llm" if llm else None):
                if isinstance(piece, Answer):
                    typer.echo()
                    _print_sources(piece)
                else:
                    typer.echo(piece, nl=False)


def _questions() -> Iterator[str]:
    while True:
        try:
            question = console.input("[bold magenta]?[/bold magenta] ").strip()
        except EOFError:
            return
        if not question:
            return
        yield question


@app.command("ui")
def ui_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    api_url: Annotated[Optional[str], typer.Option(help="The API to talk to (default MIZAN_API_URL).")] = None,
) -> None:
    """Start the web interface (Streamlit); it talks to the API at MIZAN_API_URL (start it with `mizan serve`)."""
    import os

    from ui import streamlit_command
    from ui.settings import get_ui_settings

    env = {**os.environ, "MIZAN_API_URL": api_url or get_ui_settings().api_url}
    console.print(f"Mizan UI on http://{host}:{port} (API {env['MIZAN_API_URL']})")
    command = streamlit_command(host=host, port=port)
    os.execve(command[0], command, env)  # this process becomes Streamlit: signals and exit code are its own


@bench_app.command("ingest")
def bench_ingest(
    folders: Annotated[Optional[list[Path]], typer.Argument(
        help="Folders to ingest, one after the other (default MIZAN_CORPUS_DIR).", exists=True, file_okay=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as one JSON object.")] = False,
) -> None:
    """Pages/s and chunks/s end to end with the configured embedding backend (MIZAN_EMBED_BACKEND), beside `encode`
    alone on the same chunk texts with that backend and with fp32 torch; peak RSS; hours for 50,000 pages."""
    from evaluation.bench import bench_ingest as run

    _quiet_libraries()
    run(get_settings(), folders or [get_settings().corpus_dir], console, as_json=as_json)


@bench_app.command("search")
def bench_search(
    chunks: Annotated[int, typer.Option(help="Index size to replicate the corpus up to.")] = 10_000,
    queries: Annotated[int, typer.Option(help="Number of timed queries per mode.")] = 200,
    baseline_local: Annotated[int, typer.Option(
        help="Also time qdrant-client's local mode (the embedded store before Qdrant Edge) at this many chunks, "
        "in the same run (0: no baseline).")] = 0,
) -> None:
    """On the embedded store (Qdrant Edge) at `chunks` chunks (the corpus replicated with distinct ids): p50/p95
    search latency per mode with the query embedding, time to open the store, peak RSS."""
    from evaluation.bench import bench_search as run

    _quiet_libraries()
    run(get_settings(), console, target_chunks=chunks, n_queries=queries, baseline_local=baseline_local)


@bench_app.command("load")
def bench_load(
    clients: Annotated[int, typer.Option(min=1, max=200, help="Concurrent clients.")] = 20,
    requests: Annotated[int, typer.Option(min=1, max=1000, help="Requests per client.")] = 10,
    corpus: Annotated[Optional[Path], typer.Option(help="Corpus the server holds (default MIZAN_CORPUS_DIR).")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the figures to this file.")] = None,
) -> None:
    """Starts `mizan serve` on loopback over a throw-away copy of the corpus, then `clients` × `requests` requests
    (/search, /ask, /health in turn): p50/p95 per endpoint and errors, with reads alone, then while an upload is
    indexed and deleted over and over."""
    import json

    from evaluation.load import bench_load as run

    _quiet_libraries()
    settings = get_settings()
    figures = run(settings, console, corpus=corpus or settings.corpus_dir, clients=clients, requests=requests)
    if json_out is not None:
        json_out.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


_OCR = " [yellow]OCR[/yellow]"  # a passage recognised from a scanned page: its words may hold recognition errors


def _where(page: int, locator: str) -> str:
    """"p. 12" for a paginated file; a Word file's heading path with its unit number ("§ 12 Titre II › Recettes")."""
    return f"§ {page} {locator}" if locator else f"p.{page}"


if __name__ == "__main__":  # last: `python -m mizan.cli` runs the commands once everything above is defined
    app()
