"""The scoped API keys on Postgres (table auth_api_key, migration 0006)."""

import asyncpg

from services.auth.api_key_models import ApiKeyRecord
from services.auth.api_key_repository import KeyNameTakenError

KEY_COLUMNS = (
    "id, user_id, name, kind, last4, created_at, expires_at, last_used_at, model_ids, knowledge_ids, file_ids"
)
# Serialises key creation per user, so that the per-user limit holds across replicas.
_KEYS_LOCK = 73_902_113


def key_record(row: asyncpg.Record, prefix: str = "") -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row[prefix + "id"],
        user_id=row[prefix + "user_id"],
        name=row[prefix + "name"],
        kind=row[prefix + "kind"],
        last4=row[prefix + "last4"],
        created_at=row[prefix + "created_at"],
        expires_at=row[prefix + "expires_at"],
        last_used_at=row[prefix + "last_used_at"],
        model_ids=tuple(row[prefix + "model_ids"]),
        knowledge_ids=tuple(row[prefix + "knowledge_ids"]),
        file_ids=tuple(row[prefix + "file_ids"]),
    )


class PostgresApiKeyRepository:
    """ApiKeyRepository on an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def insert_api_key(self, record: ApiKeyRecord, key_hash: str, max_keys: int) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _KEYS_LOCK, record.user_id)
            held = await conn.fetchval("SELECT count(*) FROM auth_api_key WHERE user_id = $1", record.user_id)
            if held >= max_keys:
                return False
            try:
                await conn.execute(
                    """INSERT INTO auth_api_key (id, user_id, name, kind, key_hash, last4, created_at,
                           expires_at, model_ids, knowledge_ids, file_ids)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                    record.id,
                    record.user_id,
                    record.name,
                    record.kind,
                    key_hash,
                    record.last4,
                    record.created_at,
                    record.expires_at,
                    list(record.model_ids),
                    list(record.knowledge_ids),
                    list(record.file_ids),
                )
            except asyncpg.UniqueViolationError:
                raise KeyNameTakenError() from None
        return True

    async def list_api_keys(self, user_id: str) -> list[ApiKeyRecord]:
        rows = await self._pool.fetch(
            f"SELECT {KEY_COLUMNS} FROM auth_api_key WHERE user_id = $1 ORDER BY created_at, name", user_id
        )
        return [key_record(row) for row in rows]

    async def get_api_key(self, user_id: str, key_id: str) -> ApiKeyRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {KEY_COLUMNS} FROM auth_api_key WHERE user_id = $1 AND id = $2", user_id, key_id
        )
        return key_record(row) if row else None

    async def delete_api_key_by_id(self, user_id: str, key_id: str) -> bool:
        result = await self._pool.execute(
            "DELETE FROM auth_api_key WHERE user_id = $1 AND id = $2", user_id, key_id
        )
        return result.endswith(" 1")
