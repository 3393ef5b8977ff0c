"""Postgres access for chat sharing: ``inference_chat_share`` (a snapshot per shared chat),
``inference_chat_access_grant`` and the chat row's ``share_id`` and ``share_mode``. Changing a chat
row's ``share_id`` bumps its ``version``, so that a writer that read the row before does not write
the old value back."""

from collections.abc import Sequence

import asyncpg
import orjson

from services.inference.chats.share_store import AccessGrant, SharedChat

# Columns ``GET /shared`` may sort by (Open WebUI takes any ``shared_chat`` column).
SORTABLE = frozenset({"id", "chat_id", "user_id", "title", "created_at", "updated_at"})


def _share(record: asyncpg.Record, with_blob: bool = True) -> SharedChat:
    return SharedChat(
        id=record["id"],
        chat_id=record["chat_id"],
        user_id=record["user_id"],
        title=record["title"],
        blob=orjson.loads(record["chat"]) if with_blob else {},
        created_at=record["created_at"],
        updated_at=record["updated_at"],
    )


def _grant(record: asyncpg.Record) -> AccessGrant:
    return AccessGrant(
        id=record["id"],
        principal_type=record["principal_type"],
        principal_id=record["principal_id"],
        permission=record["permission"],
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ChatShareRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def save_share(
        self, chat_id: str, user_id: str, title: str, blob: dict, now: int, new_token: str
    ) -> str | None:
        """The chat row is locked first, so that two first shares of a chat make one token."""
        snapshot = orjson.dumps(blob).decode()
        async with self._pool.acquire() as conn, conn.transaction():
            token = await conn.fetchval(
                "SELECT coalesce(share_id, '') FROM inference_chat WHERE id = $1 FOR UPDATE", chat_id
            )
            if token is None:
                return None
            if token:
                updated = await conn.fetchval(
                    "UPDATE inference_chat_share SET title = $2, chat = $3::json, updated_at = $4 "
                    "WHERE id = $1 AND chat_id = $5 RETURNING true",
                    token,
                    title,
                    snapshot,
                    now,
                    chat_id,
                )
                if updated:
                    return token
            # No share yet (or a token whose snapshot is gone): a new one.
            await conn.execute("DELETE FROM inference_chat_share WHERE chat_id = $1", chat_id)
            await conn.execute(
                "INSERT INTO inference_chat_share "
                "(id, chat_id, user_id, title, chat, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5::json, $6, $6)",
                new_token,
                chat_id,
                user_id,
                title,
                snapshot,
                now,
            )
            await conn.execute(
                "UPDATE inference_chat SET share_id = $2, version = version + 1 WHERE id = $1",
                chat_id,
                new_token,
            )
        return new_token

    async def share(self, token: str) -> SharedChat | None:
        if "\x00" in token:
            return None
        record = await self._pool.fetchrow(
            "SELECT id, chat_id, user_id, title, chat, created_at, updated_at "
            "FROM inference_chat_share WHERE id = $1",
            token,
        )
        return _share(record) if record is not None else None

    async def share_mode(self, chat_id: str) -> str | None:
        return await self._pool.fetchval("SELECT share_mode FROM inference_chat WHERE id = $1", chat_id)

    async def set_share_mode(self, chat_id: str, share_mode: str | None) -> None:
        await self._pool.execute(
            "UPDATE inference_chat SET share_mode = $2 WHERE id = $1", chat_id, share_mode
        )

    async def unshare(self, chat_id: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM inference_chat_share WHERE chat_id = $1", chat_id)
            await conn.execute("DELETE FROM inference_chat_access_grant WHERE chat_id = $1", chat_id)
            await conn.execute(
                "UPDATE inference_chat SET share_id = NULL, share_mode = NULL, "
                "version = version + CASE WHEN share_id IS NULL THEN 0 ELSE 1 END WHERE id = $1",
                chat_id,
            )

    async def unshare_all(self, user_id: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM inference_chat_share WHERE user_id = $1", user_id)
            await conn.execute(
                "DELETE FROM inference_chat_access_grant g USING inference_chat c "
                "WHERE g.chat_id = c.id AND c.user_id = $1",
                user_id,
            )
            await conn.execute(
                "UPDATE inference_chat SET share_id = NULL, share_mode = NULL, version = version + 1 "
                "WHERE user_id = $1 AND (share_id IS NOT NULL OR share_mode IS NOT NULL)",
                user_id,
            )

    async def list_shares(
        self, user_id: str, query: str, order_by: str, ascending: bool, limit: int, offset: int
    ) -> list[SharedChat]:
        column = order_by if order_by in SORTABLE else "updated_at"
        direction = "ASC" if ascending else "DESC"
        records = await self._pool.fetch(
            "SELECT id, chat_id, user_id, title, created_at, updated_at FROM inference_chat_share "
            "WHERE user_id = $1 AND ($2 = '' OR title ILIKE '%' || $2 || '%') "
            f"ORDER BY {column} {direction}, id LIMIT $3 OFFSET $4",
            user_id,
            _escape_like(query),
            limit,
            offset,
        )
        return [_share(r, with_blob=False) for r in records]

    async def grants(self, chat_id: str) -> list[AccessGrant]:
        records = await self._pool.fetch(
            "SELECT id, principal_type, principal_id, permission FROM inference_chat_access_grant "
            "WHERE chat_id = $1 ORDER BY position, id",
            chat_id,
        )
        return [_grant(r) for r in records]

    async def set_grants(self, chat_id: str, grants: Sequence[AccessGrant], now: int) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM inference_chat_access_grant WHERE chat_id = $1", chat_id)
            await conn.executemany(
                "INSERT INTO inference_chat_access_grant "
                "(id, chat_id, principal_type, principal_id, permission, position, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    (g.id, chat_id, g.principal_type, g.principal_id, g.permission, i, now)
                    for i, g in enumerate(grants)
                ],
            )
