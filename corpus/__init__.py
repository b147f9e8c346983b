"""Sample corpus for Mizan: plain-text sources and the builder that turns them into PDF, DOCX and Markdown.

The sources are the ground truth that ingestion tests compare extracted text against, so they live in the
repository and the built documents can always be regenerated from them.
"""
