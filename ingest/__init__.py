"""Ingestion: files on disk -> cleaned pages with metadata -> chunks with page provenance."""
