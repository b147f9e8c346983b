"""What the `mizan` commands share (cli.py and user_jobs_cli.py): the console, building the local services, the one
interface over them or a running API, and the exit codes those can end a command with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from mizan.interface import Mizan

console = Console()

EXIT_LOCKED = 3  # the embedded store is held by another process
EXIT_REBUILD = 4  # the docstore lists documents the vector store lacks (an old data dir): `mizan ingest --rebuild`


def _quiet_libraries() -> None:
    """pypdf logs every repair of a damaged PDF; the ingest summary already names the file and the reason."""
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _services():  # imported lazily: `mizan --help` must not load torch
    """The command's services, after the checks that need no model: the store is free, and in step with the docstore."""
    _quiet_libraries()
    from assistant.services import build_services

    settings = get_settings()
    _check_store(settings)
    return build_services(settings)


def _check_store(settings: Settings, *, writes: bool = False, rebuilding: bool = False) -> None:
    """Open the vector store, or end the command saying why not and what to do (exit 3: locked, 4: needs a rebuild)."""
    from index.backends.factory import open_backend
    from index.indexer import missing_vectors
    from index.store import StoreLockedError, legacy_collection

    try:
        backend = open_backend(settings)
    except StoreLockedError as exc:
        console.print(f"[red]{exc}[/red]")
        if writes:
            console.print("If `mizan serve` holds it: add documents through the API instead ([bold]POST /documents"
                          "[/bold] with MIZAN_API_KEY, or the UI's Admin page), or stop the server and run this again.")
        else:
            from ui.settings import get_ui_settings

            console.print(f"If `mizan serve` holds it: add [bold]--api {get_ui_settings().api_url}[/bold] (search, ask, "
                          "chat).")
        raise typer.Exit(EXIT_LOCKED) from exc
    documents = 0 if rebuilding else missing_vectors(settings, backend)
    if not documents:
        return
    if not settings.qdrant_url and legacy_collection(settings) is not None:
        why = (f"This index was built by Mizan's old embedded store ({settings.data_dir / 'qdrant'}, qdrant-client's "
               f"local mode); Mizan now keeps it in Qdrant Edge ({settings.edge_location}).")
    else:
        why = (f"The docstore lists documents but the vector store has no collection {settings.collection!r} "
               "(a new store, or its folder was deleted).")
    console.print(f"[yellow]{why}[/yellow] Run [bold]mizan ingest --rebuild[/bold] once: it indexes the docstore's "
                  f"{documents} document{'s' if documents > 1 else ''} again, without reading their files.")
    raise typer.Exit(EXIT_REBUILD)


@contextmanager
def _mizan(api: str | None) -> Iterator[Mizan]:
    """The command's one way to Mizan: the local services, or with `api` a running server (the same interface, so
    each command has one code path); a refusal ends the command with its own words (exit 1)."""
    from rich.markup import escape

    from mizan.interface import MizanError

    if api:
        from mizan.remote import HttpMizan

        mizan: Mizan = HttpMizan(api)
    else:
        from mizan.local import LocalMizan

        mizan = LocalMizan(_services())
    try:
        yield mizan
    except MizanError as exc:
        console.print(f"[red]{escape(exc.detail)}[/red]")
        raise typer.Exit(1) from exc
    finally:
        mizan.close()


FILTER_HELP = "Only passages in this language (fr, ar, en)."


def _filters(lang: list[str] | None, doc_type: list[str] | None, year_from: int | None, year_to: int | None):
    """The contract's filters, for the local search and the API alike; bad values end the command as the API would."""
    from pydantic import ValidationError

    from core.contract import Filters

    try:
        return Filters(languages=lang or [], doc_types=doc_type or [], year_from=year_from, year_to=year_to)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(problems, param_hint="--lang/--type/--year-from/--year-to") from exc
