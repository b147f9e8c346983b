"""The API's ingestion thread yields the CPU to requests: its own nice value, not the server's."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from assistant.library.jobs import IngestQueue
from core.settings import Settings

pytestmark = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are a POSIX feature")


def _niceness(native_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, native_id)


@pytest.mark.parametrize("niceness", [10, 0])
def test_the_ingestion_thread_runs_at_the_upload_niceness_and_requests_keep_theirs(tmp_path: Path,
                                                                                   niceness: int) -> None:
    before = _niceness(threading.get_native_id())
    queue = IngestQueue(Settings(data_dir=tmp_path, upload_nice=niceness), indexer=None, lock=threading.Lock())  # type: ignore[arg-type]
    queue.start()
    try:
        worker = queue._worker.native_id
        assert worker is not None
        expected = max(before, niceness)  # a thread cannot be made less nice than it was
        deadline = time.monotonic() + 10  # the thread lowers its own priority as it starts
        while _niceness(worker) != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _niceness(worker) == expected
        assert _niceness(threading.get_native_id()) == before  # the serving threads are untouched
    finally:
        queue.stop()
