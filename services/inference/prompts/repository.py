"""Prompts in PostgreSQL: ``inference_prompt``, its access grants and its history."""

import time
from typing import Protocol

import asyncpg
import orjson

from services.inference.grant_rows import grant_dict
from services.inference.prompts.records import (
    ORDER_COLUMNS,
    Audience,
    PromptRecord,
    PromptSearch,
    PromptVersion,
)

_COLUMNS = (
    "id, command, user_id, name, content, data, meta, tags, is_active, version_id, created_at, updated_at"
)
_P_COLUMNS = ", ".join(f"p.{c.strip()}" for c in _COLUMNS.split(","))
_VERSION = "id, prompt_id, parent_id, snapshot, user_id, commit_message, created_at"
_GRANT = "id, prompt_id, principal_type, principal_id, permission, created_at"
# Who may read a row: $1 the user, $2 the user's groups, $3 true for a bypassing admin.
_READABLE = (
    "($3::boolean OR p.user_id = $1 OR EXISTS (SELECT 1 FROM inference_prompt_access_grant g "
    "WHERE g.prompt_id = p.id AND g.permission = 'read' AND ("
    "(g.principal_type = 'user' AND g.principal_id IN ($1, '*')) OR "
    "(g.principal_type = 'group' AND g.principal_id = ANY($2::text[])))))"
)


class CommandTaken(Exception):
    """Another prompt holds the command (the unique index said so)."""


def now() -> int:
    return int(time.time())


def _absent(*ids: str) -> bool:
    """No row can have an id holding NUL, and PostgreSQL refuses such a parameter."""
    return any("\x00" in i for i in ids)


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _record(row: asyncpg.Record, grants: list[dict]) -> PromptRecord:
    return PromptRecord(
        id=row["id"],
        command=row["command"],
        user_id=row["user_id"],
        name=row["name"],
        content=row["content"],
        data=orjson.loads(row["data"]),
        meta=orjson.loads(row["meta"]),
        tags=list(row["tags"]),
        is_active=row["is_active"],
        version_id=row["version_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        access_grants=grants,
    )


def _version(row: asyncpg.Record) -> PromptVersion:
    return PromptVersion(
        id=row["id"],
        prompt_id=row["prompt_id"],
        parent_id=row["parent_id"],
        snapshot=orjson.loads(row["snapshot"]),
        user_id=row["user_id"],
        commit_message=row["commit_message"],
        created_at=row["created_at"],
    )


def _audience_args(audience: Audience) -> tuple[str, list[str], bool]:
    return audience.user_id, list(audience.group_ids), audience.everything


class PromptStore(Protocol):
    """What the prompt rules need of storage (Postgres here, a dict in unit tests)."""

    async def list_readable(self, audience: Audience, active_only: bool) -> list[PromptRecord]: ...
    async def tags(self, audience: Audience) -> list[str]: ...
    async def search(self, audience: Audience, search: PromptSearch) -> tuple[list[PromptRecord], int]: ...
    async def get(self, prompt_id: str) -> PromptRecord | None: ...
    async def get_by_command(self, command: str) -> PromptRecord | None: ...
    async def insert(self, record: PromptRecord, version: PromptVersion) -> None: ...
    async def update(
        self, record: PromptRecord, version: PromptVersion | None, *, make_live: bool
    ) -> PromptRecord | None: ...
    async def set_grants(self, prompt_id: str, grants: list[dict]) -> PromptRecord | None: ...
    async def set_active(self, prompt_id: str, active: bool) -> PromptRecord | None: ...
    async def apply_version(self, prompt_id: str, version_id: str) -> PromptRecord | None: ...
    async def delete(self, prompt_id: str) -> bool: ...
    async def latest_version_id(self, prompt_id: str) -> str | None: ...
    async def list_versions(self, prompt_id: str, offset: int, limit: int) -> list[PromptVersion]: ...
    async def get_version(self, prompt_id: str, version_id: str) -> PromptVersion | None: ...
    async def delete_version(self, prompt_id: str, version_id: str) -> bool: ...


class PromptRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @staticmethod
    async def _with_grants(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[PromptRecord]:
        if not rows:
            return []
        grant_rows = await conn.fetch(
            f"SELECT {_GRANT} FROM inference_prompt_access_grant WHERE prompt_id = ANY($1::text[]) "
            "ORDER BY prompt_id, position",
            [row["id"] for row in rows],
        )
        grants: dict[str, list[dict]] = {}
        for grant in grant_rows:
            grants.setdefault(grant["prompt_id"], []).append(grant_dict(grant, "prompt", "prompt_id"))
        return [_record(row, grants.get(row["id"], [])) for row in rows]

    async def list_readable(self, audience: Audience, active_only: bool) -> list[PromptRecord]:
        """Most recently updated first. The caller applies the access rules again."""
        active = " AND p.is_active" if active_only else ""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            rows = await conn.fetch(
                f"SELECT {_P_COLUMNS} FROM inference_prompt p WHERE {_READABLE}{active} "
                "ORDER BY p.updated_at DESC, p.id",
                *_audience_args(audience),
            )
            return await self._with_grants(conn, rows)

    async def tags(self, audience: Audience) -> list[str]:
        rows = await self._pool.fetch(
            f"SELECT DISTINCT t.tag FROM inference_prompt p, unnest(p.tags) AS t(tag) "
            f"WHERE p.is_active AND {_READABLE} AND t.tag <> '' ORDER BY t.tag",
            *_audience_args(audience),
        )
        return [row["tag"] for row in rows]

    async def search(self, audience: Audience, search: PromptSearch) -> tuple[list[PromptRecord], int]:
        """One page of readable prompts (active or not) and the number of matches."""
        where = [_READABLE]
        args: list[object] = [*_audience_args(audience)]
        if search.query:
            args.append(search.query.casefold())
            n = len(args)
            where.append(
                f"(strpos(lower(p.name), ${n}) > 0 OR strpos(lower(p.command), ${n}) > 0 "
                f"OR strpos(lower(p.content), ${n}) > 0)"
            )
        if search.view_option == "created":
            where.append("p.user_id = $1")
        elif search.view_option == "shared":
            where.append("p.user_id <> $1")
        if search.tag:
            args.append(search.tag.casefold())
            where.append(f"EXISTS (SELECT 1 FROM unnest(p.tags) AS t(tag) WHERE lower(t.tag) = ${len(args)})")
        column = search.order_by if search.order_by in ORDER_COLUMNS else "updated_at"
        direction = "ASC" if search.ascending else "DESC"
        condition = " AND ".join(where)
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            total = await conn.fetchval(f"SELECT count(*) FROM inference_prompt p WHERE {condition}", *args)
            rows = await conn.fetch(
                f"SELECT {_P_COLUMNS} FROM inference_prompt p WHERE {condition} "
                f"ORDER BY p.{column} {direction}, p.id {direction} "
                f"OFFSET ${len(args) + 1} LIMIT ${len(args) + 2}",
                *args,
                search.offset,
                search.limit,
            )
            return await self._with_grants(conn, rows), int(total)

    async def _one(self, sql: str, *args: object) -> PromptRecord | None:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            row = await conn.fetchrow(sql, *args)
            return (await self._with_grants(conn, [row]))[0] if row is not None else None

    async def get(self, prompt_id: str) -> PromptRecord | None:
        if _absent(prompt_id):
            return None
        return await self._one(f"SELECT {_COLUMNS} FROM inference_prompt WHERE id = $1", prompt_id)

    async def get_by_command(self, command: str) -> PromptRecord | None:
        if _absent(command):
            return None
        return await self._one(f"SELECT {_COLUMNS} FROM inference_prompt WHERE command = $1", command)

    @staticmethod
    async def _insert_version(conn: asyncpg.Connection, version: PromptVersion) -> None:
        await conn.execute(
            f"INSERT INTO inference_prompt_history ({_VERSION}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
            version.id,
            version.prompt_id,
            version.parent_id,
            _json(version.snapshot),
            version.user_id,
            version.commit_message,
            version.created_at,
        )

    @staticmethod
    async def _insert_grants(conn: asyncpg.Connection, prompt_id: str, grants: list[dict]) -> None:
        await conn.executemany(
            f"INSERT INTO inference_prompt_access_grant ({_GRANT}, position) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (
                    g["id"],
                    prompt_id,
                    g["principal_type"],
                    g["principal_id"],
                    g["permission"],
                    g["created_at"],
                    i,
                )
                for i, g in enumerate(grants)
            ],
        )

    async def insert(self, record: PromptRecord, version: PromptVersion) -> None:
        """Stores a new prompt with its grants and its first version; CommandTaken when another
        prompt holds the command."""
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    f"INSERT INTO inference_prompt ({_COLUMNS}) "
                    "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12)",
                    record.id,
                    record.command,
                    record.user_id,
                    record.name,
                    record.content,
                    _json(record.data),
                    _json(record.meta),
                    record.tags,
                    record.is_active,
                    record.version_id,
                    record.created_at,
                    record.updated_at,
                )
                await self._insert_grants(conn, record.id, record.access_grants)
                await self._insert_version(conn, version)
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "inference_prompt_command_key":
                raise CommandTaken from None
            raise

    async def update(
        self, record: PromptRecord, version: PromptVersion | None, *, make_live: bool
    ) -> PromptRecord | None:
        """Writes the record's command, name, content, data, meta and tags; with ``version``
        stores it, and with ``make_live`` makes it the live version. None when the prompt is gone."""
        if _absent(record.id):
            return None
        live = version.id if version is not None and make_live else None
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(
                    "UPDATE inference_prompt SET command = $2, name = $3, content = $4, data = $5::jsonb, "
                    "meta = $6::jsonb, tags = $7, updated_at = $8, version_id = COALESCE($9, version_id) "
                    f"WHERE id = $1 RETURNING {_COLUMNS}",
                    record.id,
                    record.command,
                    record.name,
                    record.content,
                    _json(record.data),
                    _json(record.meta),
                    record.tags,
                    now(),
                    live,
                )
                if row is None:
                    return None
                if version is not None:
                    await self._insert_version(conn, version)
                return (await self._with_grants(conn, [row]))[0]
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "inference_prompt_command_key":
                raise CommandTaken from None
            raise

    async def _change(self, sql: str, prompt_id: str, *args: object) -> PromptRecord | None:
        if _absent(prompt_id):
            return None
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(sql, prompt_id, *args)
            return (await self._with_grants(conn, [row]))[0] if row is not None else None

    async def set_grants(self, prompt_id: str, grants: list[dict]) -> PromptRecord | None:
        if _absent(prompt_id):
            return None
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"UPDATE inference_prompt SET updated_at = $2 WHERE id = $1 RETURNING {_COLUMNS}",
                prompt_id,
                now(),
            )
            if row is None:
                return None
            await conn.execute("DELETE FROM inference_prompt_access_grant WHERE prompt_id = $1", prompt_id)
            await self._insert_grants(conn, prompt_id, grants)
            return (await self._with_grants(conn, [row]))[0]

    async def set_active(self, prompt_id: str, active: bool) -> PromptRecord | None:
        return await self._change(
            f"UPDATE inference_prompt SET is_active = $2, updated_at = $3 WHERE id = $1 RETURNING {_COLUMNS}",
            prompt_id,
            active,
            now(),
        )

    async def apply_version(self, prompt_id: str, version_id: str) -> PromptRecord | None:
        """Makes a version of this prompt live: its snapshot's name, content, data, meta and tags
        (the command and grants stay). None when the prompt or that version of it is missing."""
        if _absent(prompt_id, version_id):
            return None
        columns = ", ".join(f"t.{c.strip()}" for c in _COLUMNS.split(","))
        return await self._change(
            "UPDATE inference_prompt t SET "
            "name = COALESCE(h.snapshot->>'name', t.name), "
            "content = COALESCE(h.snapshot->>'content', t.content), "
            "data = CASE WHEN jsonb_typeof(h.snapshot->'data') = 'object' "
            "THEN h.snapshot->'data' ELSE t.data END, "
            "meta = CASE WHEN jsonb_typeof(h.snapshot->'meta') = 'object' "
            "THEN h.snapshot->'meta' ELSE t.meta END, "
            "tags = CASE WHEN jsonb_typeof(h.snapshot->'tags') = 'array' THEN ARRAY(SELECT "
            "jsonb_array_elements_text(h.snapshot->'tags')) ELSE t.tags END, "
            "version_id = h.id, updated_at = $3 FROM inference_prompt_history h "
            f"WHERE t.id = $1 AND h.id = $2 AND h.prompt_id = t.id RETURNING {columns}",
            prompt_id,
            version_id,
            now(),
        )

    async def delete(self, prompt_id: str) -> bool:
        if _absent(prompt_id):
            return False
        status = await self._pool.execute("DELETE FROM inference_prompt WHERE id = $1", prompt_id)
        return status != "DELETE 0"

    async def latest_version_id(self, prompt_id: str) -> str | None:
        if _absent(prompt_id):
            return None
        return await self._pool.fetchval(
            "SELECT id FROM inference_prompt_history WHERE prompt_id = $1 ORDER BY seq DESC LIMIT 1",
            prompt_id,
        )

    async def list_versions(self, prompt_id: str, offset: int, limit: int) -> list[PromptVersion]:
        if _absent(prompt_id):
            return []
        rows = await self._pool.fetch(
            f"SELECT {_VERSION} FROM inference_prompt_history WHERE prompt_id = $1 "
            "ORDER BY seq DESC OFFSET $2 LIMIT $3",
            prompt_id,
            offset,
            limit,
        )
        return [_version(row) for row in rows]

    async def get_version(self, prompt_id: str, version_id: str) -> PromptVersion | None:
        if _absent(prompt_id, version_id):
            return None
        row = await self._pool.fetchrow(
            f"SELECT {_VERSION} FROM inference_prompt_history WHERE prompt_id = $1 AND id = $2",
            prompt_id,
            version_id,
        )
        return _version(row) if row is not None else None

    async def delete_version(self, prompt_id: str, version_id: str) -> bool:
        """Forgets a version; the versions made from it now count as made from its parent."""
        if _absent(prompt_id, version_id):
            return False
        async with self._pool.acquire() as conn, conn.transaction():
            parent = await conn.fetchrow(
                "DELETE FROM inference_prompt_history WHERE prompt_id = $1 AND id = $2 RETURNING parent_id",
                prompt_id,
                version_id,
            )
            if parent is None:
                return False
            await conn.execute(
                "UPDATE inference_prompt_history SET parent_id = $3 WHERE prompt_id = $1 AND parent_id = $2",
                prompt_id,
                version_id,
                parent["parent_id"],
            )
            return True
