"""The JWT signing key: ``WEBUI_SECRET_KEY``, or one generated once and kept in Postgres.

Every auth replica must sign with the same key. When the environment sets none, the first replica to
start inserts a key (an existing ``DATA_DIR/.webui_secret_key`` from an older install, so that its
tokens stay valid, else a fresh random one) and every replica reads back whatever row won. The key is
never logged.
"""

import logging
import secrets
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

SECRET_FILE_NAME = ".webui_secret_key"

_INSERT = "INSERT INTO auth_secret_key (id, secret) VALUES (true, $1) ON CONFLICT (id) DO NOTHING"
_SELECT = "SELECT secret FROM auth_secret_key WHERE id"


def read_secret_file(path: Path) -> str | None:
    """The key an older install kept in ``path``, or None when there is none (missing or empty)."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return secret or None


async def shared_secret_key(pool: asyncpg.Pool, data_dir: Path) -> str:
    """The key stored in the database, stored first when no replica has done so yet.

    ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT``: replicas that start together all read the
    one row that was inserted first.
    """
    from_file = read_secret_file(data_dir / SECRET_FILE_NAME)
    candidate = from_file or secrets.token_urlsafe(32)
    async with pool.acquire() as conn:
        inserted = await conn.execute(_INSERT, candidate)
        stored = await conn.fetchval(_SELECT)
    if stored is None:
        raise RuntimeError("auth_secret_key holds no row after the insert")
    if inserted.endswith(" 1"):
        origin = f"{SECRET_FILE_NAME} in DATA_DIR" if from_file else "a newly generated key"
        log.info("WEBUI_SECRET_KEY is unset: stored %s in the database for every auth replica", origin)
    elif from_file is not None and from_file != stored:
        log.warning(
            "%s in DATA_DIR differs from the key stored in the database; signing with the database's",
            SECRET_FILE_NAME,
        )
    return stored
