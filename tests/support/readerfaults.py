"""Readers that misbehave on purpose, for the loader's tests of its worker process.

Each is a module-level function because the worker process receives its reader by name and imports it.
A file's name says how to misbehave, so one batch can mix good and bad files.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ingest.ocr import OcrOptions
from ingest.readers import ReadResult, read_file

HANG_S = 600.0  # far past any budget a test sets: only the kill ends it


def misbehaving_read(path: Path, ocr: OcrOptions | None = None) -> ReadResult:
    """read_file, except: "slow" in the name hangs, "boom" raises a bug, "crash" kills the worker."""
    if "slow" in path.name:
        time.sleep(HANG_S)
    if "boom" in path.name:
        raise RuntimeError("boom")
    if "crash" in path.name:
        os._exit(3)
    return read_file(path, ocr)
