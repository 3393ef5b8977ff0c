"""A stored folder (Open WebUI's ``folder`` table)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FolderRow:
    id: str
    user_id: str
    name: str
    created_at: int
    updated_at: int
    parent_id: str | None = None
    items: object = None
    meta: dict | None = None
    data: dict | None = None
    is_expanded: bool = False
    # Lists only: the folder's non-archived chats changed since they were last read.
    unread_count: int = 0
