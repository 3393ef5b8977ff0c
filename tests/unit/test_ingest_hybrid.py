"""Hybrid search pieces: tokenising, weighted reciprocal rank fusion, BM25 ranking and its cache."""

from collections.abc import Sequence

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from services.ingest.hybrid import Bm25Cache, Bm25Index, fusion_weights, tokenize, weighted_rrf

TEXTS = [
    "The harbour survey found the old bridge sound.",
    "A survey of the harbour, the bridge and the canal basin.",
    "Otters sleep holding hands in the lower river.",
    "The secret anchor code is ZEBRA-4711.",
    "Budget figures for the harbour district, 2031.",
]
IDS = [101, 205, 307, 402, 555]


def test_tokenize_lower_cases_word_runs() -> None:
    assert tokenize("The ZEBRA-4711 code, isn't it?") == ["the", "zebra", "4711", "code", "isn", "t", "it"]
    assert tokenize("snake_case  Ünïcode Straße 東京") == ["snake_case", "ünïcode", "straße", "東京"]
    assert tokenize(" \n\t.,;") == []


def test_rrf_sums_weight_over_rank_plus_c() -> None:
    fused = dict(weighted_rrf([["a", "b", "c"], ["c", "d"]], [0.5, 0.5]))
    assert fused["a"] == pytest.approx(0.5 / 61)
    assert fused["b"] == pytest.approx(0.5 / 62)
    assert fused["c"] == pytest.approx(0.5 / 63 + 0.5 / 61)
    assert fused["d"] == pytest.approx(0.5 / 62)


def test_rrf_orders_best_first_and_ties_by_first_appearance() -> None:
    # b and x tie (rank 2 in one list each), as a and y (rank 1): the BM25 list's key comes first.
    assert [key for key, _ in weighted_rrf([["a", "b"], ["y", "x"]], [0.5, 0.5])] == ["a", "y", "b", "x"]
    # Weights decide between equal ranks.
    assert [key for key, _ in weighted_rrf([["a"], ["y"]], [0.3, 0.7])] == ["y", "a"]
    # A key in both lists beats keys in one.
    assert weighted_rrf([["a", "both"], ["both", "z"]], [0.5, 0.5])[0][0] == "both"


def test_rrf_edge_cases() -> None:
    assert weighted_rrf([[], []], [0.5, 0.5]) == []
    assert weighted_rrf([["a"]], [1.0], c=0) == [("a", 1.0)]
    with pytest.raises(ValueError):
        weighted_rrf([["a"]], [0.5, 0.5])


def test_fusion_weights_follow_open_webui() -> None:
    assert fusion_weights(0.5) == (0.5, 0.5)
    assert fusion_weights(0.3) == (0.3, 0.7)
    assert fusion_weights(0.0) == (0.0, 1.0)
    assert fusion_weights(1.0) == (1.0, 0.0)


def test_bm25_ranks_as_bm25okapi_over_matching_chunks() -> None:
    index = Bm25Index(IDS, TEXTS)
    model = BM25Okapi([tokenize(t) for t in TEXTS])
    query = "harbour bridge survey"
    scores = model.get_scores(tokenize(query))
    matching = [i for i, text in enumerate(TEXTS) if set(tokenize(text)) & set(tokenize(query))]
    expected = sorted(matching, key=lambda i: -scores[i])
    assert index.top(query, 10) == [IDS[i] for i in expected]
    assert index.top(query, 2) == [IDS[i] for i in expected[:2]]
    # Repeated query words count as BM25Okapi counts them.
    twice = model.get_scores(tokenize("bridge bridge canal"))
    got = index.top("bridge bridge canal", 10)
    assert got == [IDS[i] for i in sorted((0, 1), key=lambda i: -twice[i])]


def test_bm25_finds_exact_rare_words_and_nothing_for_unknown_ones() -> None:
    index = Bm25Index(IDS, TEXTS)
    assert index.top("What is zebra 4711?", 3)[0] == 402
    assert index.top("ZEBRA-4711", 3) == [402]
    assert index.top("completely unrelated words", 3) == []
    assert index.top("", 3) == []
    assert index.top("harbour", 0) == []


def test_bm25_small_and_empty_collections() -> None:
    # One chunk: BM25Okapi's idf is negative there, the chunk is still found.
    assert Bm25Index([7], ["only one chunk here"]).top("chunk", 3) == [7]
    # Two chunks, a word in one of them: idf is exactly 0, the chunk is still found.
    assert Bm25Index([1, 2], ["alpha beta", "gamma delta"]).top("gamma", 3) == [2]
    empty = Bm25Index([], [])
    assert empty.size == 0 and empty.top("anything", 3) == []
    assert Bm25Index([1], ["..."]).top("anything", 3) == []
    with pytest.raises(ValueError):
        Bm25Index([1, 2], ["one text"])


class FakeRepo:
    """Chunk texts per collection, counting loads."""

    def __init__(self, collections: dict[str, dict[int, str]]) -> None:
        self.collections = collections
        self.loads: list[str] = []

    async def collection_file_ids(self, name: str) -> list[str] | None:
        return [name] if name in self.collections else None

    async def chunk_texts(self, file_ids: Sequence[str]) -> tuple[list[int], list[str]]:
        self.loads.extend(file_ids)
        chunks = self.collections[file_ids[0]]
        return list(chunks), list(chunks.values())


async def test_cache_builds_once_per_version() -> None:
    repo = FakeRepo({"kb": dict(zip(IDS, TEXTS, strict=True))})
    cache = Bm25Cache(repo, max_chunks=100)  # type: ignore[arg-type]
    first = await cache.index("kb", 1)
    assert first is not None and first.size == 5
    assert await cache.index("kb", 1) is first
    assert repo.loads == ["kb"] and cache.builds == 1 and cache.held == {"kb": 1}

    repo.collections["kb"][900] = "a new chunk about zebras"
    second = await cache.index("kb", 2)
    assert second is not first and second is not None and second.size == 6
    assert repo.loads == ["kb", "kb"] and cache.held == {"kb": 2}
    assert second.top("zebras", 1) == [900]
    # An older version read by a slower search is served by the newer model.
    assert await cache.index("kb", 1) is second

    # Version 0: the collection is gone.
    assert await cache.index("kb", 0) is None
    assert cache.held == {}


async def test_cache_unknown_collection_and_size_limit() -> None:
    repo = FakeRepo(
        {
            "a": {1: "one two", 2: "three"},
            "b": {3: "four", 4: "five", 5: "six"},
            "big": {i: f"word{i}" for i in range(10, 20)},
        }
    )
    cache = Bm25Cache(repo, max_chunks=5)  # type: ignore[arg-type]
    assert await cache.index("missing", 1) is None and cache.held == {}
    await cache.index("a", 1)
    await cache.index("b", 1)
    assert cache.held == {"a": 1, "b": 1}
    await cache.index("a", 1)  # a is now the most recently used
    # Larger than the whole cache: built, used, not kept.
    big = await cache.index("big", 1)
    assert big is not None and big.top("word12", 1) == [12]
    assert cache.held == {"a": 1, "b": 1}
    repo.collections["c"] = {6: "seven"}
    await cache.index("c", 1)
    assert cache.held == {"a": 1, "c": 1}  # b, least recently used, dropped


def test_bm25_ids_are_returned_as_ints() -> None:
    got = Bm25Index(np.array([2**40, 3], dtype=np.int64), ["big id", "small id"]).top("big", 1)
    assert got == [2**40] and isinstance(got[0], int)
