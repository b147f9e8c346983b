"""Helpers the tests share (corpora of bad and hostile files, reader faults, the library audit, the server harness)."""
