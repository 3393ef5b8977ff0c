"""Workspace model storage on real PostgreSQL: rows, the catalog version bumped with each change, and
two replicas' catalogs seeing each other's writes."""

import asyncio

import asyncpg
import pytest

from services.common.identity import Identity
from services.inference.workspace.admin import ModelAdmin
from services.inference.workspace.catalog import WorkspaceCatalog
from services.inference.workspace.records import WorkspaceModel
from services.inference.workspace.repository import WorkspaceRepository

# Alice may create workspace models (``workspace.models``).
ALICE = Identity("alice", role="user", permissions=frozenset({"workspace.models"}))


async def no_base_models() -> list[dict]:
    return []


def model(model_id: str, **kw: object) -> WorkspaceModel:
    values: dict = dict(
        id=model_id,
        user_id="alice",
        base_model_id="llama3:latest",
        name="Helper",
        params={"system": "Be brief. ✓", "temperature": 0.5},
        meta={"profile_image_url": "/static/favicon.png", "tags": [{"name": "t"}]},
        access_grants=[{"principal_type": "user", "principal_id": "bob", "permission": "read"}],
        is_active=True,
        created_at=100,
        updated_at=100,
    )
    values.update(kw)
    return WorkspaceModel(**values)


@pytest.fixture
def pool(inference_pool: asyncpg.Pool) -> asyncpg.Pool:
    return inference_pool


async def test_rows_round_trip_and_every_change_bumps_the_version(pool: asyncpg.Pool) -> None:
    repo = WorkspaceRepository(pool)
    assert await repo.version() == 0
    assert await repo.insert(model("helper")) is True
    assert await repo.version() == 1
    assert await repo.get("helper") == model("helper")
    # A taken id changes nothing.
    assert await repo.insert(model("helper", name="Other")) is False
    assert await repo.version() == 1 and (await repo.get("helper")).name == "Helper"

    updated = await repo.update(
        "helper",
        base_model_id=None,
        name="Renamed",
        params={},
        meta={"description": "d"},
        is_active=False,
        access_grants=None,
        updated_at=200,
    )
    assert updated == model(
        "helper",
        base_model_id=None,
        name="Renamed",
        params={},
        meta={"description": "d"},
        is_active=False,
        updated_at=200,
    )
    assert await repo.version() == 2
    replaced = await repo.update(
        "helper",
        base_model_id="x",
        name="n",
        params={},
        meta={},
        is_active=True,
        access_grants=[],
        updated_at=201,
    )
    assert replaced is not None and replaced.access_grants == []
    assert (await repo.toggle("helper", 300)).is_active is False
    assert await repo.version() == 4
    assert await repo.delete("helper") is True
    assert await repo.version() == 5 and await repo.get("helper") is None

    # Changes to missing rows neither fail nor bump.
    missing = dict(base_model_id=None, name="n", params={}, meta={}, is_active=True, access_grants=None)
    assert await repo.update("nope", updated_at=1, **missing) is None
    assert await repo.toggle("nope", 1) is None
    assert await repo.delete("nope") is False
    assert await repo.version() == 5


async def test_presets_are_listed_newest_first_and_snapshot_has_every_row(pool: asyncpg.Pool) -> None:
    repo = WorkspaceRepository(pool)
    await repo.insert(model("old", created_at=1))
    await repo.insert(model("new", created_at=2))
    await repo.insert(model("override", base_model_id=None, created_at=3))
    assert [r.id for r in await repo.presets()] == ["new", "old"]
    version, rows = await repo.snapshot()
    assert version == 3 and sorted(rows) == ["new", "old", "override"]


async def test_a_replica_sees_another_replicas_write_after_the_ttl(
    database_url: str, pool: asyncpg.Pool
) -> None:
    other_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        here = WorkspaceCatalog(WorkspaceRepository(pool), ttl_s=0.05)
        there = WorkspaceCatalog(WorkspaceRepository(other_pool), ttl_s=0.05)
        admin_there = ModelAdmin(WorkspaceRepository(other_pool), there, no_base_models)
        assert await here.rows() == {} and await there.rows() == {}

        await admin_there.create(ALICE, {"id": "helper", "base_model_id": "m", "name": "H"})
        # The writer sees its change at once.
        assert list(await there.rows()) == ["helper"]
        # The other replica within a few ttl periods, without a request ever waiting on the database.
        for _ in range(100):
            if "helper" in await here.rows():
                break
            await asyncio.sleep(0.02)
        assert list(await here.rows()) == ["helper"]
        await here.close()
        await there.close()
    finally:
        await other_pool.close()


async def test_concurrent_creates_of_one_id_store_one_row(pool: asyncpg.Pool) -> None:
    repo = WorkspaceRepository(pool)
    results = await asyncio.gather(*(repo.insert(model("same", name=f"n{i}")) for i in range(6)))
    assert results.count(True) == 1
    assert await repo.version() == 1
