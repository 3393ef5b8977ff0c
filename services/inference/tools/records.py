"""What a stored Python tool is (Open WebUI's ToolModel), and its stored versions."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ToolRecord:
    """One row of ``inference_tool`` with its access grants."""

    id: str
    user_id: str
    name: str
    content: str
    # OpenAI function specs derived from the code when it was stored.
    specs: list
    # {"description", "manifest": {frontmatter}, "has_user_valves", ...}.
    meta: dict
    # The stored admin valves (None until set).
    valves: dict | None
    created_at: int
    updated_at: int
    # Open WebUI's stored grant shape: {"id", "resource_type": "tool", "resource_id",
    # "principal_type", "principal_id", "permission", "created_at"}.
    access_grants: list[dict] = field(default_factory=list)
    # The current version's id (None for a row no version was stored for).
    version_id: str | None = None


@dataclass(frozen=True)
class ToolVersion:
    """One row of ``inference_tool_history``: a snapshot of a tool taken by a create or update."""

    id: str
    tool_id: str
    parent_id: str | None
    # Who made the change.
    user_id: str
    commit_message: str | None
    name: str
    content: str
    specs: list
    meta: dict
    created_at: int
