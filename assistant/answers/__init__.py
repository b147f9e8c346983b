"""Answers with verified citations: extractive (offline default) or LLM-written, one contract (core.contract).

hits -> evidence (dense cosines, lexical coverage) -> refusal, or a strategy -> guard -> Answer.
"""
