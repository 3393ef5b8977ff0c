"""Open WebUI's retrieval query generation: the prompt of the extra model call and its parsing."""

import json
import time

from services.inference.rag.messages import message_text

DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE = """### Task:
Analyze the chat history to determine the necessity of generating search queries, in the given language. By default, **prioritize generating 1-3 broad and relevant search queries** unless it is absolutely certain that no additional information is required. The aim is to retrieve comprehensive, updated, and valuable information even with minimal uncertainty. If no search is unequivocally needed, return an empty list.

### Guidelines:
- Respond **EXCLUSIVELY** with a JSON object. Any form of commentary, explanation, or additional text is strictly prohibited.
- When generating search queries, respond in the format: { "queries": ["query1", "query2"] }, ensuring each query is distinct, concise, and relevant to the topic.
- If and only if it is entirely certain that no useful results can be retrieved by a search, return: { "queries": [] }.
- Err on the side of suggesting search queries if there is **any chance** they might provide useful or updated information.
- Be concise and focused on composing high-quality search queries, avoiding unnecessary elaboration, commentary, or assumptions.
- Today's date is: {{CURRENT_DATE}}.
- Always prioritize providing actionable and broad queries that maximize informational coverage.

### Output:
Strictly return in JSON format: 
{
  "queries": ["query1", "query2"]
}

### Chat History:
<chat_history>
{{MESSAGES:END:6}}
</chat_history>
"""  # noqa: E501, W291 - Open WebUI's text, line for line


def query_prompt(template: str, messages: list, now: float | None = None) -> str:
    """The template with the last six messages (``ROLE: text`` lines) and today's date."""
    recent = [m for m in messages if isinstance(m, dict)][-6:]
    history = "\n".join(f"{str(m.get('role', '')).upper()}: {message_text(m)}" for m in recent)
    date = time.strftime("%Y-%m-%d", time.localtime(now))
    template = template or DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE
    return template.replace("{{MESSAGES:END:6}}", history).replace("{{CURRENT_DATE}}", date)


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
