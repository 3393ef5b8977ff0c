"""What a stored prompt is (Open WebUI's PromptModel), its versions, and a search's filters."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PromptRecord:
    """One row of ``inference_prompt`` with its access grants."""

    id: str
    command: str
    user_id: str
    name: str
    content: str
    data: dict
    meta: dict
    tags: list[str]
    is_active: bool
    # The live version (None for none).
    version_id: str | None
    created_at: int
    updated_at: int
    # Open WebUI's stored grant shape: {"id", "resource_type": "prompt", "resource_id",
    # "principal_type", "principal_id", "permission", "created_at"}.
    access_grants: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class PromptVersion:
    """One row of ``inference_prompt_history``."""

    id: str
    prompt_id: str
    parent_id: str | None
    # {name, content, command, data, meta, tags, access_grants} at that version.
    snapshot: dict
    user_id: str
    commit_message: str | None
    created_at: int


@dataclass(frozen=True)
class Audience:
    """Whose prompts a listing may return: everything (bypassing admins), or those the user owns
    or holds a read grant on (to them, to every user, or to one of their groups)."""

    user_id: str
    group_ids: tuple[str, ...] = ()
    everything: bool = False


ORDER_COLUMNS = ("name", "created_at", "updated_at")


@dataclass(frozen=True)
class PromptSearch:
    """``GET /list``'s filters."""

    query: str = ""
    # "created" (the caller's own), "shared" (others'), or "" (both).
    view_option: str = ""
    tag: str = ""
    # One of ORDER_COLUMNS.
    order_by: str = "updated_at"
    ascending: bool = False
    offset: int = 0
    limit: int = 30
