"""The exact-query embedding cache: bounded, least recently used out first, entries read-only."""

import numpy
import pytest

from services.ingest.query_cache import QueryCache


def vector(value: float) -> numpy.ndarray:
    return numpy.full(4, value, dtype=numpy.float32)


def test_hits_return_the_stored_vector_and_misses_none() -> None:
    cache = QueryCache(2)
    assert cache.get("q") is None
    cache.put("q", vector(1))
    numpy.testing.assert_array_equal(cache.get("q"), vector(1))


def test_least_recently_used_goes_first() -> None:
    cache = QueryCache(2)
    cache.put("a", vector(1))
    cache.put("b", vector(2))
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.put("c", vector(3))
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_entries_are_copies_and_read_only() -> None:
    cache = QueryCache(1)
    source = vector(1)
    cache.put("q", source)
    source[:] = 5
    stored = cache.get("q")
    assert stored is not None
    numpy.testing.assert_array_equal(stored, vector(1))
    with pytest.raises(ValueError):
        stored[0] = 9


def test_zero_capacity_keeps_nothing() -> None:
    cache = QueryCache(0)
    cache.put("q", vector(1))
    assert cache.get("q") is None and len(cache) == 0
