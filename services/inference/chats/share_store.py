"""What chat sharing keeps (share snapshots, access grants, the share mode) and what its rules need
of storage (``ChatShareRepository`` on PostgreSQL; fakes in unit tests)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SharedChat:
    """A chat as it was when last shared (Open WebUI's ``shared_chat`` row)."""

    id: str
    chat_id: str
    user_id: str
    title: str
    # The whole blob, ``history.messages`` included (empty in lists).
    blob: dict
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class AccessGrant:
    """Who besides the owner may read or write a shared chat (Open WebUI's ``access_grant``)."""

    id: str
    principal_type: str
    principal_id: str
    permission: str


class ShareStore(Protocol):
    async def save_share(
        self, chat_id: str, user_id: str, title: str, blob: dict, now: int, new_token: str
    ) -> str | None:
        """Snapshots the chat under its share token (``new_token`` when it has none yet, which then
        goes into the chat row's ``share_id``); the token, or None when the chat is gone."""
        ...

    async def share(self, token: str) -> SharedChat | None: ...

    async def share_mode(self, chat_id: str) -> str | None: ...

    async def set_share_mode(self, chat_id: str, share_mode: str | None) -> None: ...

    async def unshare(self, chat_id: str) -> None:
        """Drops the snapshot, the chat's ``share_id``, its share mode and its grants."""
        ...

    async def unshare_all(self, user_id: str) -> None:
        """``unshare`` for every chat of the user."""
        ...

    async def list_shares(
        self, user_id: str, query: str, order_by: str, ascending: bool, limit: int, offset: int
    ) -> list[SharedChat]: ...

    async def grants(self, chat_id: str) -> list[AccessGrant]: ...

    async def set_grants(self, chat_id: str, grants: Sequence[AccessGrant], now: int) -> None: ...
