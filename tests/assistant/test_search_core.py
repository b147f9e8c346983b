"""The search core end to end: real PDFs, the real E5 model, a real embedded Qdrant (Edge) in a temp folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, scratch_settings
from qdrant_client import QdrantClient, models

from assistant.search.service import Hit, SearchFilters, SearchService, group_by_document
from assistant.services import build_services
from index.backends.factory import close_backend, open_backend
from index.backends.server import ServerBackend
from index.store import StoreLockedError
from tests.support.badfiles import ACCEPTED, make_bad_inputs

# Dev-set questions in FR, EN and AR (EN and AR also over French sources) with the page that answers them.
QUESTION_IDS = ["q01", "q03", "q06", "q09", "q22", "q28", "q40", "q42", "q45", "q52", "q55", "q58", "q59"]
QUESTIONS = {
    q["id"]: q
    for q in map(json.loads, (REPO / "evaluation" / "questions" / "sample.jsonl").read_text(encoding="utf-8").splitlines())
}


def test_sample_corpus_goes_in_whole(corpus_runtime) -> None:
    report = corpus_runtime.first_report
    assert report.rejected == []
    assert report.documents == 10
    assert report.pages >= 30
    assert report.chunks_embedded >= report.documents


def test_question_ids_cover_three_languages() -> None:
    assert {QUESTIONS[i]["lang"] for i in QUESTION_IDS} == {"fr", "en", "ar"}


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_question_finds_its_page_in_top5(corpus_runtime, qid: str) -> None:
    question = QUESTIONS[qid]
    hits = corpus_runtime.search.search(question["question"], k=5)
    found = [(h.file_name, h.page, h.page_end) for h in hits]
    expected = [(e["doc"], e["page"]) for e in question["evidence"]]
    assert any(f == doc and start <= page <= end for f, start, end in found for doc, page in expected), (expected, found)


def test_reingest_of_unchanged_corpus_embeds_nothing(corpus_runtime) -> None:
    report = corpus_runtime.indexer.ingest(CORPUS)
    assert report.chunks_embedded == 0
    assert report.removed == []
    assert len(corpus_runtime.indexer.documents()) == 10


def test_hit_span_points_into_its_page(corpus_runtime) -> None:
    hits = corpus_runtime.search.search("données ventilées par sexe", k=5)
    assert hits
    for hit in hits:
        doc = corpus_runtime.indexer.document(hit.doc_id)
        page_text = next(p.text for p in doc.pages if p.number == hit.page)
        start, end = hit.quote_span
        if hit.page == hit.page_end:
            assert page_text[start:end] == hit.text
        else:  # a chunk running onto the next page: the span ends in that page's text
            assert hit.text.startswith(page_text[start:])
            last = next(p.text for p in doc.pages if p.number == hit.page_end)
            assert hit.text.endswith(last[:end])


def test_filters_and_grouping(corpus_runtime) -> None:
    search = corpus_runtime.search
    arabic = search.search("budget genre", k=10, filters=SearchFilters(languages=["ar"]))
    assert arabic and {h.language for h in arabic} == {"ar"}
    laws = search.search("indicateurs de performance", k=10, filters=SearchFilters(doc_types=["loi"]))
    assert laws and {h.doc_type for h in laws} == {"loi"}
    unfiltered = search.search("rapport genre", k=10)
    assert any(h.year is None or h.year < 2025 for h in unfiltered)  # the year range has something to leave out
    recent = search.search("rapport genre", k=10, filters=SearchFilters(year_from=2025, year_to=2030))
    assert recent and all(h.year is not None and 2025 <= h.year <= 2030 for h in recent)
    groups = group_by_document(search.search("budgétisation sensible au genre", k=20))
    assert len({g.doc_id for g in groups}) == len(groups) > 1


def test_modes_differ_and_stop_words_alone_match_nothing_lexically(corpus_runtime) -> None:
    search = corpus_runtime.search
    question = "Quels critères pour juger un indicateur ?"
    dense = [h.chunk_id for h in search.search(question, k=10, mode="dense")]
    sparse = [h.chunk_id for h in search.search(question, k=10, mode="sparse")]
    assert dense and sparse and dense != sparse
    assert search.search("le la les de des", k=5, mode="sparse") == []


def _same_ranking(ours: list[Hit], theirs: list[Hit]) -> None:
    """Same scores rank by rank, and the same passages above the last score (RRF ties may be cut differently)."""
    assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], abs=1e-4)
    if ours:
        last = ours[-1].score - 1e-4
        assert {h.chunk_id for h in ours if h.score > last} == {h.chunk_id for h in theirs if h.score > last}


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect")  # the reference server: qdrant-client's local mode
def test_search_ranks_alike_on_edge_and_on_a_server(corpus_runtime) -> None:
    """One query plan, two engines: the indexed corpus copied to a server backend is searched with the same results,
    whatever the mode, filter, language (glossary, foreign BM25 weight) or balancing."""
    rt = corpus_runtime
    server = ServerBackend(QdrantClient(":memory:"))
    name = rt.settings.collection
    server.ensure_collection(name, rt.embedder.dimension)
    server.upsert(name, list(rt.backend.scroll(name)))
    balanced = rt.settings.model_copy(update={"balance_languages": ["fr", "en", "ar"], "foreign_sparse_weight": 0.5})
    dbsf = rt.settings.model_copy(update={"fusion": "dbsf"})
    cases = [
        ("Comment formuler un indicateur sensible au genre ?", "hybrid", None, rt.settings),
        ("What does gender-responsive budgeting require of performance indicators?", "hybrid", None, balanced),
        ("budget genre", "hybrid", SearchFilters(languages=["ar"], year_from=2010), rt.settings),
        ("données ventilées par sexe", "dense", SearchFilters(doc_types=["guide", "etude"]), rt.settings),
        ("LOF 130-13 performance", "sparse", None, rt.settings),
        ("ما هو دور مركز التميز لميزانية النوع الاجتماعي؟", "hybrid", None, dbsf),
    ]
    try:
        for query, mode, filters, settings in cases:
            edge, other = (
                SearchService(settings, store, rt.embedder, rt.analyzer).search(query, k=10, mode=mode, filters=filters)
                for store in (rt.backend, server)
            )
            assert edge, (query, mode)
            _same_ranking(edge, other)
    finally:
        server.close()


def test_hits_carry_their_vector_only_when_asked(corpus_runtime) -> None:
    search = corpus_runtime.search
    question = "Comment formuler un indicateur sensible au genre ?"
    vector = corpus_runtime.embedder.embed_queries([question])[0]
    plain = search.search(question, k=5)
    given = search.search(question, k=5, query_vector=vector.tolist(), with_vectors=True)
    assert [h.chunk_id for h in given] == [h.chunk_id for h in plain]  # the given vector is the one it would embed
    assert all(h.vector is None for h in plain)
    assert all(h.vector is not None and len(h.vector) == corpus_runtime.embedder.dimension for h in given)
    assert "vector" not in given[0].to_dict()
    assert "vector" not in group_by_document(given)[0].to_dict()["hits"][0]


def _small_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "note_a.md").write_text("# Note A\n\nLa cellule d'évaluation propose des mesures correctives.\n", encoding="utf-8")
    (folder / "note_b.txt").write_text("Note B\n\nLe rapport genre accompagne le projet de loi de finances.\n", encoding="utf-8")
    return folder


def test_changed_file_replaced_same_content_once_and_prune(tmp_path: Path, embed_model_path: str) -> None:
    settings = scratch_settings(tmp_path / "data", embed_model_path)
    runtime = build_services(settings)
    try:
        folder = _small_corpus(tmp_path / "docs")
        (folder / "copie_de_a.md").write_bytes((folder / "note_a.md").read_bytes())
        first = runtime.indexer.ingest(folder)
        assert first.documents == 2 and first.files == 3  # same content under two names: stored once
        [doc_b] = [d for d in runtime.indexer.documents() if d.file_name == "note_b.txt"]

        (folder / "note_b.txt").write_text("Note B\n\nLe rapport genre couvre désormais plus de départements.\n", encoding="utf-8")
        changed = runtime.indexer.ingest(folder)
        assert changed.documents_embedded == 1  # only the changed file
        assert changed.removed == [doc_b.doc_id]
        assert all(h.doc_id != doc_b.doc_id for h in runtime.search.search("projet de loi de finances", k=10))

        (folder / "note_b.txt").unlink()
        kept = runtime.indexer.ingest(folder)
        assert kept.removed == [] and len(runtime.indexer.documents()) == 2  # a gone file stays without --prune
        pruned = runtime.indexer.ingest(folder, prune=True)
        assert len(pruned.removed) == 1
        assert [d.file_name for d in runtime.indexer.documents()] == ["copie_de_a.md"]
        assert runtime.search.search("départements", k=10, mode="sparse") == []
    finally:
        close_backend(settings)


def test_replaced_file_of_the_same_size_is_found_by_its_new_word_and_not_its_old_one(
        tmp_path: Path, embed_model_path: str) -> None:
    """Replace a document's file by one of the same size and date holding a new word: the next ingest must make the
    new word searchable, the old one gone, and leave exactly the new chunks in the store (none lost, none left)."""
    settings = scratch_settings(tmp_path / "data", embed_model_path)
    runtime = build_services(settings)
    collection = settings.collection
    paragraph = "Le rapport genre accompagne le projet de loi de finances et suit les indicateurs du programme. "
    old_text = "# Note C\n\n" + paragraph * 40 + "\n\nLa coopérative de Tiznit cultive le tamarinier.\n"
    new_text = old_text.replace("tamarinier", "cardamomes")
    assert len(new_text.encode()) == len(old_text.encode())
    try:
        folder = _small_corpus(tmp_path / "docs")
        note = folder / "note_c.md"
        note.write_text(old_text, encoding="utf-8")
        first = runtime.indexer.ingest(folder)
        assert first.rejected == [] and first.documents == 3
        [old] = [d.doc_id for d in runtime.indexer.documents() if d.file_name == "note_c.md"]
        assert [h.doc_id for h in runtime.search.search("tamarinier", k=10, mode="sparse")] == [old]
        assert runtime.search.search("cardamomes", k=10, mode="sparse") == []
        before = [p.payload["doc_id"] for p in runtime.backend.scroll(collection)]
        assert len(before) == first.chunks_embedded
        old_chunks = before.count(old)
        assert old_chunks > 1  # several chunks: a partial replacement would show

        stat = note.stat()
        note.write_text(new_text, encoding="utf-8")
        os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same date: only the content differs
        changed = runtime.indexer.ingest(folder)
        assert changed.removed == [old] and changed.documents_embedded == 1
        [new] = [d.doc_id for d in runtime.indexer.documents() if d.file_name == "note_c.md"]
        assert new != old

        found = runtime.search.search("cardamomes", k=10, mode="sparse")
        assert found and {h.doc_id for h in found} == {new}
        assert runtime.search.search("cardamomes", k=3)[0].doc_id == new  # hybrid too
        assert runtime.search.search("tamarinier", k=10, mode="sparse") == []
        after = [p.payload["doc_id"] for p in runtime.backend.scroll(collection)]
        assert old not in after
        assert after.count(new) == changed.chunks_embedded
        assert len(after) == runtime.backend.count(collection) == len(before) - old_chunks + changed.chunks_embedded
    finally:
        close_backend(settings)


def _cli(
    args: list[str], data_dir: Path, embed_model_path: str, edge_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MIZAN_DATA_DIR": str(data_dir), "MIZAN_EMBED_MODEL": embed_model_path, "COLUMNS": "200"}
    if edge_path is not None:
        env["MIZAN_EDGE_PATH"] = str(edge_path)
    return subprocess.run([sys.executable, "-m", "mizan.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_bad_inputs_are_listed_and_the_rest_goes_in(tmp_path: Path, embed_model_path: str) -> None:
    folder = tmp_path / "bad"
    expected = make_bad_inputs(folder)
    result = _cli(["ingest", str(folder)], tmp_path / "data", embed_model_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    out = " ".join(result.stdout.split())
    for name, keyword in expected.items():
        assert name in out and keyword in out.lower(), (name, keyword)
    hits = json.loads(_cli(["search", "valeur de référence cible source", "--json", "--k", "10"], tmp_path / "data", embed_model_path).stdout)
    assert {h["file_name"] for h in hits} >= set(ACCEPTED) - {"encrypted_empty_password.pdf"}
    assert {"good_note.txt"} <= {h["file_name"] for h in hits}


def test_second_process_gets_a_clear_lock_error(tmp_path: Path, embed_model_path: str) -> None:
    store = tmp_path / "edge"
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import time; from pathlib import Path; from index.backends.edge import EdgeBackend; "
                                f"b = EdgeBackend(Path({str(store)!r})); print('ready', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        settings = scratch_settings(tmp_path, embed_model_path, edge_path=store)
        with pytest.raises(StoreLockedError, match="another process"):
            open_backend(settings)
        ingest = _cli(["ingest", str(CORPUS)], tmp_path, embed_model_path, edge_path=store)
        assert ingest.returncode == 3, ingest.stdout + ingest.stderr  # a write is told to go through the API
        assert "another process" in ingest.stdout and "POST /documents" in ingest.stdout
        time.sleep(0)
    finally:
        holder.kill()
        holder.wait()


def test_an_index_of_the_old_embedded_store_is_rebuilt_from_the_docstore(tmp_path: Path, embed_model_path: str) -> None:
    """A data dir of the old store (qdrant-client's local mode in <data>/qdrant) with its docstore: commands say to
    rebuild, once, and `mizan ingest --rebuild` re-indexes every document from the docstore, reading no file."""
    data = tmp_path / "data"
    folder = _small_corpus(tmp_path / "docs")
    settings = scratch_settings(data, embed_model_path)
    runtime = build_services(settings)
    try:
        runtime.indexer.ingest(folder)
        chunks = runtime.backend.count(settings.collection)
    finally:
        close_backend(settings)
    shutil.rmtree(settings.edge_location)  # what an old data dir lacks
    legacy = QdrantClient(path=str(data / "qdrant"))  # what it has instead
    dense = models.VectorParams(size=4, distance=models.Distance.COSINE)
    legacy.create_collection(settings.collection, vectors_config={"dense": dense})
    legacy.close()
    shutil.rmtree(folder)  # the files are gone: the docstore alone must do

    refused = _cli(["search", "mesures correctives"], data, embed_model_path)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    message = " ".join(refused.stdout.split())
    assert "old embedded store" in message and "mizan ingest --rebuild" in message and "Traceback" not in refused.stderr
    assert _cli(["ingest", str(tmp_path)], data, embed_model_path).returncode == 4  # an ingest would skip them all

    rebuilt = _cli(["ingest", "--rebuild"], data, embed_model_path)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "Rebuilt" in rebuilt.stdout
    hits = json.loads(_cli(["search", "mesures correctives", "--json"], data, embed_model_path).stdout)
    assert hits and hits[0]["file_name"] == "note_a.md"
    runtime = build_services(settings)
    try:
        assert runtime.backend.count(settings.collection) == chunks
        assert {d.file_name for d in runtime.indexer.documents()} == {"note_a.md", "note_b.txt"}
    finally:
        close_backend(settings)
