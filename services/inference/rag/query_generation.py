"""Open WebUI's retrieval query generation: the prompt of the extra model call and its parsing."""

import json

from services.inference.tasks.render import render_chat_task
from services.inference.tasks.templates import DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE

__all__ = ["DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE", "parse_queries", "query_prompt"]


def query_prompt(template: str, messages: list, now: float | None = None) -> str:
    """The query generation template (the built-in one when empty) rendered over the chat."""
    return render_chat_task(template or DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE, messages, None, now)


def parse_queries(reply: str, fallback: str) -> list[str]:
    """The ``queries`` of the outermost JSON object in ``reply``; text that holds none is itself the
    query; no query at all falls back to ``fallback`` (the last user message)."""
    queries: list[str]
    start, end = reply.find("{"), reply.rfind("}")
    try:
        if start == -1 or end < start:
            raise ValueError("no JSON object")
        parsed = json.loads(reply[start : end + 1])
        raw = parsed.get("queries", []) if isinstance(parsed, dict) else []
        queries = [q for q in raw if isinstance(q, str) and q.strip()] if isinstance(raw, list) else []
    except ValueError:
        queries = [reply] if reply.strip() else []
    return queries or ([fallback] if fallback.strip() else [])
