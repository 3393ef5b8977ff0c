"""Postgres access for folders: ``inference_folder``, and the chats a deleted subtree held."""

from collections.abc import Sequence

import asyncpg
import orjson

from services.inference.folders.records import FolderRow

_ROW = "id, user_id, parent_id, name, items, meta, data, is_expanded, created_at, updated_at"
# Unread: changed since last read, or never read (as the chat lists' unread order).
_UNREAD = (
    "(SELECT count(*) FROM inference_chat c WHERE c.user_id = f.user_id AND c.folder_id = f.id "
    "AND NOT c.archived AND coalesce(c.last_read_at, 0) < c.updated_at) AS unread_count"
)


def _json(value: object) -> str | None:
    return orjson.dumps(value).decode() if value is not None else None


def _loads(raw: str | None) -> object:
    return orjson.loads(raw) if raw is not None else None


def _row(record: asyncpg.Record) -> FolderRow:
    return FolderRow(
        id=record["id"],
        user_id=record["user_id"],
        parent_id=record["parent_id"],
        name=record["name"],
        items=_loads(record["items"]),
        meta=_loads(record["meta"]),
        data=_loads(record["data"]),
        is_expanded=record["is_expanded"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
        unread_count=record.get("unread_count") or 0,
    )


def _args(row: FolderRow) -> tuple:
    return (
        row.id,
        row.user_id,
        row.parent_id,
        row.name,
        _json(row.items),
        _json(row.meta),
        _json(row.data),
        row.is_expanded,
        row.created_at,
        row.updated_at,
    )


class FolderRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def of_user(self, user_id: str) -> list[FolderRow]:
        records = await self._pool.fetch(
            f"SELECT {_ROW}, {_UNREAD} FROM inference_folder f WHERE f.user_id = $1 "
            "ORDER BY f.created_at, f.id",
            user_id,
        )
        return [_row(r) for r in records]

    async def get(self, user_id: str, folder_id: str) -> FolderRow | None:
        if "\x00" in folder_id:
            # No row has such an id (text cannot hold NUL), and PostgreSQL refuses the parameter.
            return None
        record = await self._pool.fetchrow(
            f"SELECT {_ROW} FROM inference_folder WHERE id = $1 AND user_id = $2", folder_id, user_id
        )
        return _row(record) if record is not None else None

    async def insert(self, row: FolderRow) -> bool:
        """False when the parent already holds a folder of that name."""
        try:
            await self._pool.execute(
                f"INSERT INTO inference_folder ({_ROW}) "
                "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10)",
                *_args(row),
            )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def update(self, row: FolderRow) -> bool:
        """False when the (new) parent already holds a folder of that name."""
        try:
            await self._pool.execute(
                "UPDATE inference_folder SET parent_id = $3, name = $4, items = $5::jsonb, "
                "meta = $6::jsonb, data = $7::jsonb, is_expanded = $8, updated_at = $9 "
                "WHERE id = $1 AND user_id = $2",
                *_args(row)[:8],
                row.updated_at,
            )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def delete(self, user_id: str, folder_ids: Sequence[str], delete_contents: bool) -> None:
        """The folders, and their chats deleted (with the tags no chat carries any more) or moved to
        the root, in one transaction: no chat is left pointing at a deleted folder."""
        ids = list(folder_ids)
        async with self._pool.acquire() as conn, conn.transaction():
            if delete_contents:
                await conn.execute(
                    "DELETE FROM inference_chat WHERE user_id = $1 AND folder_id = ANY($2::text[])",
                    user_id,
                    ids,
                )
                await conn.execute(
                    "DELETE FROM inference_chat_tag t WHERE t.user_id = $1 AND NOT EXISTS "
                    "(SELECT 1 FROM inference_chat c WHERE c.user_id = $1 AND (c.meta -> 'tags') ? t.id)",
                    user_id,
                )
            else:
                await conn.execute(
                    "UPDATE inference_chat SET folder_id = NULL, version = version + 1 "
                    "WHERE user_id = $1 AND folder_id = ANY($2::text[])",
                    user_id,
                    ids,
                )
            await conn.execute(
                "DELETE FROM inference_folder WHERE user_id = $1 AND id = ANY($2::text[])", user_id, ids
            )
