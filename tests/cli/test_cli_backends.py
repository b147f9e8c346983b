"""Each `mizan` command gives the same output on the embedded store (`LocalMizan`) and through a running `mizan serve`
(`HttpMizan`, `--api URL`) over the same data dir: the qdrant-client way of keeping two backends to one contract.

The local commands run first, in this process, on services built over a copy of the sample-corpus index; those
services are closed (releasing the store's lock), then `mizan serve` is started as a user would, over that same
folder, and every command runs again with `--api`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, scratch_settings
from typer.testing import CliRunner

from mizan.cli import app as cli
from tests.support.ui_harness import Server, _env, _wait, free_port

GUIDE = "guide_indicateurs_genre.pdf"
UNKNOWN = "0123456789abcdef"
# name -> (arguments, exit code both ways); "{guide}" is the indicator guide's doc_id
COMMANDS: dict[str, tuple[list[str], int]] = {
    "search": (["search", "indicateurs de performance", "--k", "4", "--json"], 0),
    "search-filtered": (["search", "budget sensible au genre", "--lang", "ar", "--mode", "dense", "--json"], 0),
    "search-by-doc": (["search", "loi organique relative à la loi de finances", "--by-doc", "--json"], 0),
    "search-table": (["search", "indicateurs de performance", "--k", "3"], 0),
    "ask": (["ask", "Comment formuler un indicateur sensible au genre ?", "--json"], 0),
    "ask-refused": (["ask", "Quel est le prix du pétrole à Rotterdam ?", "--json"], 0),
    "ask-text": (["ask", "Quand le Maroc a-t-il commencé la budgétisation sensible au genre ?"], 0),
    "facets": (["facets", "--json"], 0),
    "facets-topic": (["facets", "loi organique 130-13", "--lang", "fr", "--json"], 0),
    "figures": (["figures", "taux d'activité des femmes", "--json"], 0),
    "figures-table": (["figures", "taux d'activité des femmes", "--lang", "fr"], 0),
    "similar": (["similar", "{guide}", "--k", "3", "--json"], 0),
    "similar-unknown": (["similar", UNKNOWN], 1),
    "review": (["indicators", "review", "Nombre de stagiaires formés", "--lang", "en", "--json"], 2),
    "draft": (["indicators", "draft", "Programme d'accès à l'eau potable des ménages ruraux.", "--json"], 0),
    "classify": (["indicators", "classify", "--objective", "principal", "--share", "80", "--json"], 0),
    "brief": (["brief", "lessons", "--lang", "fr", "--json"], 0),
    "export": (["export", "{guide}@2", "--format", "ris"], 0),
    "export-unknown": (["export", UNKNOWN], 1),
}
CHAT = "Quand le Maroc a-t-il commencé la budgétisation sensible au genre ?\nEt en 2014 ?\n\n"


def _run(arguments: list[str], guide: str, *extra: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [a.format(guide=guide) for a in arguments] + list(extra), input=stdin,
                                terminal_width=250)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_runtime) -> Path:
    folder = tmp_path_factory.mktemp("both-ways") / "data"
    shutil.copytree(corpus_runtime.settings.data_dir, folder, ignore=shutil.ignore_patterns(".lock", "*.lock"))
    return folder


@pytest.fixture(scope="module")
def outputs(data_dir: Path, embed_model_path: str) -> Iterator[dict[str, dict[str, tuple[int, str]]]]:
    """{way: {command: (exit code, output)}} for way in local, http."""
    from assistant.services import build_services

    services = build_services(scratch_settings(data_dir, embed_model_path))
    notes = data_dir.parent / "notes"  # the sample corpus holds no rates or amounts: one short report that does
    notes.mkdir()
    (notes / "emploi.md").write_text("# Emploi des femmes\n\nLe taux d'activité des femmes s'est établi à 19,8 % en "
                                     "2023, contre 20,9 % en 2022.\n", encoding="utf-8")
    services.indexer.ingest(notes)
    guide = next(d.doc_id for d in services.indexer.documents() if d.file_name == GUIDE)
    found: dict[str, dict[str, tuple[int, str]]] = {"local": {}, "http": {}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("mizan.common._services", lambda: services)
        for name, (arguments, _) in COMMANDS.items():
            found["local"][name] = _run(arguments, guide)
        found["local"]["chat"] = _run(["chat"], guide, stdin=CHAT)
    services.close()

    port = free_port()
    log = data_dir.parent / "serve.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "mizan.cli", "serve", "--port", str(port)], cwd=REPO, stdout=handle,
            stderr=subprocess.STDOUT, env=_env(MIZAN_DATA_DIR=str(data_dir), MIZAN_EMBED_MODEL=embed_model_path),
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait(server, "/health", timeout=300)
        for name, (arguments, _) in COMMANDS.items():
            found["http"][name] = _run(arguments, guide, "--api", server.url)
        found["http"]["chat"] = _run(["chat"], guide, "--api", server.url, stdin=CHAT)
        yield found
    finally:
        server.stop()


def _json(output: str):
    return json.loads(output)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_same_output_on_the_local_store_and_through_the_api(name: str, outputs) -> None:
    local, http = outputs["local"][name], outputs["http"][name]
    assert local == http, f"{name}\n--- local ---\n{local[1]}\n--- http ---\n{http[1]}"
    code, output = local
    assert code == COMMANDS[name][1], output
    if "--json" in COMMANDS[name][0]:
        data = _json(output)
        assert data, output  # something was found, or said: never an empty result compared with another
        if name.startswith("search") and not name.endswith("by-doc"):
            assert all(h["doc_id"] and h["text"] for h in data)
    if name == "ask":
        assert not _json(output)["refused"] and _json(output)["citations"]
    if name == "ask-refused":
        assert _json(output)["refused"]
    if name == "figures":
        assert {f["value"] for f in _json(output)} >= {"19,8 %", "20,9 %"}
    if name.endswith("unknown"):
        assert UNKNOWN in output or "no such document" in output


def test_a_conversation_reads_the_follow_up_with_what_came_before_both_ways(outputs) -> None:
    local, http = outputs["local"]["chat"], outputs["http"]["chat"]
    assert local == http
    assert local[0] == 0 and local[1].count("[1]") >= 2, local[1]
