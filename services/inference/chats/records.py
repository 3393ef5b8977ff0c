"""A stored chat: its row and its messages (Open WebUI's ``chat`` and ``chat_message`` tables)."""

from dataclasses import dataclass, field


@dataclass
class ChatRow:
    id: str
    user_id: str
    title: str
    # The client's blob without ``history.messages`` (those are the message rows).
    blob: dict
    meta: dict
    variables: dict
    created_at: int
    updated_at: int
    tasks: object = None
    summary: str | None = None
    share_id: str | None = None
    folder_id: str | None = None
    archived: bool = False
    pinned: bool = False
    current_message_id: str | None = None
    last_read_at: int | None = None
    # Grows with every write: a writer that read an older version starts again.
    version: int = 0


@dataclass
class StoredChat:
    row: ChatRow
    # id → message object, in the order of the client's map.
    messages: dict[str, dict] = field(default_factory=dict)
    # id → its row's position (the map's order); kept for messages that are not rewritten.
    positions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatView:
    """A chat as one caller may see it: the blob assembled and repaired, trimmed for a reader who
    may not change it."""

    row: ChatRow
    blob: dict
    current_message_id: str | None
    write_access: bool


@dataclass(frozen=True)
class ChatSummary:
    id: str
    title: str
    updated_at: int
    created_at: int
    last_read_at: int | None = None
    snippet: str | None = None
    archived: bool = False


@dataclass(frozen=True)
class Tag:
    id: str
    name: str
    user_id: str
    meta: dict | None = None
