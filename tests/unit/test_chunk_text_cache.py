"""Search's chunk-text cache: hits read from Postgres once, bounded, metadata parsed per call."""

import asyncio

from services.ingest.chunk_text_cache import ChunkTextCache

ROWS = {i: (f"text {i}", f'{{"source": "f{i}"}}') for i in range(1, 101)}


class FakePool:
    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    async def fetch(self, sql: str, ids: list[int]) -> list[dict]:
        self.calls.append(list(ids))
        return [{"id": i, "text": ROWS[i][0], "metadata": ROWS[i][1]} for i in ids if i in ROWS]


async def test_hits_are_read_once_and_unknown_ids_left_out() -> None:
    pool = FakePool()
    cache = ChunkTextCache(pool, 2**20)  # type: ignore[arg-type]
    first = await cache.chunks([3, 1, 999])
    assert first == {3: ("text 3", {"source": "f3"}), 1: ("text 1", {"source": "f1"})}
    second = await cache.chunks([1, 2])
    assert second == {1: ("text 1", {"source": "f1"}), 2: ("text 2", {"source": "f2"})}
    assert pool.calls == [[3, 1, 999], [2]]
    # Each call gets metadata of its own: a caller changing it changes nothing held.
    second[1][1]["source"] = "changed"
    assert (await cache.chunks([1]))[1][1] == {"source": "f1"}


async def test_least_recently_used_texts_go_beyond_the_budget() -> None:
    pool = FakePool()
    cache = ChunkTextCache(pool, 3 * 330)  # type: ignore[arg-type]
    await cache.chunks([1, 2, 3])
    await cache.chunks([1])
    await cache.chunks([4])
    assert len(cache) <= 3 and cache.held_bytes <= 3 * 330
    pool.calls.clear()
    await cache.chunks([1, 4])
    assert pool.calls == []
    await cache.chunks([2])
    assert pool.calls == [[2]]


async def test_a_collection_is_read_in_once_per_version() -> None:
    pool = FakePool()
    cache = ChunkTextCache(pool, 2**20)  # type: ignore[arg-type]
    cache.warm("k", 1, iter(range(1, 51)), 50)
    cache.warm("k", 1, iter(range(1, 51)), 50)
    for _ in range(5):
        await asyncio.sleep(0)
    assert pool.calls == [list(range(1, 51))]
    await cache.chunks(list(range(1, 51)))
    assert len(pool.calls) == 1
    # A new version reads only what is not held.
    cache.warm("k", 2, iter(range(1, 61)), 60)
    for _ in range(5):
        await asyncio.sleep(0)
    assert pool.calls[1:] == [list(range(51, 61))]
    # Too big for half the budget: not read in.
    small = ChunkTextCache(pool, 4000)  # type: ignore[arg-type]
    small.warm("k", 1, iter(range(1, 51)), 50)
    await asyncio.sleep(0)
    assert len(pool.calls) == 2
