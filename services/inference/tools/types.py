"""What the chat pipeline needs of a tool, whatever serves it (a Python tool, an OpenAPI tool
server): its OpenAI function spec, and a way to run a call."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.common.identity import Identity


@dataclass(frozen=True)
class ToolCallContext:
    """What a call may be given besides its arguments (Open WebUI's injected ``__user__``,
    ``__metadata__``, ``__messages__``, ``__model__``, ``__id__``…)."""

    caller: Identity
    # Open WebUI's request metadata: chat_id ('' for a plain API call), message_id, session_id,
    # user_id, files, features, tool_ids, variables, params.
    metadata: dict
    messages: list
    model: dict
    # Events a tool emits (``{"type": "status", "data": {...}}``); a no-op where nobody listens.
    emit: Callable[[dict], Awaitable[None]] | None = None


@dataclass(frozen=True)
class ServerTool:
    """One function the server runs when the model calls it."""

    # The name the model sees and calls (unique in a request: collisions are renamed
    # ``<tool_id>_<name>``).
    name: str
    # The OpenAI function spec: {"name", "description", "parameters"}.
    spec: dict
    # The tool it belongs to: a Python tool's id, or ``server:<id>``.
    tool_id: str
    # Runs one call: the model's arguments (already parsed from JSON) → the text the model gets
    # back. Never raises for the tool's own failures: those come back as '{"error": "..."}' text.
    call: Callable[[dict, ToolCallContext], Awaitable[str]] = field(compare=False)
    # The tool consumes the request's files itself (Open WebUI's ``file_handler``).
    file_handler: bool = False


class ToolResolver(Protocol):
    """Turns a request's ``tool_ids`` into the caller's server tools."""

    def handles(self, tool_id: str) -> bool:
        """Whether this resolver serves such an id (e.g. ``server:`` ids for tool servers)."""
        ...

    async def resolve(self, caller: Identity, tool_ids: Sequence[str]) -> list[ServerTool]:
        """The functions of these tools. An id that does not exist or the caller may not read →
        ``services.common.errors.NotFound`` (a 4xx before anything reaches the model)."""
        ...
