"""MCP servers' tools (``server:mcp:<id>``) as the model sees them: names, specs, and the text a
``tools/call`` result becomes."""

import hashlib
import json

from services.inference.tools.server_calls import error_text

MAX_NAME = 64


def tool_name(server_id: str, name: str) -> str:
    """``<id>_<tool>``; past 64 characters, its first 55, ``_`` and 8 hex digits of its SHA-256
    (Open WebUI's rule, so that the model sees the same names)."""
    full = f"{server_id}_{name}"
    if len(full) <= MAX_NAME:
        return full
    return f"{full[:55]}_{hashlib.sha256(full.encode()).hexdigest()[:8]}"


def function_spec(server_id: str, tool: dict) -> dict | None:
    """The OpenAI function spec of one listed tool; None for an entry without a name."""
    name = tool.get("name")
    if not isinstance(name, str) or not name:
        return None
    schema = tool.get("inputSchema")
    return {
        "name": tool_name(server_id, name),
        "description": str(tool.get("description") or ""),
        "parameters": schema if isinstance(schema, dict) else {"type": "object", "properties": {}},
    }


def _content_text(item: object) -> str:
    if not isinstance(item, dict):
        return json.dumps(item, ensure_ascii=False)
    kind = item.get("type")
    if kind == "text" and isinstance(item.get("text"), str):
        return item["text"]
    if kind in ("image", "audio") and isinstance(item.get("data"), str):
        return f"data:{item.get('mimeType') or 'application/octet-stream'};base64,{item['data']}"
    resource = item.get("resource")
    if kind == "resource" and isinstance(resource, dict) and isinstance(resource.get("text"), str):
        return resource["text"]
    return json.dumps(item, ensure_ascii=False)


def result_text(result: dict) -> str:
    """Text contents joined by newlines (images and audio as data URLs), else the structured
    content as JSON; a result flagged ``isError`` as Open WebUI's error object."""
    content = result.get("content")
    parts = [_content_text(item) for item in content] if isinstance(content, list) else []
    text = "\n".join(parts)
    if not text and "structuredContent" in result:
        text = json.dumps(result["structuredContent"], ensure_ascii=False)
    if result.get("isError"):
        return error_text(text or "The MCP tool failed")
    return text
