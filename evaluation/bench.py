"""`mizan bench`: speed and memory figures measured on this machine, never asserted in tests.

Each benchmark runs in a throw-away data folder so it never touches the user's index.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
import uuid
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from qdrant_client import QdrantClient
from rich.console import Console
from rich.table import Table

from assistant.search.service import SearchService
from assistant.services import build_services
from core.settings import Settings
from index.analyzer import BM25Analyzer
from index.backends.base import StoredPoint, VectorBackend
from index.backends.factory import close_backend, open_backend
from index.backends.server import ServerBackend
from index.embedder import Embedder, get_embedder
from index.sentence_store import in_context
from index.sentences import split_passage
from ingest.worker import reader_peak_rss_mb

QUESTIONS = Path(__file__).parent / "questions" / "sample.jsonl"
FALLBACK_QUERIES = [
    "Comment formuler un indicateur sensible au genre ?",
    "Quand le Maroc a-t-il lancé la budgétisation sensible au genre ?",
    "What does the organic budget law say about gender?",
    "ما هو تقرير الميزانية القائمة على النتائج من منظور النوع؟",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _scratch(settings: Settings, tmp: str) -> Settings:
    return settings.model_copy(
        update={
            "data_dir": Path(tmp),
            "qdrant_url": None,
            "edge_path": None,
            "collection": "bench",
            "embed_model": str(Path(settings.embed_model_path).resolve()),  # keep using the installed model
        }
    )


SENTENCE_SAMPLE = 400  # sentences encoded alone to measure their raw rate
LIBRARY_PAGES = 50_000  # a ministry's first load: the projection `mizan bench ingest` reports


def bench_ingest(settings: Settings, folders: list[Path], console: Console, *, as_json: bool = False
                 ) -> dict[str, object]:
    """End-to-end ingest of `folders` (one after the other, into one collection) with the configured embedding backend, then `encode` alone on the same chunk
    texts with that backend and with fp32 torch, in the same process: the pipeline's overhead and the backend's
    gain read off one run. Peak RSS is taken before the fp32 model is loaded for the comparison, for this process
    and for the reader process (which reads, cleans and chunks beside the embedder)."""
    with tempfile.TemporaryDirectory(prefix="mizan-bench-") as tmp:
        scratch = _scratch(settings, tmp)
        rt = build_services(scratch)
        _warm_up(rt, Path(tmp) / "warm-up")
        reports = [rt.indexer.ingest(folder) for folder in folders]
        nodes = [json.loads(p.payload["_node_content"]) for p in rt.backend.scroll("bench") if p.payload]
        texts = [node["text"] for node in nodes]
        raw = _encode_rate(rt.embedder, texts)
        # With MIZAN_WARM_SENTENCES the pipeline also embeds every passage's sentences: the raw time of the same work
        # counts them (their rate from a fixed sample: short texts, many of them).
        sentences = list(dict.fromkeys(
            context for node in nodes for context in in_context(split_passage(node["text"]),
                                                                node["metadata"].get("section") or "")
        )) if scratch.warm_sentences else []
        raw_sentences = _encode_rate(rt.embedder, random.Random(0).sample(sentences, min(len(sentences),
                                                                                         SENTENCE_SAMPLE))) \
            if sentences else 0.0
        peak_rss, reader_rss = peak_rss_mb(), reader_peak_rss_mb()
        close_backend(scratch)
        fp32 = raw if rt.embedder.key == rt.embedder.name else _encode_rate(
            get_embedder(scratch.model_copy(update={"embed_backend": "torch", "embed_precision": "fp32"})), texts)
    pages, chunks = sum(r.pages for r in reports), sum(r.chunks_embedded for r in reports)
    seconds = max(sum(r.seconds for r in reports), 1e-9)
    figures: dict[str, object] = {
        "folders": ", ".join(str(folder) for folder in folders),
        "backend": scratch.embed_backend,
        "precision": rt.embedder.precision,
        "threads": scratch.embed_threads,
        "files": sum(r.files for r in reports),
        "pages": pages,
        "chunks": chunks,
        "seconds": seconds,
        "pages_per_s": pages / seconds,
        "chunks_per_s": chunks / seconds,
        "raw_encode_texts_per_s": raw,
        "raw_encode_texts_per_s_torch_fp32": fp32,
        "encode_speedup_vs_torch_fp32": raw / fp32 if fp32 else 0.0,
        "sentences_embedded": len(sentences),
        "raw_encode_sentences_per_s": raw_sentences,
        # the pipeline's time against `encode` alone on the same work (chunks, and sentences when warmed)
        "ratio": (len(texts) / raw + (len(sentences) / raw_sentences if sentences else 0.0)) / seconds
        if raw else 0.0,
        "ratio_chunks_only": (chunks / seconds) / raw if raw else 0.0,
        "peak_rss_mb": peak_rss,
        "peak_rss_reader_mb": reader_rss,
        "projected_hours_50k_pages": LIBRARY_PAGES / (pages / seconds) / 3600 if pages else None,
    }
    if as_json:
        console.out(json.dumps(figures), highlight=False)  # never wrapped: one parseable line
        return figures
    table = Table(title=f"mizan bench ingest (embedding backend {scratch.embed_backend}, {rt.embedder.precision})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    console.print(table)
    console.print("target: ratio (encode time alone of the same chunks and sentences ÷ end-to-end time) ≥ 0.85")
    return figures


def _encode_rate(embedder: Embedder, texts: list[str]) -> float:
    """Passages per second of `embed_passages` alone (model loaded and warm before the clock starts)."""
    embedder.embed_passages(["échauffement du modèle"])
    started = time.perf_counter()
    embedder.embed_passages(texts)
    return len(texts) / max(time.perf_counter() - started, 1e-9)


def _warm_up(rt, folder: Path) -> None:
    """Pay the once-per-process costs (model load, lingua, the splitter's nltk import) before the clock starts,
    as a long-running service or a large batch does; the figures then compare steady rates."""
    folder.mkdir()
    (folder / "warm.txt").write_text("Échauffement. La budgétisation sensible au genre.\n", encoding="utf-8")
    rt.indexer.ingest(folder)
    rt.embedder.embed_passages(["échauffement du modèle"])


def _queries(n: int) -> list[str]:
    questions = FALLBACK_QUERIES
    if QUESTIONS.exists():
        questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [questions[i % len(questions)] for i in range(n)]


# -- search -------------------------------------------------------------------------------------------------------
# Each phase runs in a process of its own, so each peak RSS is that phase's: building the index (embedding the
# corpus, copying points) never inflates the figure of the process that opens the store and answers queries.

MODES = ("hybrid", "dense", "sparse")
LOCAL_DIRNAME = "local-mode"  # the baseline's store: qdrant-client's local mode, the embedded store before Edge


def bench_search(
    settings: Settings, console: Console, *, target_chunks: int, n_queries: int, baseline_local: int = 0
) -> dict[str, dict[str, object]]:
    """Latency per mode (query embedding included), store open time and peak RSS at >= `target_chunks` chunks on
    the embedded store (Qdrant Edge); with `baseline_local`, the same queries on qdrant-client's local mode at that
    many chunks, in the same run."""
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="mizan-bench-") as tmp:
        scratch = _scratch(settings, tmp).model_copy(update={"warm_sentences": False})  # answers are not timed
        console.print(f"building {target_chunks} chunks in {tmp} (corpus {settings.corpus_dir}, replicated)…")
        results["build"] = _in_child(_build_edge, scratch, settings.corpus_dir, target_chunks)
        console.print(f"measuring Qdrant Edge ({n_queries} queries per mode)…")
        results["Edge"] = _in_child(_measure, scratch, n_queries, None)
        if baseline_local:
            local = Path(tmp) / LOCAL_DIRNAME
            n_local = max(10, n_queries // 10)
            console.print(f"baseline: qdrant-client local mode, {baseline_local} chunks, {n_local} queries per mode…")
            results["build local"] = _in_child(_build_local, scratch, local, baseline_local)
            results["local mode"] = _in_child(_measure, scratch, n_local, local)
    _print_search(console, results)
    return results


def _in_child(function, *args):  # type: ignore[no-untyped-def]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_no_progress_bars) as pool:
        return pool.submit(function, *args).result()


def _no_progress_bars() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _build_edge(scratch: Settings, corpus: Path, target: int) -> dict[str, float]:
    """The corpus ingested, its points copied under new ids up to `target`, then optimized as `mizan ingest` does."""
    started = time.perf_counter()
    rt = build_services(scratch)
    rt.indexer.ingest(corpus)
    size = _replicate(rt.backend, target)
    written = time.perf_counter()
    rt.backend.optimize("bench")
    optimized = time.perf_counter()
    close_backend(scratch)
    return {
        "chunks": size, "write_s": written - started, "optimize_s": optimized - written, "peak_rss_mb": peak_rss_mb()
    }


def _replicate(backend: VectorBackend, target: int) -> int:
    """Copy the ingested points under new ids and doc ids until the collection holds `target` chunks."""
    points = list(backend.scroll("bench"))
    total, copy = len(points), 0
    while total < target:
        copy += 1
        batch = [
            StoredPoint(str(uuid.uuid4()), p.vector, p.sparse, {**p.payload, "doc_id": f"{p.payload['doc_id']}-{copy}"})
            for p in points[: target - total]
        ]
        backend.upsert("bench", batch)
        total += len(batch)
    return total


def _build_local(scratch: Settings, folder: Path, size: int) -> dict[str, float]:
    """The first `size` chunks of the Edge store copied into qdrant-client's local mode (a SQLite file)."""
    started = time.perf_counter()
    edge = open_backend(scratch)
    local = ServerBackend(QdrantClient(path=str(folder)))
    with warnings.catch_warnings():  # the local mode ignores payload indexes, and says so
        warnings.simplefilter("ignore", UserWarning)
        local.ensure_collection("bench", len(next(edge.scroll("bench", batch=1)).vector or []))
    batch: list[StoredPoint] = []
    for point in edge.scroll("bench", batch=1024):
        batch.append(point)
        size -= 1
        if len(batch) == 1024 or size == 0:
            local.upsert("bench", batch)
            batch = []
        if size == 0:
            break
    if batch:
        local.upsert("bench", batch)
    local.close()
    close_backend(scratch)
    return {"write_s": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def _measure(scratch: Settings, n_queries: int, local: Path | None) -> dict[str, object]:
    """Open the store (timed), load the model, then time `n_queries` searches per mode."""
    started = time.perf_counter()
    backend: VectorBackend = ServerBackend(QdrantClient(path=str(local))) if local else open_backend(scratch)
    chunks = backend.count("bench")  # Edge loads the collection on first use: part of opening it
    open_s = time.perf_counter() - started
    embedder = get_embedder(scratch)
    search = SearchService(scratch, backend, embedder, BM25Analyzer())
    queries = _queries(n_queries)
    modes = {mode: _time_queries(search, queries, mode) for mode in MODES}
    backend.close()
    return {"chunks": chunks, "open_s": open_s, "modes": modes, "peak_rss_mb": peak_rss_mb()}


def _time_queries(search: SearchService, queries: list[str], mode: str) -> dict[str, float]:
    for q in queries[:5]:
        search.search(q, k=10, mode=mode, collection="bench")  # warm caches
    total, encode = [], []
    for q in queries:
        started = time.perf_counter()
        search.search(q, k=10, mode=mode, collection="bench")
        total.append((time.perf_counter() - started) * 1000)
        encode.append(search.last_timing.get("encode_s", 0.0) * 1000)
    total.sort()
    return {
        "p50_ms": statistics.median(total),
        "p95_ms": total[int(0.95 * (len(total) - 1))],
        "mean_ms": statistics.fmean(total),
        "encode_p50_ms": statistics.median(encode),  # the query's embedding and BM25 terms, inside p50
        "n": float(len(total)),
    }


def _print_search(console: Console, results: dict[str, dict[str, object]]) -> None:
    build = results["build"]
    table = Table(title=f"mizan bench search: Qdrant Edge at {build['chunks']:.0f} chunks, qdrant-client's local mode "
                  "as the baseline (p50/p95 include the query embedding)")
    for col in ("store", "chunks", "mode", "queries", "p50 ms", "p95 ms", "mean ms", "embed p50", "open s", "RSS MB"):
        table.add_column(col, justify="right")
    for store in ("Edge", "local mode"):
        if store not in results:
            continue
        measured = results[store]
        for mode, r in measured["modes"].items():  # type: ignore[union-attr]
            table.add_row(
                store, f"{measured['chunks']}", mode, f"{r['n']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}",
                f"{r['mean_ms']:.1f}", f"{r['encode_p50_ms']:.1f}", f"{measured['open_s']:.2f}",
                f"{measured['peak_rss_mb']:.0f}",
            )
    console.print(table)
    console.print(
        f"building: {build['write_s']:.0f} s to ingest and copy, {build['optimize_s']:.0f} s to optimize, "
        f"peak RSS {build['peak_rss_mb']:.0f} MB (a process of its own)"
    )
    if "build local" in results:
        console.print(f"local-mode baseline: {results['build local']['write_s']:.0f} s to write its store")
    console.print("targets at 200k chunks (Edge): hybrid p50 ≤ 50 ms, p95 ≤ 100 ms, peak RSS ≤ 2.5 GB, open ≤ 5 s")
