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


@dataclass
class TurnState:
    """What a completion writing into a chat reads of it: the row's facts, and only the messages the
    turn touches (plus the current one)."""

    chat_id: str
    user_id: str
    title: str
    current_message_id: str | None
    folder_id: str | None
    version: int
    # The JSON size of the blob and every message (CHAT_MAX_BYTES applies to it).
    size_bytes: int
    # Where the next new message goes in the ``history.messages`` order.
    next_position: int
    messages: dict[str, dict] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    # The messages from the root down to the turn's user message (or its parent), when asked for.
    branch: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class TurnWrite:
    """What a turn writes: messages (new ones go after the last), and where ``currentId`` points."""

    messages: dict[str, dict]
    current_message_id: str | None
    updated_at: int
