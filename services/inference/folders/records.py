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


@dataclass(frozen=True)
class FolderGrant:
    """Who besides the owner may read (or write) a folder: Open WebUI's ``access_grant`` row of
    resource type ``folder``."""

    id: str
    folder_id: str
    principal_type: str
    principal_id: str
    permission: str
    created_at: int


@dataclass(frozen=True)
class FolderChat:
    """A chat in a shared folder, as ``GET /{id}/shared/chats`` lists it (whoever owns it)."""

    id: str
    user_id: str
    title: str
    created_at: int
    updated_at: int
    last_read_at: int | None
    # The owner, then everyone else who wrote a message in it, in the order they first did.
    participant_ids: tuple[str, ...] = ()
