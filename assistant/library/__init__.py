"""The document library: the catalogue, uploads and their ingestion jobs, feedback, backups."""
