"""`mizan eval repage`: move each quote of a question file to the page (or Word section) that holds it.

A Word file's units are its sections, so a question written against an older reading (one page per file) or
a section split that changed cites a unit number that no longer holds its quote. Only evidence whose quote is
found on exactly one other unit of its document is moved; everything else is left for `mizan eval verify`.
"""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.matching import normalize
from ingest.loader import load_corpus


def repage(questions_file: Path, corpus: Path) -> list[str]:
    """Rewrite `questions_file` in place; returns one line per moved quote."""
    loaded = load_corpus(corpus)
    pages = {name: {p.number: normalize(p.text) for p in doc.pages}
             for doc in loaded.documents for name in (doc.file_name, *doc.aliases)}
    moved, lines = [], []
    for line in questions_file.read_text(encoding="utf-8").splitlines():
        record = json.loads(line) if line.strip() else None
        for item in (record or {}).get("evidence", []):
            units = pages.get(item["doc"], {})
            quote = normalize(item["quote"])
            if quote in units.get(item["page"], ""):
                continue
            found = [number for number, text in units.items() if quote in text]
            if len(found) == 1:
                moved.append(f"{record['id']}: {item['doc']} {item['page']} -> {found[0]}")
                item["page"] = found[0]
        lines.append(json.dumps(record, ensure_ascii=False) if record is not None else line)
    questions_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return moved
