"""An in-memory ChatStore for unit tests of the chat rules (whole chats only; lists are tested on
PostgreSQL)."""

import copy
from collections.abc import Sequence
from dataclasses import replace

from services.inference.chats.records import ChatRow, ChatSummary, StoredChat, Tag
from services.inference.chats.share_store import AccessGrant, SharedChat


class FakeChatStore:
    def __init__(self) -> None:
        self.chats: dict[str, StoredChat] = {}
        self.tag_rows: dict[tuple[str, str], Tag] = {}
        # (user id, folder id) of the folders that exist.
        self.folders: set[tuple[str, str]] = set()
        # Message ids each save rewrote or deleted, in order.
        self.writes: list[tuple[list[str], list[str]]] = []
        # Sharing: share token → snapshot, chat id → share mode, chat id → grants.
        self.shares: dict[str, SharedChat] = {}
        self.share_modes: dict[str, str | None] = {}
        self.grant_rows: dict[str, list[AccessGrant]] = {}
        # Folder id → its parent (read state); folders not named here are roots.
        self.folder_parent: dict[str, str | None] = {}

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
        self._cascade([chat_id])
        return self.chats.pop(chat_id, None) is not None

    async def delete_all(self, user_id: str) -> None:
        self._cascade([k for k, v in self.chats.items() if v.row.user_id == user_id])
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

    # -- sharing (ShareStore) -------------------------------------------------------------------

    def _cascade(self, chat_ids: Sequence[str]) -> None:
        """What ON DELETE CASCADE drops with a chat."""
        self.shares = {k: v for k, v in self.shares.items() if v.chat_id not in chat_ids}
        for chat_id in chat_ids:
            self.grant_rows.pop(chat_id, None)
            self.share_modes.pop(chat_id, None)

    def _set_share_id(self, chat_id: str, token: str | None) -> None:
        chat = self.chats[chat_id]
        chat.row = replace(chat.row, share_id=token, version=chat.row.version + 1)

    async def save_share(
        self, chat_id: str, user_id: str, title: str, blob: dict, now: int, new_token: str
    ) -> str | None:
        chat = self.chats.get(chat_id)
        if chat is None:
            return None
        token = chat.row.share_id
        if token and token in self.shares:
            old = self.shares[token]
            self.shares[token] = replace(old, title=title, blob=copy.deepcopy(blob), updated_at=now)
            return token
        self.shares[new_token] = SharedChat(new_token, chat_id, user_id, title, copy.deepcopy(blob), now, now)
        self._set_share_id(chat_id, new_token)
        return new_token

    async def share(self, token: str) -> SharedChat | None:
        return copy.deepcopy(self.shares.get(token))

    async def share_mode(self, chat_id: str) -> str | None:
        return self.share_modes.get(chat_id)

    async def set_share_mode(self, chat_id: str, share_mode: str | None) -> None:
        if chat_id in self.chats:
            self.share_modes[chat_id] = share_mode

    async def unshare(self, chat_id: str) -> None:
        self._cascade([chat_id])
        if chat_id in self.chats and self.chats[chat_id].row.share_id is not None:
            self._set_share_id(chat_id, None)

    async def unshare_all(self, user_id: str) -> None:
        self.shares = {k: v for k, v in self.shares.items() if v.user_id != user_id}
        for chat_id, chat in self.chats.items():
            if chat.row.user_id == user_id:
                self.grant_rows.pop(chat_id, None)
                self.share_modes.pop(chat_id, None)
                if chat.row.share_id is not None:
                    self._set_share_id(chat_id, None)

    async def list_shares(
        self, user_id: str, query: str, order_by: str, ascending: bool, limit: int, offset: int
    ) -> list[SharedChat]:
        mine = [
            replace(s, blob={})
            for s in self.shares.values()
            if s.user_id == user_id and query.lower() in s.title.lower()
        ]
        key = order_by if order_by in ("title", "created_at", "updated_at", "id", "chat_id") else "updated_at"
        mine.sort(key=lambda s: getattr(s, key), reverse=not ascending)
        return mine[offset : offset + limit]

    async def grants(self, chat_id: str) -> list[AccessGrant]:
        return list(self.grant_rows.get(chat_id, []))

    async def set_grants(self, chat_id: str, grants: Sequence[AccessGrant], now: int) -> None:
        self.grant_rows[chat_id] = list(grants)

    # -- read state, admin lists, statistics (ChatExtrasStore) -------------------------------------

    def _generating(self, chat: StoredChat) -> bool:
        return any(m.get("role") == "assistant" and m.get("done") is False for m in chat.messages.values())

    async def mark_all_read(self, user_id: str) -> int:
        mine = [c for c in self.chats.values() if c.row.user_id == user_id and not c.row.archived]
        for chat in mine:
            chat.row = replace(chat.row, last_read_at=chat.row.updated_at, version=chat.row.version + 1)
        return len(mine)

    async def mark_unread(self, chat_id: str, user_id: str) -> tuple[bool, str | None]:
        chat = self.chats.get(chat_id)
        if chat is None or chat.row.user_id != user_id:
            return False, None
        chat.row = replace(chat.row, last_read_at=0, version=chat.row.version + 1)
        return True, chat.row.folder_id

    async def unread_by_folder(self, user_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chat in self.chats.values():
            row = chat.row
            if (
                row.user_id == user_id
                and row.folder_id is not None
                and not row.archived
                and row.updated_at > (row.last_read_at or 0)
                and not self._generating(chat)
            ):
                counts[row.folder_id] = counts.get(row.folder_id, 0) + 1
        return counts

    async def folder_parents(self, user_id: str) -> dict[str, str | None]:
        return {f: self.folder_parent.get(f) for u, f in sorted(self.folders) if u == user_id}

    async def list_user_chats(
        self, user_id: str, query: str, order_by: str | None, ascending: bool, limit: int, offset: int
    ) -> list[ChatSummary]:
        rows = [c.row for c in self.chats.values() if c.row.user_id == user_id]
        rows = [r for r in rows if query.lower() in r.title.lower()]
        key = order_by or "updated_at"
        rows.sort(key=lambda r: (getattr(r, key), r.id), reverse=not ascending if order_by else True)
        return [
            ChatSummary(r.id, r.title, r.updated_at, r.created_at, r.last_read_at)
            for r in rows[offset : offset + limit]
        ]

    async def all_chat_ids(self) -> list[str]:
        return [c.row.id for c in sorted(self.chats.values(), key=lambda c: -c.row.updated_at)]

    async def chat_id_page(
        self, user_id: str, *, updated_after: int | None, ascending: bool, limit: int, offset: int
    ) -> tuple[list[str], int]:
        rows = [
            c.row
            for c in self.chats.values()
            if c.row.user_id == user_id and (updated_after is None or c.row.updated_at > updated_after)
        ]
        rows.sort(key=lambda r: (r.updated_at, r.id), reverse=not ascending)
        return [r.id for r in rows[offset : offset + limit]], len(rows)
