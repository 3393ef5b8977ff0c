"""The migrations runner on real PostgreSQL: once only, also when replicas start together."""

import asyncio
from pathlib import Path

import asyncpg

from services.common.migrations import apply_migrations


def write(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(sql)


async def test_concurrent_replicas_apply_each_migration_once(database_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "m"
    write(
        migrations,
        "0001_create.sql",
        "CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0);",
    )
    write(migrations, "0002_bump.sql", "UPDATE counter SET n = n + 1;")
    pools = [await asyncpg.create_pool(database_url, min_size=1, max_size=2) for _ in range(4)]
    try:
        results = await asyncio.gather(*(apply_migrations(p, "demo", migrations) for p in pools))
        assert sorted(results) == [[], [], [], [1, 2]]
        assert await pools[0].fetchval("SELECT n FROM counter") == 1
        write(migrations, "0003_bump_again.sql", "UPDATE counter SET n = n + 10;")
        assert await apply_migrations(pools[1], "demo", migrations) == [3]
        assert await pools[0].fetchval("SELECT n FROM counter") == 11
    finally:
        for pool in pools:
            await pool.close()


async def test_failed_migration_is_rolled_back(database_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "m"
    write(migrations, "0001_bad.sql", "CREATE TABLE half (id int); SELECT no_such_function();")
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        try:
            await apply_migrations(pool, "broken", migrations)
        except asyncpg.PostgresError:
            pass
        else:
            raise AssertionError("the bad migration should fail")
        assert await pool.fetchval("SELECT to_regclass('half')") is None
        assert await pool.fetchval("SELECT count(*) FROM schema_migrations WHERE service = 'broken'") == 0
    finally:
        await pool.close()
