"""Request limits more than one router reads; the models themselves are the contract's (core/contract.py)."""

from __future__ import annotations

MAX_QUESTION_CHARS = 2000
MAX_K = 50
