"""Applies a service's numbered SQL migrations once, safely when replicas start together."""

import hashlib
import logging
import re
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    service    text   NOT NULL,
    version    int    NOT NULL,
    name       text   NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, version)
)
"""


def migration_files(directory: Path) -> list[tuple[int, Path]]:
    """The numbered ``NNNN_name.sql`` files of ``directory``, in order; other names are an error."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 0001_name.sql: {path.name}")
        found.append((int(match.group(1)), path))
    versions = [v for v, _ in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration numbers in {directory}")
    return found


# One lock for every service: they share schema_migrations, whose creation must not race.
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"webui:migrations").digest()[:8], "big", signed=True)


async def apply_migrations(pool: asyncpg.Pool, service: str, directory: Path) -> list[int]:
    """Applies what is not yet applied, each file in its own transaction; returns the versions run.

    A session-level advisory lock serialises replicas that start at the same moment: the second
    waits, then finds everything applied.
    """
    files = migration_files(directory)
    applied_now = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await conn.execute(_CREATE_TABLE)
            done = {
                r["version"]
                for r in await conn.fetch("SELECT version FROM schema_migrations WHERE service = $1", service)
            }
            for version, path in files:
                if version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text(encoding="utf-8"))
                    await conn.execute(
                        "INSERT INTO schema_migrations (service, version, name) VALUES ($1, $2, $3)",
                        service,
                        version,
                        path.name,
                    )
                log.info("applied migration %s/%s", service, path.name)
                applied_now.append(version)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
