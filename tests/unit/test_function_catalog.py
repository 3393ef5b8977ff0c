"""The function catalog: what the snapshot holds, when it reads the store, per-user valves."""

import asyncio

import pytest

from services.inference.functions.catalog import FunctionCatalog
from services.inference.functions.records import FunctionRecord
from tests.unit.fake_function_store import FakeFunctionStore

PIPE = """
from pydantic import BaseModel

class Pipe:
    class Valves(BaseModel):
        priority: int = 0
        prefix: str = ">"

    def pipe(self, body):
        return "x"
"""
FILTER = "class Filter:\n    def inlet(self, body):\n        return body\n"
BROKEN = "class Pipe(:\n"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(function_id: str, content: str = PIPE, *, active: bool = True, valves: dict | None = None):
    return FunctionRecord(
        id=function_id,
        user_id="admin",
        name=function_id,
        type="pipe",
        content=content,
        meta={},
        valves=valves,
        is_active=active,
        is_global=False,
        created_at=1,
        updated_at=1,
    )


def put(store: FakeFunctionStore, *records: FunctionRecord) -> None:
    """A change made elsewhere (another replica): rows and version, nothing told to the catalog."""
    for item in records:
        store.rows[item.id] = item
    store.version_value += 1


@pytest.fixture
def store() -> FakeFunctionStore:
    return FakeFunctionStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def catalog(store: FakeFunctionStore, clock: Clock) -> FunctionCatalog:
    return FunctionCatalog(store, ttl_s=5, clock=clock)


async def settle(catalog: FunctionCatalog) -> None:
    """Waits for a background revalidation (its loads run in worker threads) to finish."""
    task = catalog._revalidation
    if task is not None:
        await asyncio.wait_for(asyncio.shield(task), 5)


async def test_snapshot_holds_active_functions_that_load(catalog, store) -> None:
    put(store, record("p", valves={"priority": 3}), record("f", FILTER), record("off", active=False))
    snapshot = await catalog.snapshot()
    assert set(snapshot.functions) == {"p", "f"}
    assert [f.id for f in snapshot.of_type("filter")] == ["f"]
    pipe = snapshot.functions["p"]
    assert pipe.priority == 3 and pipe.valves.prefix == ">"
    assert snapshot.functions["f"].valves is None


async def test_a_function_that_fails_to_load_is_switched_off_with_the_reason(catalog, store) -> None:
    put(store, record("p"), record("bad", BROKEN))
    snapshot = await catalog.snapshot()
    assert set(snapshot.functions) == {"p"}
    bad = store.rows["bad"]
    assert bad.is_active is False and bad.load_error.startswith("SyntaxError")


async def test_snapshot_is_cached_within_the_ttl(catalog, store, clock) -> None:
    put(store, record("p"))
    first = await catalog.snapshot()
    clock.now += 4
    assert await catalog.snapshot() is first
    assert store.calls.get("active") == 1 and "version" not in store.calls


async def test_stale_snapshot_is_served_while_it_revalidates(catalog, store, clock) -> None:
    put(store, record("p"))
    first = await catalog.snapshot()
    put(store, record("q", FILTER))
    clock.now += 6
    # Past the TTL the old snapshot still answers at once; the check runs in the background.
    assert await catalog.snapshot() is first
    await settle(catalog)
    assert set((await catalog.snapshot()).functions) == {"p", "q"}


async def test_revalidation_with_an_unchanged_version_reads_no_rows(catalog, store, clock) -> None:
    put(store, record("p"))
    first = await catalog.snapshot()
    clock.now += 6
    await catalog.snapshot()
    await settle(catalog)
    assert await catalog.snapshot() is first
    assert store.calls["active"] == 1 and store.calls["version"] == 1


async def test_a_local_change_is_seen_at_once(catalog, store) -> None:
    put(store, record("p"))
    await catalog.snapshot()
    put(store, record("q", FILTER))
    catalog.changed()
    assert set((await catalog.snapshot()).functions) == {"p", "q"}


async def test_modules_are_reused_while_the_code_is_unchanged(catalog, store) -> None:
    put(store, record("p"))
    loaded = (await catalog.snapshot()).functions["p"].loaded
    put(store, record("p", valves={"prefix": "!"}))
    catalog.changed()
    again = (await catalog.snapshot()).functions["p"]
    assert again.loaded is loaded and again.valves.prefix == "!"
    put(store, record("p", PIPE + "\n# edited\n"))
    catalog.changed()
    assert (await catalog.snapshot()).functions["p"].loaded is not loaded


async def test_a_failed_revalidation_keeps_the_last_snapshot(catalog, store, clock) -> None:
    put(store, record("p"))
    first = await catalog.snapshot()

    async def down() -> int:
        raise OSError("database down")

    store.version = down
    clock.now += 6
    assert await catalog.snapshot() is first
    await settle(catalog)
    assert await catalog.snapshot() is first


async def test_disabled_catalog_is_empty_and_reads_nothing(store) -> None:
    put(store, record("p"))
    catalog = FunctionCatalog(store, ttl_s=5, enabled=False)
    assert (await catalog.snapshot()).functions == {}
    assert store.calls == {}


async def test_user_valves_are_cached_per_user(catalog, store, clock) -> None:
    put(store, record("p"))
    store.user_valves[("p", "u1")] = {"a": 1}
    assert await catalog.user_valves("u1", ["p", "q"]) == {"p": {"a": 1}, "q": {}}
    store.user_valves[("p", "u1")] = {"a": 2}
    assert await catalog.user_valves("u1", ["p"]) == {"p": {"a": 1}}
    catalog.forget_user_valves("u1")
    assert await catalog.user_valves("u1", ["p"]) == {"p": {"a": 2}}
    store.user_valves[("p", "u1")] = {"a": 3}
    clock.now += 6
    assert await catalog.user_valves("u1", ["p"]) == {"p": {"a": 3}}
    assert await catalog.user_valves("u2", ["p"]) == {"p": {}}


async def test_user_valves_cache_is_bounded(store) -> None:
    catalog = FunctionCatalog(store, ttl_s=60, max_cached_users=2)
    for user in ("a", "b", "c"):
        await catalog.user_valves(user, [])
    before = store.calls["user_valves_of"]
    await catalog.user_valves("a", [])
    assert store.calls["user_valves_of"] == before + 1
    await catalog.user_valves("c", [])
    assert store.calls["user_valves_of"] == before + 1


async def test_close_cancels_a_running_revalidation(catalog, store, clock) -> None:
    put(store, record("p"))
    await catalog.snapshot()
    gate = asyncio.Event()

    async def slow() -> int:
        await gate.wait()
        return 0

    store.version = slow
    clock.now += 6
    await catalog.snapshot()
    await catalog.close()
    assert catalog._revalidation is None
