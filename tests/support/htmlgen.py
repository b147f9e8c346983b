"""Deeply nested HTML of a chosen size, generated on the fly for the HTML reader's scaling test.

A page of nested <div>s is what made the old reader quadratic (each block's marker insertion walked its
whole subtree); it is generated rather than committed so no megabyte blob sits in the repo.

Run as a script to time the reader: `PYTHONPATH=. python tests/support/htmlgen.py 11 22 44 88 1024` (sizes in KB).
"""

from __future__ import annotations

import sys
import time

LEVEL_OPEN = '<div class="s"><span>mot{index:05d}</span> '  # about 50 bytes per level with its </div>
LEVEL_CLOSE = "</div>"
DEEP_TEXT = "fin du document imbriqué"


def nested_divs(levels: int) -> str:
    """`levels` nested <div>s, each with a numbered word, and DEEP_TEXT in a paragraph at the bottom."""
    opening = "".join(LEVEL_OPEN.format(index=index) for index in range(levels))
    return (f"<!DOCTYPE html><html><head><title>Imbrication</title></head><body>{opening}"
            f"<p>{DEEP_TEXT}</p>{LEVEL_CLOSE * levels}</body></html>")


def nested_divs_of_size(size_bytes: int) -> str:
    """Nested-div HTML of about `size_bytes` bytes (UTF-8)."""
    per_level = len(LEVEL_OPEN.format(index=0)) + len(LEVEL_CLOSE)
    return nested_divs(max(1, size_bytes // per_level))


def _time_reader(sizes_kb: list[int]) -> None:
    from ingest.readers import read_bytes

    for size_kb in sizes_kb:
        markup = nested_divs_of_size(size_kb * 1024).encode("utf-8")
        start = time.perf_counter()
        result = read_bytes(markup, ".html")
        elapsed = time.perf_counter() - start
        assert DEEP_TEXT in result.pages[0]
        print(f"{size_kb:>6} KB  {len(markup) / 1024:8.0f} KB real  {elapsed:8.2f} s", flush=True)


if __name__ == "__main__":
    _time_reader([int(arg) for arg in sys.argv[1:]] or [11, 22, 44, 88])
