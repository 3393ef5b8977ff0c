"""The FAISS memory cap: estimates, least-recently-searched eviction, reload after eviction."""

import asyncio

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from services.ingest.collections import CollectionIndexes
from services.ingest.index_memory import estimated_bytes, kind_for
from services.ingest.metrics import IngestMetrics
from services.ingest.models import CollectionChange
from services.ingest.vector_index import IndexParams

PARAMS = IndexParams(dimension=4, hnsw_threshold=1000, hnsw_m=8)
# 10 flat vectors of 4 floats: 10 * (16 + 9) bytes.
TEN = estimated_bytes("flat", 10, PARAMS)


class FakeRepo:
    """Collections ``c<i>`` of one file ``f<i>`` each, with ``sizes[i]`` vectors."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes = dict(sizes)
        self.versions = dict.fromkeys(sizes, 1)
        self.loads: list[str] = []
        self.gate: asyncio.Event | None = None

    async def collection_version(self, name: str) -> int:
        return self.versions.get(name, 0)

    async def collection_file_ids(self, name: str) -> list[str] | None:
        return [f"f-{name}"] if name in self.sizes else None

    async def file_vectors(self, file_ids: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        name = file_ids[0].removeprefix("f-")
        self.loads.append(name)
        if self.gate is not None:
            await self.gate.wait()
        n = self.sizes.get(name, 10)
        seed = sum(name.encode())
        vectors = np.random.default_rng(seed).standard_normal((n, 4)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = np.arange(seed * 1000, seed * 1000 + n, dtype=np.int64)
        return [file_ids[0]] * n, ids, vectors


class NullPublisher:
    async def change(self, change: CollectionChange) -> None:
        return None


def indexes(repo: FakeRepo, cap: int) -> CollectionIndexes:
    return CollectionIndexes(repo, PARAMS, NullPublisher(), "r1", memory_cap_bytes=cap)  # type: ignore[arg-type]


QUERY = np.array([[1.0, 0.0, 0.0, 0.0]], dtype=np.float32)


def test_estimates_match_the_kind() -> None:
    assert kind_for(1000, PARAMS) == "flat" and kind_for(1001, PARAMS) == "hnsw"
    assert estimated_bytes("flat", 10, PARAMS) == 10 * (4 * 4 + 9)
    # HNSW adds the level-0 graph (2·M int32) and its bookkeeping.
    assert estimated_bytes("hnsw", 10, PARAMS) == 10 * (4 * 4 + 9 + 8 * 2 * 4 + 16)
    assert estimated_bytes("flat", 0, PARAMS) == 0


async def test_least_recently_searched_copy_is_evicted() -> None:
    repo = FakeRepo({"a": 10, "b": 10, "c": 10})
    idx = indexes(repo, cap=2 * TEN)
    await idx.search("a", QUERY, 3)
    await idx.search("b", QUERY, 3)
    await idx.search("a", QUERY, 3)  # b is now the least recently searched
    await idx.search("c", QUERY, 3)
    assert list(idx.held) == ["a", "c"]
    memory = idx.memory
    assert memory.held_bytes == 2 * TEN and memory.cap_bytes == 2 * TEN and memory.evictions == 1
    assert idx.held_bytes == {"a": TEN, "c": TEN}


async def test_evicted_collection_reloads_with_the_same_hits() -> None:
    repo = FakeRepo({"a": 10, "b": 10})
    idx = indexes(repo, cap=TEN)
    first = await idx.search("a", QUERY, 5)
    await idx.search("b", QUERY, 5)
    assert list(idx.held) == ["b"]
    again = await idx.search("a", QUERY, 5)
    assert again == first
    assert repo.loads == ["a", "b", "a"]
    assert idx.memory.evictions == 2


async def test_no_cap_keeps_everything() -> None:
    repo = FakeRepo({name: 10 for name in "abcdef"})
    idx = indexes(repo, cap=0)
    for name in "abcdef":
        await idx.search(name, QUERY, 1)
    assert len(idx.held) == 6 and idx.memory.evictions == 0


async def test_a_collection_bigger_than_the_cap_is_held_alone() -> None:
    repo = FakeRepo({"small": 10, "big": 50})
    idx = indexes(repo, cap=2 * TEN)
    await idx.search("small", QUERY, 1)
    hits = await idx.search("big", QUERY, 3)
    assert len(hits[0]) == 3
    assert list(idx.held) == ["big"]
    # The next load drops it again.
    await idx.search("small", QUERY, 1)
    assert list(idx.held) == ["small"]


async def test_an_add_past_the_cap_evicts_others() -> None:
    repo = FakeRepo({"a": 10, "b": 10})
    idx = indexes(repo, cap=2 * TEN + 5)
    await idx.search("a", QUERY, 1)
    await idx.search("b", QUERY, 1)
    assert list(idx.held) == ["a", "b"]
    # Another file of 10 vectors joins "b".
    repo.versions["b"] = 2
    await idx.apply(CollectionChange("b", 2, "add", "f-b2", "r2"))
    assert idx.held == {"b": 20}
    assert idx.memory.evictions == 1


async def test_search_on_a_copy_evicted_meanwhile_still_answers() -> None:
    repo = FakeRepo({"a": 10, "b": 10})
    idx = indexes(repo, cap=TEN)
    copy = await idx.current("a")
    await idx.search("b", QUERY, 1)  # evicts a
    assert "a" not in idx.held
    hits = await idx.search_copy(copy, QUERY, 2)
    assert len(hits[0]) == 2


async def test_concurrent_searches_of_an_evicted_collection_load_it_once() -> None:
    repo = FakeRepo({"a": 10, "b": 10})
    idx = indexes(repo, cap=TEN)
    await idx.search("a", QUERY, 1)
    await idx.search("b", QUERY, 1)
    repo.gate = asyncio.Event()
    searches = [asyncio.create_task(idx.search("a", QUERY, 2)) for _ in range(3)]
    await asyncio.sleep(0.01)
    repo.gate.set()
    results = await asyncio.gather(*searches)
    assert all(r == results[0] for r in results)
    assert repo.loads == ["a", "b", "a"]


@pytest.mark.parametrize("cap", [1, TEN - 1])
async def test_tiny_caps_never_leave_two_copies(cap: int) -> None:
    repo = FakeRepo({name: 10 for name in "abcd"})
    idx = indexes(repo, cap=cap)
    for name in "abcdabcd":
        await idx.search(name, QUERY, 1)
        assert list(idx.held) == [name]
    assert idx.memory.evictions == 7


async def test_memory_metrics_follow_the_copies() -> None:
    repo = FakeRepo({"a": 10, "b": 10})
    idx = indexes(repo, cap=TEN)
    registry = CollectorRegistry()
    IngestMetrics(registry).watch_index_memory(lambda: idx.memory)
    assert registry.get_sample_value("webui_faiss_bytes") == 0
    assert registry.get_sample_value("webui_faiss_memory_cap_bytes") == TEN
    await idx.search("a", QUERY, 1)
    await idx.search("b", QUERY, 1)
    assert registry.get_sample_value("webui_faiss_bytes") == TEN
    assert registry.get_sample_value("webui_faiss_evictions_total") == 1
