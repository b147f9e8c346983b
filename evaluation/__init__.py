"""Evaluation: question sets, retrieval and answer metrics, benchmarks."""
