"""Functions on real Postgres: the repository's SQL, version bumps, and two replicas' catalogs."""

import asyncio

import asyncpg
import pytest

from services.common.identity import Identity
from services.inference.functions.admin import FunctionAdmin
from services.inference.functions.catalog import FunctionCatalog
from services.inference.functions.records import FunctionRecord
from services.inference.functions.repository import FunctionRepository

ADMIN = Identity(user_id="admin-1", email="a@example.com", name="Admin", role="admin")
USER = Identity(user_id="user-1", email="u@example.com", name="User", role="user")

PIPE = """
from pydantic import BaseModel

class Pipe:
    class Valves(BaseModel):
        prefix: str = ">"

    class UserValves(BaseModel):
        loud: bool = False

    def pipe(self, body):
        return self.valves.prefix
"""


def record(
    function_id: str, *, updated_at: int = 100, active: bool = False, **meta: object
) -> FunctionRecord:
    return FunctionRecord(
        id=function_id,
        user_id="admin-1",
        name=f"{function_id} name",
        type="pipe",
        content=PIPE,
        meta={"description": "d", "manifest": {"title": "T"}, **meta},
        valves=None,
        is_active=active,
        is_global=False,
        created_at=100,
        updated_at=updated_at,
    )


@pytest.fixture
def pool(inference_pool: asyncpg.Pool) -> asyncpg.Pool:
    return inference_pool


@pytest.fixture
def repo(pool: asyncpg.Pool) -> FunctionRepository:
    return FunctionRepository(pool)


async def test_insert_get_and_list(repo) -> None:
    assert await repo.version() == 0
    assert await repo.insert(record("b", updated_at=100, extra={"nested": [1, "x"]}))
    assert await repo.insert(record("a", updated_at=200))
    assert not await repo.insert(record("a"))
    assert await repo.version() == 2
    got = await repo.get("b")
    assert got == record("b", updated_at=100, extra={"nested": [1, "x"]})
    assert await repo.get("missing") is None
    assert [r.id for r in await repo.list_all()] == ["a", "b"]


async def test_changes_bump_the_version_and_missing_rows_do_not(repo) -> None:
    await repo.insert(record("f"))
    version = await repo.version()

    toggled = await repo.toggle("f", "is_active")
    assert toggled.is_active is True and toggled.updated_at > 100
    assert (await repo.toggle("f", "is_global")).is_global is True
    assert (await repo.set_valves("f", {"prefix": "!"})).valves == {"prefix": "!"}
    updated = await repo.update_code("f", name="N", type="filter", content="x", meta={"manifest": {}})
    assert (updated.name, updated.type, updated.content, updated.meta) == (
        "N",
        "filter",
        "x",
        {"manifest": {}},
    )
    assert await repo.version() == version + 4

    assert await repo.toggle("missing", "is_active") is None
    assert await repo.set_valves("missing", {}) is None
    assert await repo.update_code("missing", name="", type="", content="", meta={}) is None
    assert not await repo.delete("missing")
    assert await repo.version() == version + 4


async def test_an_id_with_nul_is_a_missing_function_not_an_error(repo) -> None:
    version = await repo.version()
    for bad in ("\x00", "a\x00b"):
        assert await repo.get(bad) is None
        assert await repo.toggle(bad, "is_active") is None
        assert await repo.set_valves(bad, {}) is None
        assert await repo.update_code(bad, name="", type="", content="", meta={}) is None
        assert await repo.mark_load_error(bad, "e") is None
        assert not await repo.delete(bad)
        assert await repo.get_user_valves(bad, "u1") is None
        assert not await repo.set_user_valves(bad, "u1", {})
    assert await repo.version() == version


async def test_load_errors_switch_off_and_new_code_clears_them(repo) -> None:
    await repo.insert(record("f", active=True))
    # Conditional on the code the catalog tried: a fix stored meanwhile is not switched off.
    assert await repo.mark_load_error("f", "SyntaxError: x", content="other code") is None
    assert (await repo.get("f")).is_active is True
    marked = await repo.mark_load_error("f", "SyntaxError: x", content=PIPE)
    assert marked.is_active is False and marked.load_error == "SyntaxError: x"
    assert (await repo.mark_load_error("f", "again")).load_error == "again"
    cleared = await repo.update_code("f", name="n", type="pipe", content=PIPE, meta={})
    assert cleared.load_error is None and cleared.is_active is False


async def test_user_valves(repo) -> None:
    await repo.insert(record("f"))
    await repo.insert(record("g"))
    assert await repo.get_user_valves("f", "u1") is None
    version = await repo.version()
    assert await repo.set_user_valves("f", "u1", {"loud": True})
    assert await repo.set_user_valves("f", "u1", {"loud": False})
    assert await repo.set_user_valves("g", "u1", {})
    assert await repo.set_user_valves("f", "u2", {"loud": True})
    assert not await repo.set_user_valves("missing", "u1", {"loud": True})
    assert await repo.version() == version + 4
    assert await repo.get_user_valves("f", "u1") == {"loud": False}
    assert await repo.user_valves_of("u1") == {"f": {"loud": False}, "g": {}}
    # Deleting a function deletes everyone's valves of it.
    assert await repo.delete("f")
    assert await repo.user_valves_of("u1") == {"g": {}}
    assert await repo.user_valves_of("u2") == {}


async def test_active_reads_version_and_active_rows_together(repo) -> None:
    await repo.insert(record("on", active=True))
    await repo.insert(record("off"))
    version, rows = await repo.active()
    assert version == 2 and [r.id for r in rows] == ["on"]


async def test_a_change_through_one_replica_reaches_the_other(pool) -> None:
    """Two replicas, each with its own catalog: B serves its stale snapshot, then picks up A's change
    once its TTL has passed and the background check has run."""
    catalog_a = FunctionCatalog(FunctionRepository(pool), ttl_s=60)
    catalog_b = FunctionCatalog(FunctionRepository(pool), ttl_s=0.05)
    admin_a = FunctionAdmin(FunctionRepository(pool), catalog_a)
    try:
        assert (await catalog_b.snapshot()).functions == {}
        await admin_a.create(ADMIN, {"id": "echo", "name": "Echo", "content": PIPE, "meta": {}})
        await admin_a.toggle(ADMIN, "echo", "is_active")
        # A sees its own change at once.
        assert set((await catalog_a.snapshot()).functions) == {"echo"}
        await admin_a.update_valves(ADMIN, "echo", "admin", {"prefix": "!"})
        assert (await catalog_a.snapshot()).functions["echo"].valves.prefix == "!"
        deadline = asyncio.get_running_loop().time() + 5
        while "echo" not in (await catalog_b.snapshot()).functions:
            assert asyncio.get_running_loop().time() < deadline, "replica B never saw the change"
            await asyncio.sleep(0.02)
        assert (await catalog_b.snapshot()).functions["echo"].valves.prefix == "!"

        await admin_a.update_valves(USER, "echo", "user", {"loud": True})
        assert await catalog_a.user_valves(USER.user_id, ["echo"]) == {"echo": {"loud": True}}
        assert await admin_a.valves(USER, "echo", "user", spec=False) == {"loud": True}
    finally:
        await catalog_a.close()
        await catalog_b.close()


async def test_stored_code_that_no_longer_loads_is_switched_off_by_the_catalog(pool, repo) -> None:
    await repo.insert(record("good", active=True))
    broken = record("bad", active=True)
    await repo.insert(FunctionRecord(**{**broken.__dict__, "content": "class Pipe(:\n"}))
    catalog = FunctionCatalog(repo, ttl_s=60)
    assert set((await catalog.snapshot()).functions) == {"good"}
    bad = await repo.get("bad")
    assert bad.is_active is False and bad.load_error.startswith("SyntaxError")
