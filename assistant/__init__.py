"""Assistant: retrieval, answers with citations, conversation, and the HTTP service."""
