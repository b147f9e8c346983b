"""Sentence vectors on disk, computed when passages are indexed, so an answer never waits for them.

An extractive answer scores every sentence of its top passages against the question; embedding those ~80
sentences at question time was most of /ask's latency on the real reports (2.3 s p50). The vectors depend only
on the sentence (under its heading) and the model, so they are computed once, when the passage is ingested, and
kept in one SQLite file per data dir, keyed by a hash of the model, its backend and the embedded text. A passage indexed
before the store existed is embedded on first use and then kept too.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embedder import Embedder
from index.sentences import QUESTION_ENDS, Sentence, split_passage

BATCH = 512  # texts looked up or written per SQL statement (SQLite's variable limit is 32766)


class SentenceVectorStore:
    """Created once per process and data dir; safe to share between the API's threads."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self._salt = f"{embedder.key}\0".encode()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (embedded as a passage), from disk where known, embedded and kept otherwise."""
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        keys = [self._key(text) for text in texts]
        found = self._read(list(dict.fromkeys(keys)))
        missing = {key: text for key, text in zip(keys, texts) if key not in found}
        if missing:
            # rounded as stored, so an answer is the same whether its vectors were just embedded or read back
            embedded = self.embedder.embed_passages(list(missing.values())).astype(np.float16).astype(np.float32)
            fresh = dict(zip(missing, embedded))
            self._write(fresh)
            found.update(fresh)
        return np.stack([found[key] for key in keys])

    def warm(self, passages: Sequence[tuple[str, str]]) -> None:
        """Compute and keep the sentence vectors of newly indexed passages, given as (section, text)."""
        self.vectors([context for section, text in passages for context in in_context(split_passage(text), section)])

    def cosines(self, passages: Sequence[tuple[str, str]], query: np.ndarray) -> list[tuple[list[str], np.ndarray]]:
        """For each passage (section, text), its sentences as embedded (each under its heading) and their cosines to
        the query, from one lookup.

        Search uses them to match on sentences and return passages (small-to-big): a 500-token passage's one vector
        blurs the sentence that answers into the rest, while E5 was trained on query-sentence pairs.
        """
        contexts = [in_context(split_passage(text), section) for section, text in passages]
        vectors = self.vectors([text for texts in contexts for text in texts])
        cosines = vectors @ np.asarray(query, dtype=np.float32) if len(vectors) else np.zeros(0, dtype=np.float32)
        found, row = [], 0
        for texts in contexts:
            found.append((texts, cosines[row:row + len(texts)]))
            row += len(texts)
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(self._salt + text.encode(), digest_size=16).digest()

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), BATCH):
                part = keys[start:start + BATCH]
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part).fetchall()
                found.update((key, np.frombuffer(blob, dtype=np.float16).astype(np.float32)) for key, blob in rows)
        return found

    def _write(self, vectors: dict[bytes, np.ndarray]) -> None:
        rows = [(key, vector.astype(np.float16).tobytes()) for key, vector in vectors.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)


def in_context(sentences: list[Sentence], section: str) -> list[str]:
    """Each sentence behind the heading before it (the chunk's section heading at first): what is embedded.

    Consecutive heading sentences make one heading: "## Nos systèmes n'enregistrent pas le sexe. Que faire ?"
    is one FAQ question, and "Que faire ?" alone would say nothing.
    """
    texts, heading, in_heading = [], section, False
    for sentence in sentences:
        is_heading = sentence.heading or sentence.text.endswith(QUESTION_ENDS)
        if is_heading:
            heading = f"{heading} {sentence.text}" if in_heading else sentence.text
        in_heading = is_heading
        texts.append(sentence.text if is_heading or not heading else f"{heading} — {sentence.text}")
    return texts
