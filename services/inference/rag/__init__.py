"""Retrieval for chat completions: the request's files and collections become cited context."""
