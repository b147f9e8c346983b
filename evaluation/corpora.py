"""Several corpus folders evaluated as one: the real reports with the sample corpus beside them as distractors.

The real reports (`../shared/dev-corpus`) are not ours to copy into `corpus/`, and every downstream step (ingest,
`eval verify`, the LlamaIndex-default baseline) reads one folder; so the folders are joined in a folder of
symbolic links, with their manifests merged, and that folder is what gets evaluated. A folder's README describes
the folder; it is not one of its documents.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from ingest.loader import corpus_files
from ingest.metadata import MANIFEST_COLUMNS, MANIFEST_NAME


def combined_corpus(folders: list[Path], into: Path) -> Path:
    """`folders[0]` when alone; otherwise a folder under `into` linking every file of each (first name wins)."""
    if len(folders) == 1:
        return folders[0]
    resolved = [folder.resolve() for folder in folders]
    target = into / hashlib.sha256("\0".join(map(str, resolved)).encode()).hexdigest()[:12]
    target.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, Path] = {}
    for folder in resolved:
        for path in corpus_files(folder):
            name = path.relative_to(folder).as_posix()
            if not path.name.upper().startswith("README"):
                wanted.setdefault(name, path)
    for link in target.rglob("*"):
        if link.is_symlink() and link.relative_to(target).as_posix() not in wanted:
            link.unlink()
    for name, path in wanted.items():
        link = target / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() and link.resolve() == path:
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(path)
    _merge_manifests(resolved, target / MANIFEST_NAME)
    return target


def _merge_manifests(folders: list[Path], out: Path) -> None:
    rows = []
    for folder in folders:
        manifest = folder / MANIFEST_NAME
        if manifest.is_file():
            rows.extend(csv.DictReader(io.StringIO(manifest.read_text(encoding="utf-8-sig"))))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(MANIFEST_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    if not out.exists() or out.read_text(encoding="utf-8") != buffer.getvalue():
        out.write_text(buffer.getvalue(), encoding="utf-8")
