"""Postgres access for workspace models (table ``inference_model``); every change bumps the
``models`` row of ``inference_catalog_version`` in the same transaction."""

import asyncpg
import orjson

from services.inference.workspace.records import WorkspaceModel

CATALOG = "models"
_COLUMNS = "id, user_id, base_model_id, name, params, meta, access_grants, is_active, created_at, updated_at"


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _row(record: asyncpg.Record) -> WorkspaceModel:
    return WorkspaceModel(
        id=record["id"],
        user_id=record["user_id"],
        base_model_id=record["base_model_id"],
        name=record["name"],
        params=orjson.loads(record["params"]),
        meta=orjson.loads(record["meta"]),
        access_grants=orjson.loads(record["access_grants"]),
        is_active=record["is_active"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
    )


async def _bump(conn: asyncpg.Connection) -> None:
    await conn.execute("UPDATE inference_catalog_version SET version = version + 1 WHERE name = $1", CATALOG)


class WorkspaceRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def version(self) -> int:
        """The ``models`` catalog version (changes with every write)."""
        return await self._pool.fetchval(
            "SELECT version FROM inference_catalog_version WHERE name = $1", CATALOG
        )

    async def snapshot(self) -> tuple[int, dict[str, WorkspaceModel]]:
        """Every row, with the version they are at (read in one snapshot)."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            version = await conn.fetchval(
                "SELECT version FROM inference_catalog_version WHERE name = $1", CATALOG
            )
            records = await conn.fetch(f"SELECT {_COLUMNS} FROM inference_model")
        return version, {record["id"]: _row(record) for record in records}

    async def get(self, model_id: str) -> WorkspaceModel | None:
        if "\x00" in model_id:
            # No row has such an id (text cannot hold NUL), and PostgreSQL refuses the parameter.
            return None
        record = await self._pool.fetchrow(f"SELECT {_COLUMNS} FROM inference_model WHERE id = $1", model_id)
        return _row(record) if record is not None else None

    async def presets(self) -> list[WorkspaceModel]:
        """Rows with a base model, newest first (the workspace list)."""
        records = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM inference_model WHERE base_model_id IS NOT NULL "
            "ORDER BY created_at DESC, id"
        )
        return [_row(record) for record in records]

    async def insert(self, model: WorkspaceModel) -> bool:
        """Stores a new row; False when the id is taken."""
        async with self._pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                f"INSERT INTO inference_model ({_COLUMNS}) "
                "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10) "
                "ON CONFLICT (id) DO NOTHING RETURNING true",
                model.id,
                model.user_id,
                model.base_model_id,
                model.name,
                _json(model.params),
                _json(model.meta),
                _json(model.access_grants),
                model.is_active,
                model.created_at,
                model.updated_at,
            )
            if inserted:
                await _bump(conn)
        return bool(inserted)

    async def update(
        self,
        model_id: str,
        *,
        base_model_id: str | None,
        name: str,
        params: dict,
        meta: dict,
        is_active: bool,
        access_grants: list[dict] | None,
        updated_at: int,
    ) -> WorkspaceModel | None:
        """Replaces a row's fields (its grants only when ``access_grants`` is not None); None when
        the row is gone."""
        async with self._pool.acquire() as conn, conn.transaction():
            record = await conn.fetchrow(
                "UPDATE inference_model SET base_model_id = $2, name = $3, params = $4::jsonb, "
                "meta = $5::jsonb, is_active = $6, "
                "access_grants = COALESCE($7::jsonb, access_grants), updated_at = $8 "
                f"WHERE id = $1 RETURNING {_COLUMNS}",
                model_id,
                base_model_id,
                name,
                _json(params),
                _json(meta),
                is_active,
                _json(access_grants) if access_grants is not None else None,
                updated_at,
            )
            if record is not None:
                await _bump(conn)
        return _row(record) if record is not None else None

    async def toggle(self, model_id: str, updated_at: int) -> WorkspaceModel | None:
        """Flips ``is_active``; None when the row is gone."""
        async with self._pool.acquire() as conn, conn.transaction():
            record = await conn.fetchrow(
                "UPDATE inference_model SET is_active = NOT is_active, updated_at = $2 "
                f"WHERE id = $1 RETURNING {_COLUMNS}",
                model_id,
                updated_at,
            )
            if record is not None:
                await _bump(conn)
        return _row(record) if record is not None else None

    async def delete(self, model_id: str) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            deleted = await conn.fetchval(
                "DELETE FROM inference_model WHERE id = $1 RETURNING true", model_id
            )
            if deleted:
                await _bump(conn)
        return bool(deleted)
