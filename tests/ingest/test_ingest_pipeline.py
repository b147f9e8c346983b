"""Parse while embedding: the reader process reads, cleans and chunks the next files while the model embeds.

Each test runs a real ingest (the reader process, the offline model, an embedded Qdrant store in a temp folder)
and looks at what the pipeline recorded: the order of its events and what the reader had reached while the
model was busy, never at how long anything took.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import scratch_settings

import index.indexer as indexer_module
from assistant.services import Services, build_services
from index.backends.factory import close_backend
from ingest.loader import ReadLimits
from ingest.types import Rejected
from tests.support.readerfaults import misbehaving_read

PARAGRAPH = ("La budgétisation sensible au genre intègre l'égalité entre les femmes et les hommes dans la "
             "programmation budgétaire du programme {n}. Les indicateurs de performance sont ventilés par sexe. ")
WAIT_S = 120.0  # only a safety net: each wait ends as soon as the reader gets there


def _write(folder: Path, names: list[str]) -> None:
    folder.mkdir()
    for n, name in enumerate(names):
        (folder / name).write_text(PARAGRAPH.format(n=n) * 8, encoding="utf-8")


@pytest.fixture
def runtime(tmp_path: Path, embed_model_path: str) -> Iterator[Services]:
    settings = scratch_settings(tmp_path / "data", embed_model_path)
    services = build_services(settings)
    yield services
    close_backend(settings)


class Reached:
    """Counts the files the reader has started (`on_file`, called from the feeder's thread) and lets the
    embedding side wait until it has got as far as some number."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, name: str) -> None:
        with self._changed:
            self.names.append(name)
            self._changed.notify_all()

    def wait_for(self, count: int) -> int:
        with self._changed:
            self._changed.wait_for(lambda: len(self.names) >= count, timeout=WAIT_S)
            return len(self.names)


def test_the_next_files_are_read_and_chunked_while_one_is_embedded(tmp_path: Path, runtime: Services,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexer_module, "READ_AHEAD_FILES", 1)
    names = [f"note_{n}.txt" for n in range(5)]
    _write(tmp_path / "docs", names)
    reached, embedding = Reached(), []

    def while_embedding(nodes: list) -> None:  # called inside each run, before it counts as embedded
        embedding.append(len(embedding))
        reached.wait_for(min(len(embedding) + 2, len(names)))

    runtime.indexer.on_nodes.append(while_embedding)
    report = runtime.indexer.ingest(tmp_path / "docs", on_file=reached, pages_per_run=1)

    assert report.rejected == [] and report.documents == 5 and report.chunks_embedded >= 5
    events = {(event, name): at for event, name, at in report.timeline}
    for first, after in zip(names, names[1:]):
        # the worker handed file N+1 over (read, cleaned, chunked) before file N's embedding ended
        assert events["read", after] < events["embedded", first], (first, after)
    # and the model did not wait for the whole folder to be read: the first file was embedded before the last read
    assert events["embedded", names[0]] < events["read", names[-1]]
    ids = {point.payload["doc_id"] for point in runtime.backend.scroll(runtime.settings.collection)}
    assert len(ids) == 5  # every document reached the store, page provenance and all
    assert all(point.payload["page_start"] == 1 for point in runtime.backend.scroll(runtime.settings.collection))


def test_the_reader_stays_a_bounded_number_of_files_ahead(tmp_path: Path, runtime: Services,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = 2
    monkeypatch.setattr(indexer_module, "READ_AHEAD_FILES", ahead)
    names = [f"note_{n:02d}.txt" for n in range(10)]
    _write(tmp_path / "docs", names)
    reached, seen = Reached(), []
    # files the reader can have started while run k (one file each) is embedded: k taken, `ahead` queued and one
    # read and waiting for room in the queue (the next is not started before that one is queued)
    bound = ahead + 1

    def while_embedding(nodes: list) -> None:
        taken = len(seen) + 1
        reached.wait_for(min(taken + bound, len(names)))  # the reader gets as far as it may...
        threading.Event().wait(1.0)  # ...and is given the time to go further, which it must not
        seen.append(len(reached.names) - taken)

    runtime.indexer.on_nodes.append(while_embedding)
    report = runtime.indexer.ingest(tmp_path / "docs", on_file=reached, pages_per_run=1)

    assert report.documents == 10 and not report.rejected
    assert max(seen) == bound  # it did read ahead, as far as the bound...
    assert all(count <= bound for count in seen)  # ...and never further


def test_a_file_killed_past_its_budget_is_named_and_the_rest_is_embedded(tmp_path: Path, runtime: Services,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "docs", ["a.txt", "b_slow.txt", "c.txt", "d.txt"])
    monkeypatch.setattr(indexer_module, "read_limits", lambda settings: ReadLimits(timeout_s=2, reader=misbehaving_read))

    report = runtime.indexer.ingest(tmp_path / "docs")

    assert report.rejected == [Rejected("b_slow.txt", "timed out after 2 s", transient=True)]
    files = {point.payload["file_name"] for point in runtime.backend.scroll(runtime.settings.collection)}
    assert files == {"a.txt", "c.txt", "d.txt"}  # the files after it went on, through a fresh reader process
    read = [name for event, name, _ in report.timeline if event == "read"]
    assert read == ["a.txt", "b_slow.txt", "c.txt", "d.txt"]


def test_a_copy_read_after_its_first_was_embedded_becomes_its_alias(tmp_path: Path, runtime: Services) -> None:
    _write(tmp_path / "docs", ["a.txt", "b.txt"])
    (tmp_path / "docs" / "z_copy.txt").write_bytes((tmp_path / "docs" / "a.txt").read_bytes())
    (tmp_path / "docs" / "manifest.csv").write_text("file,title\nz_copy.txt,Titre du manifeste\n", encoding="utf-8")

    first = runtime.indexer.ingest(tmp_path / "docs", pages_per_run=1)
    again = runtime.indexer.ingest(tmp_path / "docs", pages_per_run=1)

    assert first.documents == 2 and first.files == 3
    stored = {d.file_name: d for d in runtime.indexer.documents()}
    assert stored["a.txt"].aliases == ["z_copy.txt"]
    # the copy's manifest row names the document, as when both were read before embedding: embedded again with it
    assert stored["a.txt"].title == "Titre du manifeste"
    titles = {p.payload["title"] for p in runtime.backend.scroll(runtime.settings.collection)
              if p.payload["file_name"] == "a.txt"}
    assert titles == {"Titre du manifeste"}
    assert again.chunks_embedded == 0 and again.documents == 2  # nothing changed: nothing embedded again
