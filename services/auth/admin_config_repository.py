"""The admin config's one row in PostgreSQL (auth_admin_config)."""

import json

import asyncpg


class PostgresAdminConfigStore:
    """Stored admin config values; a key never stored takes the environment's value."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def load(self) -> dict:
        raw = await self._pool.fetchval("SELECT config::text FROM auth_admin_config WHERE id")
        return json.loads(raw) if raw else {}

    async def merge(self, changes: dict) -> dict:
        # One statement: concurrent updates from several replicas each land whole (jsonb `||`
        # merges key by key), and no read-modify-write window exists.
        raw = await self._pool.fetchval(
            """INSERT INTO auth_admin_config (id, config, updated_at) VALUES (true, $1::jsonb, now())
               ON CONFLICT (id) DO UPDATE
               SET config = auth_admin_config.config || EXCLUDED.config, updated_at = now()
               RETURNING config::text""",
            json.dumps(changes),
        )
        return json.loads(raw)
