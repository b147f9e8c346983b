"""`mizan indicators …`, `mizan brief`, `mizan export`, `mizan facets|figures|similar`: the users' jobs on the command
line.

Each command has one code path over `mizan.interface.Mizan`: the local index, or with `--api URL` a running server;
both give the same JSON (the local services' models dumped as the API sends them), which is what is printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

indicators_app = typer.Typer(help="Review, draft and classify gender-sensitive indicators (cited criteria).",
                             no_args_is_help=True)

API_OPTION = "A running Mizan API (e.g. http://127.0.0.1:8000) to send this to, instead of opening the local index."
LANG_OPTION = "Language of the output's wording: fr, en or ar (default: the text's own)."
JSON_OPTION = "The whole result as JSON."
VERDICT_STYLE = {"pass": "[green]pass    [/green]", "fail": "[red]fail    [/red]",
                 "to_check": "[yellow]to check[/yellow]"}
LANGUAGES = ("fr", "en", "ar")


def _language(lang: str | None) -> str | None:
    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter("use fr, en or ar", param_hint="--lang")
    return lang


def _emit(data: dict[str, Any] | list[dict[str, Any]], as_json: bool) -> bool:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    return as_json


def _where(citation: dict[str, Any]) -> str:
    return f"{citation['file']} " + (f"§ {citation['page']} {citation['locator']}" if citation.get("locator")
                                     else f"p.{citation['page']}")


@indicators_app.command("review")
def review(
    indicator: Annotated[str, typer.Argument(help="The indicator as written (baseline, target, source, frequency).")],
    objective: Annotated[str, typer.Option(help="The programme objective it follows.")] = "",
    lang: Annotated[Optional[str], typer.Option(help=LANG_OPTION)] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Check an indicator against each criterion; every verdict cites the guide passage it rests on.

    Exit code 0 when no criterion fails, 2 when some do.
    """
    from mizan.common import _mizan, console

    language = _language(lang)
    with _mizan(api) as mizan:
        data = mizan.review_indicator(indicator, objective=objective, language=language)
    if not _emit(data, as_json):
        for v in data["verdicts"]:
            found = f" [dim](found: {escape(', '.join(v['found']))})[/dim]" if v["found"] else ""
            label, reason = escape(v["label"]), escape(v["reason"])
            console.print(f"{VERDICT_STYLE[v['verdict']]} [bold]{label}[/bold] — {reason}{found}")
            for c in v["citations"]:
                console.print(f"           [dim]{escape(_where(c))} «{escape(c['quote'])}»[/dim]")
        counts = data["counts"]
        console.print(f"pass {counts['pass']} · fail {counts['fail']} · to check {counts['to_check']}")
    if not data["passed"]:
        raise typer.Exit(2)


@indicators_app.command("draft")
def draft(
    description: Annotated[str, typer.Argument(help="The programme: aim, beneficiaries, actions, data sources.")],
    lang: Annotated[Optional[str], typer.Option(help=LANG_OPTION)] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Draft 3-5 indicators from templates: fields copied from the description or marked to complete."""
    from mizan.common import _mizan, console

    language = _language(lang)
    with _mizan(api) as mizan:
        data = mizan.draft_indicators(description, language=language)
    if _emit(data, as_json):
        return
    for n, indicator in enumerate(data["indicators"], start=1):
        console.print(f"[bold]{n}. {escape(indicator['wording'])}[/bold]")
        for field in indicator["fields"]:
            style = "" if field["status"] == "filled" else "[yellow]"
            console.print(f"   {field['name']}: {style}{escape(field['value'])}")
        console.print(f"   [dim]template: {escape(_where(indicator['source']))}[/dim]")
    if data["guidance"]:
        console.print("[bold]Guidance[/bold]")
        for c in data["guidance"]:
            console.print(f"  • «{escape(c['quote'])}» — {escape(_where(c))}")


@indicators_app.command("classify")
def classify(
    objective: Annotated[str, typer.Option(help="Equality as an objective: principal, significant or none.")],
    target_group: Annotated[bool, typer.Option("--target-group", help="A specific group is targeted.")] = False,
    share: Annotated[float, typer.Option(min=0, max=100, help="Share of the activities serving equality, in %.")] = 0,
    lang: Annotated[str, typer.Option(help="Language of the wording: fr, en or ar.")] = "fr",
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Suggest a marking code (G0/G1/G2, OECD-DAC 0/1/2) from the marking questions — never an official one."""
    from mizan.common import _mizan, console

    if objective not in ("principal", "significant", "none"):
        raise typer.BadParameter("use principal, significant or none", param_hint="--objective")
    language = _language(lang) or "fr"
    with _mizan(api) as mizan:
        data = mizan.classify_programme(objective, specific_target_group=target_group, activity_share=share,
                                        language=language)
    if _emit(data, as_json):
        return
    console.print(f"[bold]{data['code']}[/bold] (OECD-DAC {data['dac_marker']}) — {escape(data['level'])}")
    for note in data["notes"]:
        console.print(f"  • {escape(note)}")
    for c in data["criteria"]:
        console.print(f"  [dim]«{escape(c['quote'])}» — {escape(_where(c))}[/dim]")
    console.print(f"[yellow]{escape(data['disclaimer'])}[/yellow]")
    console.print(f"[dim]{escape(data['mapping_note'])}[/dim]")


@indicators_app.command("check")
def check() -> None:
    """Check that every passage the criteria file cites is on its page in the local index (exit 1 if not)."""
    from assistant.user_jobs.indicators.workbench import IndicatorWorkbench
    from mizan.common import _services, console

    services = _services()
    workbench = IndicatorWorkbench(services.search, services.indexer, services.analyzer)
    missing = [c for c in workbench.sources() if not c.verified]
    for c in missing:
        console.print(f"[red]not found[/red] {escape(c.file)} p.{c.page}: «{escape(c.quote)}»")
    if missing:
        raise typer.Exit(1)
    console.print("every cited passage is on its page")


def brief(
    topic: Annotated[str, typer.Argument(help="institutions, legal_basis, tools, gender_report, results or lessons.")],
    lang: Annotated[str, typer.Option(help="The reader's language: fr, en or ar.")] = "en",
    out: Annotated[Optional[Path], typer.Option(help="Also write the Markdown to this file.")] = None,
    pdf: Annotated[Optional[Path], typer.Option(help="Also write the brief as a PDF to this file (needs chromium).")
                   ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """A delegation brief: 5-8 cited bullet points on one topic, printed as Markdown (and saved as a PDF)."""
    from assistant.user_jobs.brief import TOPICS
    from mizan.common import _mizan

    if topic not in TOPICS:
        raise typer.BadParameter(f"use one of {', '.join(TOPICS)}", param_hint="TOPIC")
    language = _language(lang) or "en"
    with _mizan(api) as mizan:
        data, printed = mizan.brief(topic, language=language, pdf=pdf is not None)
    if pdf is not None and printed is not None:
        pdf.write_bytes(printed)
    if out is not None:
        out.write_text(data["markdown"], encoding="utf-8")
    if not _emit(data, as_json):
        typer.echo(data["markdown"])


def export(
    ids: Annotated[list[str], typer.Argument(help="Documents: doc_id, or doc_id@page for a cited page.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, bib or ris")] = "bib",
    out: Annotated[Optional[Path], typer.Option(help="Write to this file instead of printing.")] = None,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Export documents with their cited pages for a reference manager (CSV, BibTeX, RIS)."""
    from assistant.user_jobs.export import FORMATS
    from mizan.common import _mizan, console

    if fmt not in FORMATS:
        raise typer.BadParameter("use csv, bib or ris", param_hint="--format")
    with _mizan(api) as mizan:
        text = mizan.export_references(ids, fmt=fmt)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


# --- the researcher's toolkit: facets, figures, similar documents ---------------------------------------------------

TYPE_HELP = "Only documents of this type: guide, loi, rapport, etude, autre."


def _table(title: str, *columns: str) -> Table:
    """Rich escapes nothing in cells that are plain `Text`; every cell goes through `Text` so that a document's
    brackets are never read as markup, and long French or Arabic cells fold instead of being cut off."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    return table


def _row(table: Table, *cells: object) -> None:
    table.add_row(*(Text("" if c is None else str(c)) for c in cells))


def facets(
    topic: Annotated[str, typer.Argument(help="A topic in French, English or Arabic; none: the whole catalogue.")] = "",
    lang: Annotated[Optional[list[str]], typer.Option(help="Only documents in this language (fr, ar, en).")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help=TYPE_HELP)] = None,
    year_from: Annotated[Optional[int], typer.Option()] = None,
    year_to: Annotated[Optional[int], typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """How many documents cover a topic (or the catalogue), by type, year, language and source."""
    from mizan.common import _filters, _mizan, console

    filters = _filters(lang, doc_type, year_from, year_to)
    with _mizan(api) as mizan:
        data = mizan.facets(topic, filters)
    if _emit(data, as_json):
        return
    about = f"on «{topic}»" if topic.strip() else "in the catalogue"
    table = _table(f"{data['documents']} documents {about}", "facet", "value", "documents")
    for facet in ("doc_type", "year", "language", "source"):
        for value, count in data[facet].items():
            _row(table, facet, value, count)
    console.print(table)


def figures(
    query: Annotated[str, typer.Argument(help="What the figures measure, in French, English or Arabic.")],
    lang: Annotated[Optional[list[str]], typer.Option(help="Only passages in this language (fr, ar, en).")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help=TYPE_HELP)] = None,
    year_from: Annotated[Optional[int], typer.Option()] = None,
    year_to: Annotated[Optional[int], typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="At most this many figures.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """Rates and dirham amounts on a topic: value, unit, year, what it measures and where it is written."""
    from mizan.common import _filters, _mizan, console

    filters = _filters(lang, doc_type, year_from, year_to)
    with _mizan(api) as mizan:
        data = mizan.figures(query, filters, limit=limit)
    if _emit(data, as_json):
        return
    table = _table(f"{len(data)} figures on «{query}»", "value", "year", "measure", "source")
    for f in data:
        _row(table, f["value"], f["year"] or "", f["measure"], _where({**f, "file": f["file_name"]}))
    console.print(table)


def similar(
    doc_id: Annotated[str, typer.Argument(help="The document's id (as listed by the API's /documents or --json).")],
    k: Annotated[int, typer.Option(min=1, max=20, help="How many documents.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION)] = False,
    api: Annotated[Optional[str], typer.Option("--api", help=API_OPTION)] = None,
) -> None:
    """The documents closest to one document (its mean passage vector), best first. Exit 1: no such document."""
    from mizan.common import _mizan, console

    with _mizan(api) as mizan:
        data = mizan.similar_documents(doc_id, k=k)
    if _emit(data, as_json):
        return
    table = _table(f"Documents similar to {doc_id}", "score", "title", "file", "type", "year", "lang", "doc_id")
    for d in data:
        _row(table, f"{d['score']:.3f}", d["title"], d["file_name"], d["doc_type"], d["year"] or "", d["language"],
             d["doc_id"])
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add these commands to the `mizan` application."""
    app.add_typer(indicators_app, name="indicators")
    app.command("brief")(brief)
    app.command("export")(export)
    app.command("facets")(facets)
    app.command("figures")(figures)
    app.command("similar")(similar)
