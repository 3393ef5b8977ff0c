"""Postgres access for Python tools, their versions, access grants and per-user valves."""

import time
from collections.abc import Sequence
from typing import Protocol

import asyncpg
import orjson

from services.inference.grant_rows import grant_dict
from services.inference.tools.records import ToolRecord, ToolVersion

_COLUMNS = "id, user_id, name, content, specs, meta, valves, created_at, updated_at, version_id"
_VERSION = "id, tool_id, parent_id, user_id, commit_message, name, content, specs, meta, created_at"
_GRANT = "id, tool_id, principal_type, principal_id, permission, created_at"


def now() -> int:
    return int(time.time())


def _absent(tool_id: str) -> bool:
    """No row can have an id holding NUL, and PostgreSQL refuses such a parameter."""
    return "\x00" in tool_id


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _record(row: asyncpg.Record, grants: list[dict]) -> ToolRecord:
    return ToolRecord(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        content=row["content"],
        specs=orjson.loads(row["specs"]),
        meta=orjson.loads(row["meta"]),
        valves=orjson.loads(row["valves"]) if row["valves"] is not None else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        access_grants=grants,
        version_id=row["version_id"],
    )


def _version(row: asyncpg.Record) -> ToolVersion:
    return ToolVersion(
        id=row["id"],
        tool_id=row["tool_id"],
        parent_id=row["parent_id"],
        user_id=row["user_id"],
        commit_message=row["commit_message"],
        name=row["name"],
        content=row["content"],
        specs=orjson.loads(row["specs"]),
        meta=orjson.loads(row["meta"]),
        created_at=row["created_at"],
    )


class ToolStore(Protocol):
    """What the tool rules and the resolver need of storage (Postgres here, a dict in unit tests)."""

    async def list_visible(self, user_id: str | None, group_ids: Sequence[str] = ()) -> list[ToolRecord]: ...
    async def get(self, tool_id: str) -> ToolRecord | None: ...
    async def get_many(self, tool_ids: Sequence[str]) -> list[ToolRecord]: ...
    async def insert(self, record: ToolRecord, version: ToolVersion | None = None) -> bool: ...
    async def update_code(
        self,
        tool_id: str,
        *,
        name: str,
        content: str,
        specs: list,
        meta: dict,
        version: ToolVersion | None = None,
    ) -> ToolRecord | None: ...
    async def set_grants(self, tool_id: str, grants: list[dict]) -> ToolRecord | None: ...
    async def delete(self, tool_id: str) -> bool: ...
    async def set_valves(self, tool_id: str, valves: dict) -> ToolRecord | None: ...
    async def get_user_valves(self, tool_id: str, user_id: str) -> dict | None: ...
    async def set_user_valves(self, tool_id: str, user_id: str, valves: dict) -> bool: ...
    async def list_versions(self, tool_id: str, offset: int, limit: int) -> list[ToolVersion]: ...
    async def get_version(self, tool_id: str, version_id: str) -> ToolVersion | None: ...
    async def delete_version(self, tool_id: str, version_id: str) -> bool: ...
    async def apply_version(self, tool_id: str, version_id: str) -> ToolRecord | None: ...


class ToolRepository:
    """``inference_tool``, ``inference_tool_access_grant`` and ``inference_tool_user_valves``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def _with_grants(self, conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[ToolRecord]:
        if not rows:
            return []
        grant_rows = await conn.fetch(
            f"SELECT {_GRANT} FROM inference_tool_access_grant WHERE tool_id = ANY($1::text[]) "
            "ORDER BY tool_id, position",
            [row["id"] for row in rows],
        )
        grants: dict[str, list[dict]] = {}
        for grant in grant_rows:
            grants.setdefault(grant["tool_id"], []).append(grant_dict(grant, "tool", "tool_id"))
        return [_record(row, grants.get(row["id"], [])) for row in rows]

    async def list_visible(self, user_id: str | None, group_ids: Sequence[str] = ()) -> list[ToolRecord]:
        """Every tool (``user_id`` None), or those a user owns or holds a grant on (to them, to
        everyone or to one of ``group_ids``, their effective groups), most recently updated first.
        The caller applies the rules (``services.common.access``)."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            if user_id is None:
                rows = await conn.fetch(f"SELECT {_COLUMNS} FROM inference_tool ORDER BY updated_at DESC, id")
            else:
                rows = await conn.fetch(
                    f"SELECT {_COLUMNS} FROM inference_tool t WHERE t.user_id = $1 OR EXISTS "
                    "(SELECT 1 FROM inference_tool_access_grant g WHERE g.tool_id = t.id "
                    "AND ((g.principal_type = 'user' AND g.principal_id IN ($1, '*')) "
                    "OR (g.principal_type = 'group' AND g.principal_id = ANY($2::text[])))) "
                    "ORDER BY updated_at DESC, id",
                    user_id,
                    list(group_ids),
                )
            return await self._with_grants(conn, rows)

    async def get(self, tool_id: str) -> ToolRecord | None:
        found = await self.get_many([tool_id])
        return found[0] if found else None

    async def get_many(self, tool_ids: Sequence[str]) -> list[ToolRecord]:
        """The tools of these ids that exist, in no particular order."""
        ids = [tool_id for tool_id in tool_ids if not _absent(tool_id)]
        if not ids:
            return []
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            rows = await conn.fetch(f"SELECT {_COLUMNS} FROM inference_tool WHERE id = ANY($1::text[])", ids)
            return await self._with_grants(conn, rows)

    async def insert(self, record: ToolRecord, version: ToolVersion | None = None) -> bool:
        """Stores a new tool with its grants and its first version; False when the id is taken."""
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "INSERT INTO inference_tool (id, user_id, name, content, specs, meta, valves, created_at, "
                "updated_at, version_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, "
                "$10) ON CONFLICT (id) DO NOTHING",
                record.id,
                record.user_id,
                record.name,
                record.content,
                _json(record.specs),
                _json(record.meta),
                _json(record.valves) if record.valves is not None else None,
                record.created_at,
                record.updated_at,
                version.id if version is not None else record.version_id,
            )
            if status != "INSERT 0 1":
                return False
            await self._insert_grants(conn, record.id, record.access_grants)
            if version is not None:
                await self._insert_version(conn, version)
            return True

    @staticmethod
    async def _insert_version(conn: asyncpg.Connection, version: ToolVersion) -> None:
        await conn.execute(
            f"INSERT INTO inference_tool_history ({_VERSION}) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)",
            version.id,
            version.tool_id,
            version.parent_id,
            version.user_id,
            version.commit_message,
            version.name,
            version.content,
            _json(version.specs),
            _json(version.meta),
            version.created_at,
        )

    @staticmethod
    async def _insert_grants(conn: asyncpg.Connection, tool_id: str, grants: list[dict]) -> None:
        await conn.executemany(
            f"INSERT INTO inference_tool_access_grant ({_GRANT}, position) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (
                    g["id"],
                    tool_id,
                    g["principal_type"],
                    g["principal_id"],
                    g["permission"],
                    g["created_at"],
                    i,
                )
                for i, g in enumerate(grants)
            ],
        )

    async def _change(self, sql: str, tool_id: str, *args: object) -> ToolRecord | None:
        if _absent(tool_id):
            return None
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(sql, tool_id, *args)
            if row is None:
                return None
            return (await self._with_grants(conn, [row]))[0]

    async def update_code(
        self,
        tool_id: str,
        *,
        name: str,
        content: str,
        specs: list,
        meta: dict,
        version: ToolVersion | None = None,
    ) -> ToolRecord | None:
        """New code, name and meta; with ``version`` stored as the tool's new current version."""
        if _absent(tool_id):
            return None
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "UPDATE inference_tool SET name = $2, content = $3, specs = $4::jsonb, meta = $5::jsonb, "
                f"updated_at = $6, version_id = COALESCE($7, version_id) WHERE id = $1 RETURNING {_COLUMNS}",
                tool_id,
                name,
                content,
                _json(specs),
                _json(meta),
                now(),
                version.id if version is not None else None,
            )
            if row is None:
                return None
            if version is not None:
                await self._insert_version(conn, version)
            return (await self._with_grants(conn, [row]))[0]

    async def list_versions(self, tool_id: str, offset: int, limit: int) -> list[ToolVersion]:
        """A tool's versions, newest first."""
        if _absent(tool_id):
            return []
        rows = await self._pool.fetch(
            f"SELECT {_VERSION} FROM inference_tool_history WHERE tool_id = $1 "
            "ORDER BY seq DESC OFFSET $2 LIMIT $3",
            tool_id,
            offset,
            limit,
        )
        return [_version(row) for row in rows]

    async def get_version(self, tool_id: str, version_id: str) -> ToolVersion | None:
        if _absent(tool_id) or _absent(version_id):
            return None
        row = await self._pool.fetchrow(
            f"SELECT {_VERSION} FROM inference_tool_history WHERE tool_id = $1 AND id = $2",
            tool_id,
            version_id,
        )
        return _version(row) if row is not None else None

    async def delete_version(self, tool_id: str, version_id: str) -> bool:
        """Forgets a version; the versions made from it now count as made from its parent."""
        if _absent(tool_id) or _absent(version_id):
            return False
        async with self._pool.acquire() as conn, conn.transaction():
            parent = await conn.fetchrow(
                "DELETE FROM inference_tool_history WHERE tool_id = $1 AND id = $2 RETURNING parent_id",
                tool_id,
                version_id,
            )
            if parent is None:
                return False
            await conn.execute(
                "UPDATE inference_tool_history SET parent_id = $3 WHERE tool_id = $1 AND parent_id = $2",
                tool_id,
                version_id,
                parent["parent_id"],
            )
            return True

    async def apply_version(self, tool_id: str, version_id: str) -> ToolRecord | None:
        """Makes a stored version the tool's name, code, specs and meta and its current version;
        None when the tool or that version of it does not exist."""
        if _absent(tool_id) or _absent(version_id):
            return None
        columns = ", ".join(f"t.{c.strip()}" for c in _COLUMNS.split(","))
        return await self._change(
            "UPDATE inference_tool t SET name = h.name, content = h.content, specs = h.specs, "
            "meta = h.meta, version_id = h.id, updated_at = $3 FROM inference_tool_history h "
            f"WHERE t.id = $1 AND h.id = $2 AND h.tool_id = t.id RETURNING {columns}",
            tool_id,
            version_id,
            now(),
        )

    async def set_grants(self, tool_id: str, grants: list[dict]) -> ToolRecord | None:
        """Replaces a tool's grants; None when the tool does not exist."""
        if _absent(tool_id):
            return None
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"UPDATE inference_tool SET updated_at = $2 WHERE id = $1 RETURNING {_COLUMNS}",
                tool_id,
                now(),
            )
            if row is None:
                return None
            await conn.execute("DELETE FROM inference_tool_access_grant WHERE tool_id = $1", tool_id)
            await self._insert_grants(conn, tool_id, grants)
            return (await self._with_grants(conn, [row]))[0]

    async def delete(self, tool_id: str) -> bool:
        if _absent(tool_id):
            return False
        status = await self._pool.execute("DELETE FROM inference_tool WHERE id = $1", tool_id)
        return status != "DELETE 0"

    async def set_valves(self, tool_id: str, valves: dict) -> ToolRecord | None:
        return await self._change(
            "UPDATE inference_tool SET valves = $2::jsonb, updated_at = $3 "
            f"WHERE id = $1 RETURNING {_COLUMNS}",
            tool_id,
            _json(valves),
            now(),
        )

    async def get_user_valves(self, tool_id: str, user_id: str) -> dict | None:
        if _absent(tool_id):
            return None
        raw = await self._pool.fetchval(
            "SELECT valves FROM inference_tool_user_valves WHERE tool_id = $1 AND user_id = $2",
            tool_id,
            user_id,
        )
        return orjson.loads(raw) if raw is not None else None

    async def set_user_valves(self, tool_id: str, user_id: str, valves: dict) -> bool:
        """Stores one user's valves; False when the tool no longer exists."""
        if _absent(tool_id):
            return False
        try:
            await self._pool.execute(
                "INSERT INTO inference_tool_user_valves (tool_id, user_id, valves, updated_at) "
                "VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (tool_id, user_id) "
                "DO UPDATE SET valves = EXCLUDED.valves, updated_at = EXCLUDED.updated_at",
                tool_id,
                user_id,
                _json(valves),
                now(),
            )
        except asyncpg.ForeignKeyViolationError:
            return False
        return True
