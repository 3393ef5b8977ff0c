"""Read state of stored chats (``POST /read``, ``POST /{id}/unread``): a chat is unread while it
changed after ``last_read_at``; a folder counts the unread chats in it and in the folders below."""

from dataclasses import dataclass

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.chats.extras_store import ChatExtrasStore


@dataclass(frozen=True)
class Unread:
    chat_id: str
    last_read_at: int
    folder_id: str | None
    folder_unread_counts: dict[str, int]


def roll_up(parents: dict[str, str | None], direct: dict[str, int]) -> dict[str, int]:
    """Every folder → unread chats in it and below it: each folder's own count is added to it and to
    every folder above it (a parent cycle already stored is walked once)."""
    counts = dict.fromkeys(parents, 0)
    for folder_id, unread in direct.items():
        node, seen = folder_id, set()
        while node and node not in seen:
            seen.add(node)
            if node in counts:
                counts[node] += unread
            node = parents.get(node)
    return counts


class ChatReadState:
    def __init__(self, store: ChatExtrasStore) -> None:
        self._store = store

    async def folder_unread_counts(self, user_id: str) -> dict[str, int]:
        return roll_up(await self._store.folder_parents(user_id), await self._store.unread_by_folder(user_id))

    async def mark_all_read(self, identity: Identity) -> tuple[int, dict[str, int]]:
        updated = await self._store.mark_all_read(identity.user_id)
        return updated, await self.folder_unread_counts(identity.user_id)

    async def mark_unread(self, identity: Identity, chat_id: str) -> Unread:
        found, folder_id = await self._store.mark_unread(chat_id, identity.user_id)
        if not found:
            raise errors.NotFound(messages.NOT_FOUND)
        return Unread(chat_id, 0, folder_id, await self.folder_unread_counts(identity.user_id))
