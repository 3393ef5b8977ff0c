"""Postgres access for folder sharing: ``inference_folder_access_grant``, and the chats and read
state of shared folders."""

from collections.abc import Sequence

import asyncpg

from services.inference.folders.records import FolderChat, FolderGrant, FolderRow
from services.inference.folders.repository import _ROW, _row

_GRANT = "id, folder_id, principal_type, principal_id, permission, created_at"
# The owner, then every other author of a message, in the order they first wrote.
_PARTICIPANTS = (
    "ARRAY(SELECT m.user_id FROM inference_chat_message m WHERE m.chat_id = c.id "
    "AND m.user_id IS NOT NULL AND m.user_id <> c.user_id GROUP BY m.user_id ORDER BY min(m.position)) "
    "AS authors"
)


def _grant(record: asyncpg.Record) -> FolderGrant:
    return FolderGrant(
        id=record["id"],
        folder_id=record["folder_id"],
        principal_type=record["principal_type"],
        principal_id=record["principal_id"],
        permission=record["permission"],
        created_at=record["created_at"],
    )


def _chat(record: asyncpg.Record) -> FolderChat:
    return FolderChat(
        id=record["id"],
        user_id=record["user_id"],
        title=record["title"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
        last_read_at=record["last_read_at"],
        participant_ids=(record["user_id"], *record["authors"]),
    )


def _ids(folder_ids: Sequence[str]) -> list[str]:
    # No row has an id holding NUL, and PostgreSQL refuses such a parameter.
    return [f for f in folder_ids if "\x00" not in f]


class FolderShareRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def folder(self, folder_id: str) -> FolderRow | None:
        if "\x00" in folder_id:
            return None
        record = await self._pool.fetchrow(f"SELECT {_ROW} FROM inference_folder WHERE id = $1", folder_id)
        return _row(record) if record is not None else None

    async def parents(self, owner_id: str) -> dict[str, str | None]:
        records = await self._pool.fetch(
            "SELECT id, parent_id FROM inference_folder WHERE user_id = $1 ORDER BY created_at, id", owner_id
        )
        return {r["id"]: r["parent_id"] for r in records}

    async def grants(self, folder_ids: Sequence[str]) -> list[FolderGrant]:
        records = await self._pool.fetch(
            f"SELECT {_GRANT} FROM inference_folder_access_grant WHERE folder_id = ANY($1::text[]) "
            "ORDER BY folder_id, position",
            _ids(folder_ids),
        )
        return [_grant(r) for r in records]

    async def set_grants(self, folder_id: str, grants: Sequence[FolderGrant]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM inference_folder_access_grant WHERE folder_id = $1", folder_id)
            await conn.executemany(
                f"INSERT INTO inference_folder_access_grant ({_GRANT}, position) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    (g.id, folder_id, g.principal_type, g.principal_id, g.permission, g.created_at, position)
                    for position, g in enumerate(grants)
                ],
            )

    async def granted_to_user(
        self, user_id: str, group_ids: Sequence[str] = ()
    ) -> list[tuple[str, FolderGrant]]:
        records = await self._pool.fetch(
            f"SELECT f.user_id AS owner_id, {', '.join('g.' + c for c in _GRANT.split(', '))} "
            "FROM inference_folder_access_grant g JOIN inference_folder f ON f.id = g.folder_id "
            "WHERE ((g.principal_type = 'user' AND g.principal_id = $1) "
            "OR (g.principal_type = 'group' AND g.principal_id = ANY($2::text[]))) AND f.user_id <> $1 "
            "ORDER BY f.created_at, f.id, g.position",
            user_id,
            list(group_ids),
        )
        return [(r["owner_id"], _grant(r)) for r in records]

    async def shared_by(self, user_id: str) -> list[str]:
        records = await self._pool.fetch(
            "SELECT f.id FROM inference_folder f WHERE f.user_id = $1 AND EXISTS "
            "(SELECT 1 FROM inference_folder_access_grant g WHERE g.folder_id = f.id) "
            "ORDER BY f.created_at, f.id",
            user_id,
        )
        return [r["id"] for r in records]

    async def chats_in(
        self, folder_id: str, order: str, limit: int | None, offset: int
    ) -> tuple[list[FolderChat], int]:
        if "\x00" in folder_id:
            return [], 0
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            records = await conn.fetch(
                "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at, c.last_read_at, "
                f"{_PARTICIPANTS} FROM inference_chat c WHERE c.folder_id = $1 AND NOT c.archived "
                f"ORDER BY {order}, c.id LIMIT $2 OFFSET $3",
                folder_id,
                limit,
                offset,
            )
            total = await conn.fetchval(
                "SELECT count(*) FROM inference_chat WHERE folder_id = $1 AND NOT archived", folder_id
            )
        return [_chat(r) for r in records], total

    async def mark_read(self, user_id: str, folder_ids: Sequence[str]) -> int:
        status = await self._pool.execute(
            "UPDATE inference_chat SET last_read_at = updated_at, version = version + 1 "
            "WHERE user_id = $1 AND folder_id = ANY($2::text[]) AND NOT archived",
            user_id,
            _ids(folder_ids),
        )
        return int(status.rsplit(" ", 1)[-1])
