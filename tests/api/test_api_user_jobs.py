"""The users' jobs over HTTP: a real uvicorn server on a copy of the sample-corpus index, the real model and store."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict

import httpx
import pytest
from conftest import scratch_settings
from test_api_server import live_server
from typer.testing import CliRunner

from assistant.api.app import create_app
from core.settings import Settings
from mizan.cli import app as cli
from mizan.common import console
from tests.assistant.test_export import parse_bibtex


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, corpus_runtime, embed_model_path: str) -> Settings:
    """A copy of the session's index (store and docstore, whatever the store layer; the sentence-vector cache is
    left behind, as its database is open)."""
    folder = tmp_path_factory.mktemp("api-jobs-data")
    shutil.copytree(corpus_runtime.settings.data_dir, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".lock", "cache"))
    return scratch_settings(folder, embed_model_path)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


def _page_text(api: httpx.Client, doc_id: str, page: int) -> str:
    return api.get(f"/documents/{doc_id}/pages/{page}").json()["text"]


def _words(text: str) -> str:
    return " ".join(text.split())


def test_review_flags_a_weak_indicator_with_verdicts_cited_from_their_pages(api: httpx.Client) -> None:
    response = api.post("/indicators/review", json={"indicator": "Nombre de stagiaires formés",
                                                    "objective": "Améliorer l'insertion des jeunes diplômés."})
    assert response.status_code == 200
    review = response.json()
    assert review["passed"] is False and review["language"] == "fr"
    verdicts = {v["criterion"]: v for v in review["verdicts"]}
    assert verdicts["outcome"]["verdict"] == "fail" and verdicts["objective_link"]["verdict"] == "pass"
    for verdict in review["verdicts"]:
        for c in verdict["citations"]:
            start, end = c["quote_span"]
            assert c["verified"] and _words(_page_text(api, c["doc_id"], c["page"])[start:end]) == _words(c["quote"])


def test_review_in_english_and_validation_errors(api: httpx.Client) -> None:
    review = api.post("/indicators/review", json={"indicator": "Taux d'accès à l'eau, par sexe", "language": "en"}).json()
    assert review["language"] == "en" and review["verdicts"][0]["label"] == "Disaggregated by sex"
    assert api.post("/indicators/review", json={"indicator": ""}).status_code == 422
    assert api.post("/indicators/review", json={"indicator": "x", "language": "de"}).status_code == 422


def test_draft_returns_three_to_five_indicators_with_guidance(api: httpx.Client) -> None:
    drafts = api.post("/indicators/draft", json={
        "description": "A programme building water supply networks for rural households. Its objective is to give "
                       "every rural household access to drinking water."}).json()
    assert drafts["language"] == "en" and 3 <= len(drafts["indicators"]) <= 5
    assert drafts["indicators"][0]["wording"].startswith("Rate of access to drinking water among rural households")
    assert {f["name"]: f["status"] for f in drafts["indicators"][0]["fields"]}["baseline"] == "to_complete"
    assert drafts["guidance"] and all(c["verified"] for c in drafts["guidance"])


def test_classify_suggests_a_code_and_says_it_is_not_official(api: httpx.Client) -> None:
    suggestion = api.post("/indicators/classify", json={
        "objective": "significant", "specific_target_group": True, "activity_share": 35, "language": "ar"}).json()
    assert (suggestion["code"], suggestion["dac_marker"], suggestion["official"]) == ("G1", 1, False)
    assert "ليس تصنيفا رسميا" in suggestion["disclaimer"] and suggestion["criteria"]
    assert api.post("/indicators/classify", json={"objective": "maybe"}).status_code == 422
    assert api.post("/indicators/classify", json={"objective": "none", "activity_share": 140}).status_code == 422


def test_brief_as_json_and_as_a_markdown_file(api: httpx.Client) -> None:
    brief = api.post("/brief", json={"topic": "gender_report", "language": "en"}).json()
    assert 5 <= len(brief["bullets"]) <= 8 and brief["title"] == "Delegation brief — The annual gender budget report"
    for bullet in brief["bullets"]:
        c = bullet["citation"]
        start, end = c["quote_span"]
        assert _words(_page_text(api, c["doc_id"], c["page"])[start:end]) == _words(bullet["quote"])
    file = api.post("/brief", params={"format": "md"}, json={"topic": "gender_report", "language": "en"})
    assert file.headers["content-type"].startswith("text/markdown")
    assert 'filename="mizan-brief-gender_report-en.md"' in file.headers["content-disposition"]
    assert file.text == brief["markdown"]
    assert api.post("/brief", json={"topic": "weather"}).status_code == 422


def test_export_bibtex_parses_back_and_bad_ids_are_refused(api: httpx.Client) -> None:
    documents = {d["file_name"]: d["doc_id"] for d in api.get("/documents").json()["documents"]}
    guide, lof = documents["guide_indicateurs_genre.pdf"], documents["note_lof_130_13_performance_genre.pdf"]
    response = api.get("/export", params={"ids": f"{guide}@2,{guide}@4", "format": "bib"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-bibtex")
    response = api.get("/export", params=[("ids", f"{guide}@2,{guide}@4"), ("ids", lof), ("format", "bib")])
    entries = parse_bibtex(response.text)
    assert [fields["title"] for _, _, fields in entries] == [
        "Guide pratique : rédiger des indicateurs de performance sensibles au genre",
        "Note explicative : le cadre de performance de la LOF n° 130-13 et sa dimension genre"]
    assert entries[0][2]["pages"] == "2, 4" and entries[1][0] == "misc"
    ris = api.get("/export", params={"ids": lof, "format": "ris"})
    assert re.search(r"^TY  - STAT$", ris.text, re.MULTILINE) and ris.text.rstrip().endswith("ER  -")
    assert api.get("/export", params={"ids": "nope!"}).status_code == 422
    assert api.get("/export", params={"ids": "0123456789abcdef"}).status_code == 404
    assert api.get("/export", params={"ids": f"{guide}@99"}).status_code == 404
    assert api.get("/export", params={"ids": guide, "format": "pdf"}).status_code == 422


# --- the CLI, through the API and on the local index ---------------------------------------------------------------


def test_cli_jobs_through_the_api(api: httpx.Client) -> None:
    url, runner = str(api.base_url), CliRunner()
    reviewed = runner.invoke(cli, ["indicators", "review", "Nombre de stagiaires formés", "--lang", "en", "--api", url])
    assert reviewed.exit_code == 2, reviewed.output  # some criteria fail
    assert "Measures an outcome, not an activity" in reviewed.output and "pass 0 · fail 8" in reviewed.output
    drafted = runner.invoke(cli, ["indicators", "draft", "Programme d'accès à l'eau potable des ménages ruraux.",
                                  "--json", "--api", url])
    assert drafted.exit_code == 0 and len(json.loads(drafted.output)["indicators"]) == 4
    classified = runner.invoke(cli, ["indicators", "classify", "--objective", "principal", "--share", "80", "--api", url])
    assert classified.exit_code == 0 and classified.output.startswith("G2 (OECD-DAC 2)")
    briefed = runner.invoke(cli, ["brief", "lessons", "--lang", "fr", "--api", url])
    assert briefed.exit_code == 0 and briefed.output.startswith("# Note de délégation — Enseignements")
    guide = next(d["doc_id"] for d in api.get("/documents").json()["documents"]
                 if d["file_name"] == "guide_indicateurs_genre.pdf")
    exported = runner.invoke(cli, ["export", f"{guide}@2", "--format", "ris", "--api", url])
    assert exported.exit_code == 0 and "SP  - 2" in exported.output
    missing = runner.invoke(cli, ["export", "0123456789abcdef", "--api", url])
    assert missing.exit_code == 1 and "no such document" in missing.output


def test_cli_jobs_on_the_local_index(corpus_runtime, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr("mizan.common._services", lambda: corpus_runtime)
    runner = CliRunner()
    assert runner.invoke(cli, ["indicators", "check"]).exit_code == 0
    indicator = ("Part des femmes parmi les bénéficiaires des prêts d'honneur. Valeur de référence 2024 : 30 %. "
                 "Cible 2027 : 40 %. Source : registre de l'agence. Fréquence : annuelle.")
    good = runner.invoke(cli, ["indicators", "review", indicator, "--objective", "Faciliter l'accès au financement."])
    assert good.exit_code == 0 and "pass 8 · fail 0" in good.output
    out = tmp_path / "brief.md"
    briefed = runner.invoke(cli, ["brief", "legal_basis", "--lang", "en", "--out", str(out)])
    assert briefed.exit_code == 0 and out.read_text(encoding="utf-8").strip() == briefed.output.strip()
    assert runner.invoke(cli, ["brief", "weather"]).exit_code == 2


# --- the researcher's toolkit: facets and similar documents ---------------------------------------------------------


def test_facets_count_documents_of_the_catalogue_and_of_a_topic(api: httpx.Client) -> None:
    catalogue = api.get("/documents").json()["documents"]
    everything = api.post("/facets", json={}).json()
    assert everything["documents"] == len(catalogue) == 10
    for facet in ("doc_type", "year", "language", "source"):
        assert sum(everything[facet].values()) == 10, (facet, everything[facet])
    assert everything["language"]["ar"] == sum(1 for d in catalogue if d["language"] == "ar") >= 1
    arabic = api.post("/facets", json={"filters": {"languages": ["ar"]}}).json()
    assert arabic["documents"] == everything["language"]["ar"] and set(arabic["language"]) == {"ar"}
    topic = api.post("/facets", json={"query": "loi organique 130-13 relative à la loi de finances"}).json()
    assert 1 <= topic["documents"] <= 10 and sum(topic["doc_type"].values()) == topic["documents"]
    assert api.post("/facets", json={"filters": {"doc_types": ["roman"]}}).status_code == 422


def test_similar_documents_exclude_the_document_and_rank_its_subject_first(api: httpx.Client) -> None:
    documents = {d["file_name"]: d["doc_id"] for d in api.get("/documents").json()["documents"]}
    guide = documents["guide_indicateurs_genre.pdf"]
    similar = api.get(f"/documents/{guide}/similar", params={"k": 3}).json()
    assert len(similar) == 3 and guide not in {s["doc_id"] for s in similar}
    assert [s["score"] for s in similar] == sorted((s["score"] for s in similar), reverse=True)
    # the indicator guide's nearest documents are about programmes' performance and indicators, not the history
    assert {s["file_name"] for s in similar[:2]} & {"fiche_analyse_genre_programme.docx",
                                                     "note_lof_130_13_performance_genre.pdf"}, similar
    assert api.get("/documents/0123456789abcdef/similar").status_code == 404


# --- the researcher's toolkit on the command line: facets, figures, similar; and the brief as a PDF -----------------


def test_cli_facets_and_similar_through_the_api_and_locally(
    api: httpx.Client, corpus_runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same JSON through the API and from the local index; tables that keep French and Arabic as written."""
    url, runner = str(api.base_url), CliRunner()
    documents = {d["file_name"]: d for d in api.get("/documents").json()["documents"]}
    guide = documents["guide_indicateurs_genre.pdf"]["doc_id"]
    remote = {
        "facets": json.loads(runner.invoke(cli, ["facets", "--json", "--api", url]).output),
        "arabic": json.loads(runner.invoke(cli, ["facets", "--lang", "ar", "--json", "--api", url]).output),
        "similar": json.loads(runner.invoke(cli, ["similar", guide, "--k", "3", "--json", "--api", url]).output),
    }
    assert remote["facets"] == api.post("/facets", json={}).json() and remote["facets"]["documents"] == 10
    assert set(remote["arabic"]["language"]) == {"ar"}
    assert [s["doc_id"] for s in remote["similar"]] == [
        s["doc_id"] for s in api.get(f"/documents/{guide}/similar", params={"k": 3}).json()]

    monkeypatch.setattr("mizan.common._services", lambda: corpus_runtime)
    local = {
        "facets": json.loads(runner.invoke(cli, ["facets", "--json"]).output),
        "arabic": json.loads(runner.invoke(cli, ["facets", "--lang", "ar", "--json"]).output),
        "similar": json.loads(runner.invoke(cli, ["similar", guide, "--k", "3", "--json"]).output),
    }
    assert local == remote

    monkeypatch.setattr(console, "width", 250)  # rich folds long cells at the terminal's width: here, none
    table = runner.invoke(cli, ["similar", guide, "--k", "3"])
    assert table.exit_code == 0 and all(s["file_name"] in table.output for s in local["similar"])
    arabic_title = documents["note_bsg_maroc_ar.pdf"]["title"]
    note = documents["note_bsg_maroc_ar.pdf"]["doc_id"]
    listed = runner.invoke(cli, ["similar", documents["brief_moroccan_grb_en.pdf"]["doc_id"], "--k", "9"],
                           terminal_width=250)
    assert note in listed.output and arabic_title in listed.output  # Arabic as written: logical order, base letters
    facets = runner.invoke(cli, ["facets", "الميزانية المستجيبة للنوع الاجتماعي"])
    assert facets.exit_code == 0 and "on «الميزانية المستجيبة للنوع الاجتماعي»" in facets.output
    assert runner.invoke(cli, ["similar", "0123456789abcdef"]).exit_code == 1
    assert runner.invoke(cli, ["similar", "0123456789abcdef", "--api", url]).exit_code == 1


def test_cli_figures_in_french_and_arabic_locally_and_through_the_api(tmp_path, embed_model_path: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample corpus holds no rates or amounts: two short reports that do, one French, one Arabic."""
    from assistant.services import build_services
    from assistant.user_jobs.figures import FiguresService
    from index.backends.factory import close_backend

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "emploi.md").write_text(
        "# Emploi des femmes\n\nLe taux d'activité des femmes s'est établi à 19,8 % en 2023, contre 20,9 % en 2022."
        "\n", encoding="utf-8")
    (docs / "نفقات.md").write_text(
        "# النفقات الجبائية\n\nبلغت النفقات الجبائية لفائدة النساء ٣٢ مليار درهم سنة 2024، أي 12,5 % من المجموع.\n",
        encoding="utf-8")
    settings = scratch_settings(tmp_path / "data", embed_model_path)
    runtime = build_services(settings)
    runner = CliRunner()
    try:
        runtime.indexer.ingest(docs)
        monkeypatch.setattr("mizan.common._services", lambda: runtime)
        monkeypatch.setattr(console, "width", 250)
        expected = [asdict(f) for f in FiguresService(runtime.search, runtime.analyzer).figures("النفقات الجبائية")]
        local = runner.invoke(cli, ["figures", "النفقات الجبائية", "--json"])
        table = runner.invoke(cli, ["figures", "النفقات الجبائية"])
        french = runner.invoke(cli, ["figures", "taux d'activité des femmes", "--lang", "fr"])
    finally:
        close_backend(settings)
    assert json.loads(local.output) == expected
    arabic = next(f for f in expected if f["unit"] == "MDH")
    assert arabic["amount"] == 32000 and arabic["year"] == 2024 and arabic["file_name"] == "نفقات.md"
    assert arabic["value"] in table.output and arabic["measure"] in table.output and "نفقات.md p.1" in table.output
    assert "19,8 %" in french.output and "20,9 %" in french.output and "نفقات.md" not in french.output
    with live_server(create_app(settings)) as url:
        remote = runner.invoke(cli, ["figures", "النفقات الجبائية", "--json", "--api", url])
    assert json.loads(remote.output) == expected


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (make browser)")
def test_brief_as_a_pdf_file_through_the_api_and_the_cli(api: httpx.Client, tmp_path) -> None:
    from ingest.readers import read_bytes

    file = api.post("/brief", params={"format": "pdf"}, json={"topic": "legal_basis", "language": "ar"})
    assert file.status_code == 200 and file.headers["content-type"] == "application/pdf"
    assert 'filename="mizan-brief-legal_basis-ar.pdf"' in file.headers["content-disposition"]
    brief = api.post("/brief", json={"topic": "legal_basis", "language": "ar"}).json()
    text = _words(unicodedata.normalize("NFKC", " ".join(read_bytes(file.content, ".pdf").pages)))  # "ﬁ" ligatures
    assert all(_words(unicodedata.normalize("NFKC", b["quote"])) in text for b in brief["bullets"])
    out = tmp_path / "brief.pdf"
    made = CliRunner().invoke(cli, ["brief", "legal_basis", "--lang", "ar", "--pdf", str(out), "--api",
                                    str(api.base_url)])
    assert made.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    assert _words(unicodedata.normalize("NFKC", " ".join(read_bytes(out.read_bytes(), ".pdf").pages))) == text
