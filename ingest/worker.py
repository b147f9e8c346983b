"""Reading files in a worker process, so a reader stuck on hostile input costs that file, not the batch.

A parser can spin for minutes on a crafted or merely odd file (deeply nested HTML did, before its reader was
made linear) and no Python code can interrupt a C extension from inside. So files are parsed in a child
process that is killed once it overruns the budget; the file is reported as timed out and the batch goes on
with a fresh child. One child serves a whole batch: starting one per file would cost more than reading a
small file.

The child is not forked from the caller: ingestion runs in a thread of the API server, and a fork would copy
that process's other threads' locks mid-use. It is forked from a forkserver, a clean single-threaded process
started once per caller process with the reading, cleaning and chunking modules (llama_index, lingua) already
imported: a fresh child then starts in a fraction of a second instead of the ~7 s a spawned one spent importing
them at the start of every ingest and after every kill.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest.readers import IngestError, read_file

# A module-level function (or a functools.partial of one): it is pickled to the child by name. It returns a
# ReadResult, or whatever else the caller has the child make of a file (the loader's cleaned, chunked document).
Reader = Callable[[Path], Any]

_CONTEXT = multiprocessing.get_context("forkserver")
# Never "__main__" (the default): the server would run the caller's script again, see `_script_not_rerun`.
_CONTEXT.set_forkserver_preload(["ingest.loader", "ingest.preload"])
STARTUP_TIMEOUT_S = 120.0  # importing the readers on a busy machine; not part of any file's budget
_STOP_WAIT_S = 5.0
_peak_kb = [0]  # the largest peak RSS any reader process of this process reported


def reader_peak_rss_mb() -> float:
    """Peak RSS of the reader processes this process has run (children of the forkserver, so the caller's
    RUSAGE_CHILDREN never counts them): each reports its own with every file."""
    return _peak_kb[0] / 1024


class WorkerReader:
    """Reads one file at a time in a long-lived child process, killed and replaced when a file overruns
    `timeout_s`. Every failure comes back as an IngestError whose reason names what happened."""

    def __init__(self, timeout_s: float, reader: Reader = read_file) -> None:
        self.timeout_s = timeout_s
        self._reader = reader
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> WorkerReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def read(self, path: Path) -> Any:
        """The reader's result for the file, or IngestError: the reader's own, a timeout, or the child's death."""
        conn = self._conn if self._conn is not None else self._start()
        try:
            conn.send(path)
        except OSError:  # the child died between two files (killed from outside): start another
            self._kill()
            conn = self._start()
            conn.send(path)
        if not conn.poll(self.timeout_s):
            self._kill()
            raise IngestError(f"timed out after {self.timeout_s:g} s", transient=True)
        try:
            status, payload, peak_kb = conn.recv()
        except (EOFError, OSError):
            raise IngestError(f"reader process died (exit code {self._kill()})", transient=True) from None
        _peak_kb[0] = max(_peak_kb[0], peak_kb)
        if status == "ok":
            return payload
        if status == "rejected":
            raise IngestError(str(payload))
        raise IngestError(f"unexpected error ({payload})", transient=True)

    def close(self) -> None:
        """Let the child finish and exit; kill it if it does not."""
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._kill(wait_s=_STOP_WAIT_S)

    def _start(self) -> Connection:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_serve, args=(child, self._reader), name="mizan-reader", daemon=True)
        with _script_not_rerun():
            process.start()
        child.close()
        self._process, self._conn = process, parent
        if not parent.poll(STARTUP_TIMEOUT_S):
            self._kill()
            raise IngestError(f"reader process did not start within {STARTUP_TIMEOUT_S:g} s", transient=True)
        parent.recv()  # "ready": the budget starts with the file, not with the imports
        return parent

    def _kill(self, wait_s: float = 0.0) -> int | None:
        """Stop the child (after `wait_s` for a clean exit) and forget it; its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        process.join(wait_s)
        if process.is_alive():
            process.kill()
            process.join()
        code = process.exitcode
        process.close()
        return code


@contextmanager
def _script_not_rerun() -> Iterator[None]:
    """Withhold the parent's main script from the child while it starts.

    A child (spawned, or forked from the forkserver) imports the parent's main script again (as `__mp_main__`)
    when it was run as a file: a user's script that ingests without an `if __name__ == "__main__":` guard would then ingest again inside the
    reader, which fails on the store's lock, and every file of the batch would come back rejected. The child
    needs nothing from the script (its target lives in this module), so the script's path is not passed. A
    module run with `-m` is imported by name and guarded by Python itself; it is left alone.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) if getattr(main, "__spec__", None) is None else None
    if path is not None:
        del main.__file__  # type: ignore[union-attr]
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path  # type: ignore[union-attr]


def _serve(conn: Connection, reader: Reader) -> None:
    """The child's loop: read each path it is sent and answer with the result or why it failed."""
    conn.send("ready")
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        if path is None:
            return
        try:
            answer: tuple[str, object] = ("ok", reader(path))
        except IngestError as exc:
            answer = ("rejected", exc.reason)
        except Exception as exc:  # a reader bug on one odd file must not cost the batch
            answer = ("error", f"{type(exc).__name__}: {exc}")
        conn.send((*answer, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
