"""Postgres access for functions and their per-user valves; every change bumps the catalog version."""

import time
from typing import Literal, Protocol

import asyncpg
import orjson

from services.inference.functions.records import FunctionRecord

Flag = Literal["is_active", "is_global"]

_COLUMNS = (
    "id, user_id, name, type, content, meta, valves, is_active, is_global, load_error, created_at, updated_at"
)
# Bumped in the same transaction as every change, so each replica's catalog sees it (see catalog.py).
_BUMP = "UPDATE inference_catalog_version SET version = version + 1 WHERE name = 'functions'"
_FLAGS: dict[str, str] = {"is_active": "is_active", "is_global": "is_global"}


def now() -> int:
    return int(time.time())


def _absent(function_id: str) -> bool:
    """Whether no row can have this id: text cannot hold NUL, and PostgreSQL refuses the parameter
    (an error, where a missing function is a plain answer)."""
    return "\x00" in function_id


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _record(row: asyncpg.Record) -> FunctionRecord:
    return FunctionRecord(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        type=row["type"],
        content=row["content"],
        meta=orjson.loads(row["meta"]),
        valves=orjson.loads(row["valves"]) if row["valves"] is not None else None,
        is_active=row["is_active"],
        is_global=row["is_global"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        load_error=row["load_error"],
    )


class FunctionStore(Protocol):
    """What the function admin and catalog need of storage (Postgres here, a dict in unit tests)."""

    async def list_all(self) -> list[FunctionRecord]: ...
    async def get(self, function_id: str) -> FunctionRecord | None: ...
    async def insert(self, record: FunctionRecord) -> bool: ...
    async def update_code(
        self, function_id: str, *, name: str, type: str, content: str, meta: dict
    ) -> FunctionRecord | None: ...
    async def mark_load_error(
        self, function_id: str, error: str, content: str | None = None
    ) -> FunctionRecord | None: ...
    async def toggle(self, function_id: str, flag: Flag) -> FunctionRecord | None: ...
    async def delete(self, function_id: str) -> bool: ...
    async def set_valves(self, function_id: str, valves: dict) -> FunctionRecord | None: ...
    async def get_user_valves(self, function_id: str, user_id: str) -> dict | None: ...
    async def set_user_valves(self, function_id: str, user_id: str, valves: dict) -> bool: ...
    async def user_valves_of(self, user_id: str) -> dict[str, dict]: ...
    async def version(self) -> int: ...
    async def active(self) -> tuple[int, list[FunctionRecord]]: ...


class FunctionRepository:
    """``inference_function`` and ``inference_function_user_valves`` over an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def list_all(self) -> list[FunctionRecord]:
        """Every function, most recently updated first."""
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM inference_function ORDER BY updated_at DESC, id"
        )
        return [_record(row) for row in rows]

    async def get(self, function_id: str) -> FunctionRecord | None:
        if _absent(function_id):
            return None
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM inference_function WHERE id = $1", function_id
        )
        return _record(row) if row is not None else None

    async def insert(self, record: FunctionRecord) -> bool:
        """Stores a new function; False when the id is taken."""
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "INSERT INTO inference_function (id, user_id, name, type, content, meta, valves, "
                "is_active, is_global, load_error, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12) "
                "ON CONFLICT (id) DO NOTHING",
                record.id,
                record.user_id,
                record.name,
                record.type,
                record.content,
                _json(record.meta),
                _json(record.valves) if record.valves is not None else None,
                record.is_active,
                record.is_global,
                record.load_error,
                record.created_at,
                record.updated_at,
            )
            if status != "INSERT 0 1":
                return False
            await conn.execute(_BUMP)
            return True

    async def _change(self, sql: str, function_id: str, *args: object) -> FunctionRecord | None:
        """Runs one ``UPDATE … WHERE id = $1 RETURNING`` and bumps the version when a row changed."""
        if _absent(function_id):
            return None
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(sql, function_id, *args)
            if row is None:
                return None
            await conn.execute(_BUMP)
            return _record(row)

    async def update_code(
        self, function_id: str, *, name: str, type: str, content: str, meta: dict
    ) -> FunctionRecord | None:
        """New code that loaded: the last load error is cleared."""
        return await self._change(
            "UPDATE inference_function SET name = $2, type = $3, content = $4, meta = $5::jsonb, "
            f"load_error = NULL, updated_at = $6 WHERE id = $1 RETURNING {_COLUMNS}",
            function_id,
            name,
            type,
            content,
            _json(meta),
            now(),
        )

    async def mark_load_error(
        self, function_id: str, error: str, content: str | None = None
    ) -> FunctionRecord | None:
        """Deactivates a function whose code failed to load. With ``content``, only if the stored
        code is still that code (another replica may have fixed it in the meantime)."""
        return await self._change(
            "UPDATE inference_function SET is_active = false, load_error = $2, updated_at = $3 "
            f"WHERE id = $1 AND ($4::text IS NULL OR content = $4) RETURNING {_COLUMNS}",
            function_id,
            error,
            now(),
            content,
        )

    async def toggle(self, function_id: str, flag: Flag) -> FunctionRecord | None:
        column = _FLAGS[flag]
        return await self._change(
            f"UPDATE inference_function SET {column} = NOT {column}, updated_at = $2 "
            f"WHERE id = $1 RETURNING {_COLUMNS}",
            function_id,
            now(),
        )

    async def delete(self, function_id: str) -> bool:
        if _absent(function_id):
            return False
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.execute("DELETE FROM inference_function WHERE id = $1", function_id)
            if status == "DELETE 0":
                return False
            await conn.execute(_BUMP)
            return True

    async def set_valves(self, function_id: str, valves: dict) -> FunctionRecord | None:
        return await self._change(
            "UPDATE inference_function SET valves = $2::jsonb, updated_at = $3 "
            f"WHERE id = $1 RETURNING {_COLUMNS}",
            function_id,
            _json(valves),
            now(),
        )

    async def get_user_valves(self, function_id: str, user_id: str) -> dict | None:
        if _absent(function_id):
            return None
        raw = await self._pool.fetchval(
            "SELECT valves FROM inference_function_user_valves WHERE function_id = $1 AND user_id = $2",
            function_id,
            user_id,
        )
        return orjson.loads(raw) if raw is not None else None

    async def set_user_valves(self, function_id: str, user_id: str, valves: dict) -> bool:
        """Stores one user's valves; False when the function no longer exists."""
        if _absent(function_id):
            return False
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO inference_function_user_valves (function_id, user_id, valves, updated_at) "
                    "VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (function_id, user_id) "
                    "DO UPDATE SET valves = EXCLUDED.valves, updated_at = EXCLUDED.updated_at",
                    function_id,
                    user_id,
                    _json(valves),
                    now(),
                )
                await conn.execute(_BUMP)
        except asyncpg.ForeignKeyViolationError:
            return False
        return True

    async def user_valves_of(self, user_id: str) -> dict[str, dict]:
        """All of one user's valves, by function id."""
        rows = await self._pool.fetch(
            "SELECT function_id, valves FROM inference_function_user_valves WHERE user_id = $1", user_id
        )
        return {row["function_id"]: orjson.loads(row["valves"]) for row in rows}

    async def version(self) -> int:
        value = await self._pool.fetchval(
            "SELECT version FROM inference_catalog_version WHERE name = 'functions'"
        )
        return int(value or 0)

    async def active(self) -> tuple[int, list[FunctionRecord]]:
        """The version and the active functions, read in one snapshot of the database."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            version = await conn.fetchval(
                "SELECT version FROM inference_catalog_version WHERE name = 'functions'"
            )
            rows = await conn.fetch(f"SELECT {_COLUMNS} FROM inference_function WHERE is_active ORDER BY id")
        return int(version or 0), [_record(row) for row in rows]
