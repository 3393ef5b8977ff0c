"""An in-memory ChatStore for unit tests of the chat rules (whole chats only; lists are tested on
PostgreSQL)."""

import copy
from collections.abc import Sequence
from dataclasses import replace

from services.inference.chats.records import ChatRow, StoredChat, Tag


class FakeChatStore:
    def __init__(self) -> None:
        self.chats: dict[str, StoredChat] = {}
        self.tag_rows: dict[tuple[str, str], Tag] = {}
        # (user id, folder id) of the folders that exist.
        self.folders: set[tuple[str, str]] = set()
        # Message ids each save rewrote or deleted, in order.
        self.writes: list[tuple[list[str], list[str]]] = []

    async def load(self, chat_id: str) -> StoredChat | None:
        chat = self.chats.get(chat_id)
        return copy.deepcopy(chat) if chat is not None else None

    async def load_many(self, chat_ids: Sequence[str]) -> list[StoredChat]:
        return [copy.deepcopy(self.chats[c]) for c in chat_ids if c in self.chats]

    async def insert(self, chat: StoredChat) -> None:
        self.chats[chat.row.id] = copy.deepcopy(chat)

    async def save(
        self, row: ChatRow, upserts: dict[str, tuple[int, dict]], deletes: Sequence[str], now: int
    ) -> bool:
        current = self.chats.get(row.id)
        if current is None or current.row.version != row.version:
            return False
        messages = {k: v for k, v in current.messages.items() if k not in deletes}
        positions = {k: v for k, v in current.positions.items() if k not in deletes}
        for key, (position, message) in upserts.items():
            messages[key] = copy.deepcopy(message)
            positions[key] = position
        ordered = dict(sorted(messages.items(), key=lambda item: positions[item[0]]))
        self.chats[row.id] = StoredChat(replace(row, version=row.version + 1), ordered, positions)
        self.writes.append((list(upserts), list(deletes)))
        return True

    async def delete(self, chat_id: str) -> bool:
        return self.chats.pop(chat_id, None) is not None

    async def delete_all(self, user_id: str) -> None:
        self.chats = {k: v for k, v in self.chats.items() if v.row.user_id != user_id}

    async def folder_exists(self, user_id: str, folder_id: str) -> bool:
        return (user_id, folder_id) in self.folders

    async def tags(self, user_id: str, tag_ids: Sequence[str]) -> list[Tag]:
        return [self.tag_rows[(user_id, t)] for t in tag_ids if (user_id, t) in self.tag_rows]

    async def ensure_tag(self, tag: Tag) -> None:
        self.tag_rows.setdefault((tag.user_id, tag.id), tag)

    async def drop_unused_tags(self, user_id: str, tag_ids: Sequence[str] | None = None) -> None:
        used = {
            t for c in self.chats.values() if c.row.user_id == user_id for t in c.row.meta.get("tags", [])
        }
        for key in list(self.tag_rows):
            if key[0] == user_id and (tag_ids is None or key[1] in tag_ids) and key[1] not in used:
                del self.tag_rows[key]
