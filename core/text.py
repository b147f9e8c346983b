"""Accent folding: the one way Mizan compares words whatever their case and accents ("evaluation" finds
"Évaluation"), for the document metadata, the BM25 analyzer, the catalogue's title search and the UI's highlights.

Here, at the bottom, because the UI (which may import only `core`) folds words too.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, compatibility forms as plain letters (ﬁ: fi), without accents or Arabic vowel marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
