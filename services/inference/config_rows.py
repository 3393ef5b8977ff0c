"""A configuration an admin changes at run time, kept as the one row of its table so that every
replica reads the same (the task configuration, the chat configuration)."""

import time
from typing import Literal, Protocol

import asyncpg
import orjson

# The tables such a row lives in (their names are never caller text).
ConfigTable = Literal["inference_task_config", "inference_chat_config"]


class ConfigRows(Protocol):
    async def load(self) -> dict | None: ...

    async def save(self, config: dict) -> None: ...


class ConfigRowRepository:
    """The one row (``id = true``) of ``table``: a JSON object."""

    def __init__(self, pool: asyncpg.Pool, table: ConfigTable) -> None:
        self._pool = pool
        self._table = table

    async def load(self) -> dict | None:
        raw = await self._pool.fetchval(f"SELECT config FROM {self._table} WHERE id")
        if raw is None:
            return None
        stored = orjson.loads(raw)
        return stored if isinstance(stored, dict) else None

    async def save(self, config: dict) -> None:
        await self._pool.execute(
            f"INSERT INTO {self._table} (id, config, updated_at) VALUES (true, $1::jsonb, $2) "
            "ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, updated_at = EXCLUDED.updated_at",
            orjson.dumps(config).decode(),
            int(time.time()),
        )
