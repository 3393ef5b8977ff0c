"""Postgres access for read state, the admin lists and the statistics of stored chats (beside
``ChatRepository``, over the same tables)."""

import asyncpg

from services.inference.chats.records import ChatSummary
from services.inference.chats.repository import SORTABLE

# A chat whose assistant reply is still being written is not counted unread (Open WebUI's rule).
_NOT_GENERATING = (
    "NOT EXISTS (SELECT 1 FROM inference_chat_message m WHERE m.chat_id = c.id "
    "AND m.role = 'assistant' AND (m.message ->> 'done') = 'false')"
)

_CHANGED_AFTER = "($2::bigint IS NULL OR updated_at > $2)"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ChatExtrasRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # -- read state ----------------------------------------------------------------------------

    async def mark_all_read(self, user_id: str) -> int:
        """Every non-archived chat of the user read as of its last change; how many rows that was."""
        status = await self._pool.execute(
            "UPDATE inference_chat SET last_read_at = updated_at, version = version + 1 "
            "WHERE user_id = $1 AND NOT archived",
            user_id,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def mark_unread(self, chat_id: str, user_id: str) -> tuple[bool, str | None]:
        """(whether the user has that chat, its folder)."""
        if "\x00" in chat_id:
            return False, None
        record = await self._pool.fetchrow(
            "UPDATE inference_chat SET last_read_at = 0, version = version + 1 "
            "WHERE id = $1 AND user_id = $2 RETURNING folder_id",
            chat_id,
            user_id,
        )
        return (record is not None, record["folder_id"] if record is not None else None)

    async def unread_by_folder(self, user_id: str) -> dict[str, int]:
        """Folder id → the user's unread, non-archived chats directly in it."""
        records = await self._pool.fetch(
            "SELECT c.folder_id, count(*) AS unread FROM inference_chat c "
            "WHERE c.user_id = $1 AND c.folder_id IS NOT NULL AND NOT c.archived "
            f"AND c.updated_at > coalesce(c.last_read_at, 0) AND {_NOT_GENERATING} "
            "GROUP BY c.folder_id",
            user_id,
        )
        return {r["folder_id"]: r["unread"] for r in records}

    async def folder_parents(self, user_id: str) -> dict[str, str | None]:
        records = await self._pool.fetch(
            "SELECT id, parent_id FROM inference_folder WHERE user_id = $1 ORDER BY created_at, id", user_id
        )
        return {r["id"]: r["parent_id"] for r in records}

    # -- admin ---------------------------------------------------------------------------------

    async def list_user_chats(
        self, user_id: str, query: str, order_by: str | None, ascending: bool, limit: int, offset: int
    ) -> list[ChatSummary]:
        """A user's chats, archived ones too; ``order_by`` (a chat column) or newest first."""
        column = order_by if order_by in SORTABLE else None
        order = f"{column} {'ASC' if ascending else 'DESC'}" if column else "updated_at DESC"
        records = await self._pool.fetch(
            "SELECT id, title, updated_at, created_at, last_read_at FROM inference_chat "
            "WHERE user_id = $1 AND ($2 = '' OR title ILIKE '%' || $2 || '%') "
            f"ORDER BY {order}, id LIMIT $3 OFFSET $4",
            user_id.replace("\x00", ""),
            _escape_like(query),
            limit,
            offset,
        )
        # Open WebUI's query does not select ``archived``: it reads false.
        return [
            ChatSummary(r["id"], r["title"], r["updated_at"], r["created_at"], r["last_read_at"])
            for r in records
        ]

    async def all_chat_ids(self) -> list[str]:
        records = await self._pool.fetch("SELECT id FROM inference_chat ORDER BY updated_at DESC, id")
        return [r["id"] for r in records]

    # -- statistics ----------------------------------------------------------------------------

    async def chat_id_page(
        self, user_id: str, *, updated_after: int | None, ascending: bool, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """One page of a user's chats (changed after ``updated_after``, when given) by last change,
        and how many there are in all."""
        direction = "ASC" if ascending else "DESC"
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            total = await conn.fetchval(
                f"SELECT count(*) FROM inference_chat WHERE user_id = $1 AND {_CHANGED_AFTER}",
                user_id,
                updated_after,
            )
            records = await conn.fetch(
                f"SELECT id FROM inference_chat WHERE user_id = $1 AND {_CHANGED_AFTER} "
                f"ORDER BY updated_at {direction}, id LIMIT $3 OFFSET $4",
                user_id,
                updated_after,
                limit,
                offset,
            )
        return [r["id"] for r in records], total
