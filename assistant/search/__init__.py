"""Search: one query plan per question over the index, re-ranked on sentences (or a cross-encoder)."""
