"""The resolver's cache of tool rows, grants and user valves: served within the TTL, read again
after it, dropped at once by a change made through it, and never filled by a read that a change
overtook."""

import asyncio

import pytest

from services.common import errors
from services.common.identity import Identity
from services.inference.tools.cache import ToolCache
from services.inference.tools.modules import ToolModules
from services.inference.tools.python_tools import PythonToolResolver
from services.inference.tools.records import ToolRecord
from services.inference.tools.service import ToolService
from tests.unit.fake_tool_store import FakeToolStore

OWNER = Identity("user-1", "user")
OTHER = Identity("user-2", "user")
GRANT = {
    "id": "g1",
    "resource_type": "tool",
    "resource_id": "t",
    "principal_type": "user",
    "principal_id": OTHER.user_id,
    "permission": "read",
    "created_at": 0,
}
CODE = '''
class Tools:
    def noop(self) -> str:
        """Does nothing."""
        return "ok"
'''


class CountingStore(FakeToolStore):
    def __init__(self) -> None:
        super().__init__()
        self.valve_reads = 0

    async def get_user_valves(self, tool_id: str, user_id: str) -> dict | None:
        self.valve_reads += 1
        return await super().get_user_valves(tool_id, user_id)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def record(tool_id: str = "t", grants: list[dict] | None = None) -> ToolRecord:
    return ToolRecord(tool_id, OWNER.user_id, "T", CODE, [], {}, None, 1, 1, list(grants or []))


def build(ttl_s: float = 1.0) -> tuple[CountingStore, ToolCache, Clock]:
    store = CountingStore()
    clock = Clock()
    return store, ToolCache(store, ttl_s, clock=clock), clock


async def test_rows_are_served_from_memory_within_the_ttl_and_read_again_after():
    store, cache, clock = build()
    store.tools["t"] = record()
    assert list(await cache.records(["t", "absent"])) == ["t"]
    assert store.reads == 1
    clock.now += 0.9
    assert list(await cache.records(["t", "absent"])) == ["t"]
    assert store.reads == 1
    # Another replica changed it: seen once the TTL has passed.
    store.tools["t"] = record(grants=[GRANT])
    store.tools["absent"] = record("absent")
    clock.now += 0.1
    found = await cache.records(["t", "absent"])
    assert store.reads == 2
    assert found["t"].access_grants == [GRANT] and "absent" in found


async def test_only_the_expired_or_unknown_ids_are_read():
    store, cache, clock = build()
    store.tools["a"] = record("a")
    store.tools["b"] = record("b")
    await cache.records(["a"])
    clock.now += 0.5
    asked: list[list[str]] = []
    original = store.get_many

    async def get_many(ids):
        asked.append(list(ids))
        return await original(ids)

    store.get_many = get_many
    assert set(await cache.records(["a", "b", "b"])) == {"a", "b"}
    assert asked == [["b"]]


async def test_a_change_through_the_cache_is_seen_at_once():
    store, cache, _ = build(ttl_s=60.0)
    store.tools["t"] = record()
    await cache.records(["t"])
    await cache.set_grants("t", [GRANT])
    assert (await cache.records(["t"]))["t"].access_grants == [GRANT]
    await cache.set_valves("t", {"x": 1})
    assert (await cache.records(["t"]))["t"].valves == {"x": 1}
    await cache.delete("t")
    assert await cache.records(["t"]) == {}
    assert store.reads == 4


async def test_user_valves_are_cached_per_tool_and_user_and_dropped_on_change():
    store, cache, clock = build()
    store.tools["t"] = record()
    assert await cache.user_valves("t", "u1") is None
    assert await cache.user_valves("t", "u1") is None
    assert store.valve_reads == 1
    await cache.set_user_valves("t", "u1", {"k": "v"})
    assert await cache.user_valves("t", "u1") == {"k": "v"}
    assert await cache.user_valves("t", "u2") is None
    assert store.valve_reads == 3
    clock.now += 1.0
    await cache.user_valves("t", "u1")
    assert store.valve_reads == 4


async def test_a_read_overtaken_by_a_change_is_not_kept():
    store, cache, _ = build(ttl_s=60.0)
    store.tools["t"] = record()
    gate = asyncio.Event()
    original = store.get_many

    async def slow_get_many(ids):
        found = await original(ids)
        await gate.wait()
        return found

    store.get_many = slow_get_many
    reading = asyncio.create_task(cache.records(["t"]))
    await asyncio.sleep(0)
    await cache.set_grants("t", [GRANT])
    gate.set()
    stale = await reading
    assert stale["t"].access_grants == []
    store.get_many = original
    assert (await cache.records(["t"]))["t"].access_grants == [GRANT]


async def test_the_oldest_entries_go_past_the_bound():
    store = CountingStore()
    cache = ToolCache(store, 60.0, max_records=2, max_user_valves=1)
    for tool_id in ("a", "b", "c"):
        store.tools[tool_id] = record(tool_id)
        await cache.records([tool_id])
    await cache.records(["b", "c"])
    assert store.reads == 3
    await cache.records(["a"])
    assert store.reads == 4
    await cache.user_valves("a", "u1")
    await cache.user_valves("a", "u2")
    await cache.user_valves("a", "u1")
    assert store.valve_reads == 3


async def test_a_revoked_grant_refuses_the_resolver_at_once():
    store, cache, _ = build(ttl_s=60.0)
    rules = ToolService(cache, ToolModules(5.0))
    resolver = PythonToolResolver(cache, ToolModules(5.0), rules, 5.0)
    store.tools["t"] = record(grants=[GRANT])
    assert [tool.name for tool in await resolver.resolve(OTHER, ["t"])] == ["noop"]
    await resolver.resolve(OTHER, ["t"])
    assert store.reads == 1
    await cache.set_grants("t", [])
    with pytest.raises(errors.NotFound):
        await resolver.resolve(OTHER, ["t"])
