"""Prompt-based tool calling (``params.function_calling: "legacy"``), as Open WebUI runs it: one
extra completion by the task model picks the tools and their parameters, each picked tool runs once,
and its result reaches the chat model as a source through the RAG template."""

import json
import logging
from collections.abc import Awaitable, Callable

from services.inference.rag.messages import last_user_text, message_text
from services.inference.rag.sources import Source
from services.inference.tasks.templates import DEFAULT_TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE
from services.inference.tools.calling import ToolSet, run_tool
from services.inference.tools.types import ToolCallContext

log = logging.getLogger(__name__)

# Open WebUI's name of the task in the selection request's metadata.
SELECTION_TASK = "function_calling"

# Asks the task model for the selection: (the chat's model id, the selection messages) → its text.
Select = Callable[[str, list], Awaitable[str]]


def is_legacy(body: dict) -> bool:
    """Open WebUI's switch: ``params.function_calling`` "legacy" (any other value is native)."""
    params = body.get("params")
    return isinstance(params, dict) and params.get("function_calling") == "legacy"


def selection_messages(template: str, tools: ToolSet, messages: list) -> list[dict]:
    """The task request's messages: the template with the specs (system), the recent history and
    the query (user)."""
    specs = [{**tool.spec, "name": name} for name, tool in tools.by_name.items()]
    template = template or DEFAULT_TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE
    system = template.replace("{{TOOLS}}", json.dumps(specs))
    query = last_user_text(messages)
    history = [m for m in messages if isinstance(m, dict)]
    if query and history and history[-1].get("role") == "user":
        history = history[:-1]
    recent = "\n".join(f'{str(m.get("role", "")).upper()}: """{message_text(m)}"""' for m in history[-4:])
    prompt = f"History:\n{recent}\nQuery: {query}" if recent else f"Query: {query}"
    return [{"role": "system", "content": system}, {"role": "user", "content": prompt}]


def parse_selection(content: str) -> list[tuple[str, dict]]:
    """The picked tools and their parameters: ``{"tool_calls": [{"name", "parameters"}]}`` or one
    ``{"name", "parameters"}``; anything else picks nothing."""
    start, end = content.find("{"), content.rfind("}")
    if start == -1 or end < start:
        return []
    try:
        parsed = json.loads(content[start : end + 1])
    except ValueError:
        return []
    if not isinstance(parsed, dict):
        return []
    calls = parsed.get("tool_calls") if parsed.get("tool_calls") else [parsed]
    picked = []
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            continue
        parameters = call.get("parameters")
        picked.append((call["name"], parameters if isinstance(parameters, dict) else {}))
    return picked


async def tool_sources(
    tools: ToolSet, content: str, context: ToolCallContext, timeout_s: float
) -> tuple[list[Source], bool]:
    """The sources of the picked tools' non-empty results, one after another as Open WebUI runs
    them, and whether one of those tools handles the request's files itself."""
    sources: list[Source] = []
    file_handler = False
    for name, parameters in parse_selection(content):
        tool = tools.by_name.get(name)
        if tool is None:
            log.info("the task model picked an unknown tool %s", name)
            continue
        allowed = (tool.spec.get("parameters") or {}).get("properties") or {}
        arguments = {k: v for k, v in parameters.items() if k in allowed}
        result = await run_tool(tool, name, arguments, context, timeout_s)
        if not result:
            continue
        label = f"{tool.tool_id}/{name}" if tool.tool_id else name
        sources.append(
            Source(
                {"name": label},
                [result],
                [{"source": label, "parameters": arguments}],
                tool_result=True,
            )
        )
        file_handler = file_handler or tool.file_handler
    return sources, file_handler
