"""Scoped API keys on real PostgreSQL: migration 0006 turns each old key into `default`, and the
key repositories round-trip records, names and limits."""

import shutil
import time
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.auth.api_key_models import ApiKeyRecord
from services.auth.api_key_repository import KeyNameTakenError
from services.auth.postgres_api_keys import PostgresApiKeyRepository
from services.auth.postgres_repository import PostgresAuthRepository
from services.common.migrations import apply_migrations

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "auth" / "migrations"


def _copy(target: Path, upto: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if int(path.name[:4]) <= upto:
            shutil.copy(path, target / path.name)


async def _user(pool: asyncpg.Pool, user_id: str) -> None:
    now = int(time.time())
    await pool.execute(
        """INSERT INTO auth_user (id, name, email, role, profile_image_url, password_hash, session_stamp,
               created_at, updated_at, last_active_at)
           VALUES ($1, 'N', $2, 'user', '/user.png', 'x', 's', $3, $3, $3)""",
        user_id,
        f"{user_id}@example.com",
        now,
    )


async def test_existing_keys_become_the_default_key(database_url: str, tmp_path: Path) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        _copy(tmp_path / "m", 5)
        await apply_migrations(pool, "auth", tmp_path / "m")
        await _user(pool, "u1")
        await pool.execute(
            "INSERT INTO auth_api_key (user_id, key_hash, last4, created_at) VALUES ('u1', 'h1', 'abcd', 1)"
        )
        _copy(tmp_path / "m", 6)
        assert await apply_migrations(pool, "auth", tmp_path / "m") == [6]
        found = await PostgresAuthRepository(pool).get_api_key_user("h1")
        assert found is not None
        user, key = found
        assert user.id == "u1" and (key.name, key.kind, key.last4) == ("default", "full", "abcd")
        assert key.id and key.expires_at is None and key.model_ids == ()
    finally:
        await pool.close()


async def test_repository_round_trip(database_url: str, tmp_path: Path) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        await apply_migrations(pool, "auth", MIGRATIONS)
        await _user(pool, "u2")
        keys, auth = PostgresApiKeyRepository(pool), PostgresAuthRepository(pool)
        record = ApiKeyRecord(
            str(uuid.uuid4()), "u2", "ci", "chat", "wxyz", 10, expires_at=2**33, model_ids=("m1",)
        )
        assert await keys.insert_api_key(record, "hash-ci", max_keys=2)
        with pytest.raises(KeyNameTakenError):
            await keys.insert_api_key(
                ApiKeyRecord(str(uuid.uuid4()), "u2", "ci", "full", "0000", 11), "hash-2", 2
            )
        # The old single-key calls manage the key named default, beside the others.
        await auth.set_api_key("u2", "hash-default", "dddd")
        await auth.set_api_key("u2", "hash-default-2", "eeee")
        assert await auth.get_api_key_last4("u2") == "eeee"
        assert [k.name for k in await keys.list_api_keys("u2")] == ["ci", "default"]
        # The limit counts every key of the user.
        third = ApiKeyRecord(str(uuid.uuid4()), "u2", "third", "read", "3333", 12)
        assert not await keys.insert_api_key(third, "hash-3", max_keys=2)
        assert await keys.get_api_key("u2", record.id) == record
        assert await keys.get_api_key("someone-else", record.id) is None
        await auth.touch_api_key(record.id, 99)
        found = await auth.get_api_key_user("hash-ci")
        assert found is not None and found[1].last_used_at == 99 and found[1].model_ids == ("m1",)
        assert await keys.delete_api_key_by_id("u2", record.id)
        assert not await keys.delete_api_key_by_id("u2", record.id)
        await auth.delete_api_key("u2")
        assert await keys.list_api_keys("u2") == []
    finally:
        await pool.close()
