"""VectorIndex: exact flat search, HNSW past the threshold, replacement, removal, compaction, recall."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import faiss
import numpy as np
import pytest

from bench.clustered_vectors import cluster_centres, clustered_vectors, unit_rows
from services.ingest.vector_index import IndexParams, VectorIndex

DIM = 32
# A tiny threshold makes HNSW indexes small enough for fast tests.
SMALL = IndexParams(dimension=DIM, hnsw_threshold=50)


def random_unit(rng: np.random.Generator, count: int, dimension: int = DIM) -> np.ndarray:
    return unit_rows(rng.standard_normal((count, dimension), dtype=np.float32))


def sparse_ids(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct, shuffled ids with gaps, as bigserial chunk ids after deletions."""
    return rng.choice(10**12, size=count, replace=False).astype(np.int64)


def exact(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vectors @ query
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def assert_well_formed(
    rows: list[list[tuple[int, float]]], k: int, forbidden: set[int] = frozenset()
) -> None:
    for row in rows:
        labels = [label for label, _ in row]
        assert len(row) == k
        assert len(set(labels)) == len(labels)
        assert not set(labels) & forbidden
        scores = [score for _, score in row]
        assert scores == sorted(scores, reverse=True)


def test_empty_index_returns_no_results() -> None:
    index = VectorIndex(SMALL)
    query = random_unit(np.random.default_rng(0), 2)
    assert index.search(query, 5) == [[], []]
    assert index.search(query[0], 5) == [[]]
    assert index.size == 0
    assert index.kind == "flat"
    assert not index.contains(1)
    index.remove(np.array([1, 2]))  # unknown ids: nothing happens
    assert VectorIndex.build(SMALL, np.empty(0, np.int64), np.empty((0, DIM), np.float32)).search(
        query, 3
    ) == [
        [],
        [],
    ]


def test_flat_search_is_exact() -> None:
    rng = np.random.default_rng(1)
    ids, vectors = sparse_ids(rng, 40), random_unit(rng, 40)
    index = VectorIndex.build(SMALL, ids, vectors)
    assert index.kind == "flat"
    assert index.size == 40
    queries = random_unit(rng, 10)
    results = index.search(queries, 5)
    assert_well_formed(results, 5)
    for query, row in zip(queries, results, strict=True):
        assert [label for label, _ in row] == exact(ids, vectors, query, 5)
        by_id = dict(zip(ids.tolist(), vectors, strict=True))
        for label, score in row:
            assert score == pytest.approx(float(by_id[label] @ query), abs=1e-5)


def test_k_larger_than_size_returns_everything_best_first() -> None:
    rng = np.random.default_rng(2)
    for count in (7, 80):  # flat, then HNSW
        ids, vectors = sparse_ids(rng, count), random_unit(rng, count)
        index = VectorIndex.build(SMALL, ids, vectors)
        query = random_unit(rng, 1)[0]
        (row,) = index.search(query, 500)
        assert_well_formed([row], count)
        assert [label for label, _ in row] == exact(ids, vectors, query, count)


@pytest.mark.parametrize("count", [30, 120])  # flat, HNSW
def test_add_replaces_existing_ids(count: int) -> None:
    rng = np.random.default_rng(3)
    ids, vectors = sparse_ids(rng, count), random_unit(rng, count)
    index = VectorIndex.build(SMALL, ids, vectors)
    replaced = ids[:5]
    fresh = random_unit(rng, 5)
    index.add(replaced, fresh)
    assert index.size == count
    for chunk_id, vector in zip(replaced, fresh, strict=True):
        assert index.contains(int(chunk_id))
        (row,) = index.search(vector, 3)
        assert row[0][0] == chunk_id
        assert row[0][1] == pytest.approx(1.0, abs=1e-5)
    # The old vectors are gone: searched with an old vector, its id scores as the new vector does.
    for chunk_id, old, new in zip(replaced, vectors[:5], fresh, strict=True):
        (row,) = index.search(old, count)
        assert_well_formed([row], count)
        assert dict(row)[chunk_id] == pytest.approx(float(old @ new), abs=1e-5)
    # Within one batch the last vector of an id wins.
    twice = np.array([ids[0], ids[0]])
    pair = random_unit(rng, 2)
    index.add(twice, pair)
    assert index.size == count
    (row,) = index.search(pair[1], 1)
    assert row[0][0] == ids[0]
    assert row[0][1] == pytest.approx(1.0, abs=1e-5)


def test_remove_on_flat() -> None:
    rng = np.random.default_rng(4)
    ids, vectors = sparse_ids(rng, 40), random_unit(rng, 40)
    index = VectorIndex.build(SMALL, ids, vectors)
    gone = ids[::3]
    index.remove(np.concatenate([gone, [-5, 123]]))  # with unknown ids
    assert index.size == 40 - len(gone)
    assert index.kind == "flat"
    assert not any(index.contains(int(i)) for i in gone)
    assert all(index.contains(int(i)) for i in ids[1::3])
    keep = ~np.isin(ids, gone)
    queries = np.vstack([vectors[::3], random_unit(rng, 5)])  # removed vectors as queries, too
    results = index.search(queries, 5)
    assert_well_formed(results, 5, set(gone.tolist()))
    for query, row in zip(queries, results, strict=True):
        assert [label for label, _ in row] == exact(ids[keep], vectors[keep], query, 5)


def test_remove_on_hnsw_filters_tombstones_and_still_returns_k() -> None:
    rng = np.random.default_rng(5)
    ids, vectors = sparse_ids(rng, 200), random_unit(rng, 200)
    index = VectorIndex.build(SMALL, ids, vectors)
    assert index.kind == "hnsw"
    query = random_unit(rng, 1)[0]
    # Remove the query's ten nearest neighbours: 5 % of the index, below the compaction fraction,
    # so they stay in the graph as tombstones right where the search goes.
    nearest = np.array(exact(ids, vectors, query, 10))
    index.remove(nearest)
    assert index.kind == "hnsw"
    assert index.size == 190
    assert not any(index.contains(int(i)) for i in nearest)
    keep = ~np.isin(ids, nearest)
    (row,) = index.search(query, 5)
    assert_well_formed([row], 5, set(nearest.tolist()))
    assert [label for label, _ in row] == exact(ids[keep], vectors[keep], query, 5)
    # Each removed vector as a query: its own id must not come back.
    assert_well_formed(index.search(vectors[np.isin(ids, nearest)], 5), 5, set(nearest.tolist()))
    # Everything that is left, with tombstones in the graph.
    (row,) = index.search(query, 1000)
    assert_well_formed([row], 190, set(nearest.tolist()))


def test_hnsw_compacts_and_goes_back_to_flat() -> None:
    rng = np.random.default_rng(6)
    ids, vectors = sparse_ids(rng, 200), random_unit(rng, 200)
    index = VectorIndex.build(SMALL, ids, vectors)
    # Past 20 % removed: rebuilt as HNSW from the 150 live vectors (more than half the threshold).
    index.remove(ids[:50])
    assert index.kind == "hnsw"
    assert index.size == 150
    queries = vectors[50:60]
    for chunk_id, row in zip(ids[50:60], index.search(queries, 3), strict=True):
        assert row[0] == (chunk_id, pytest.approx(1.0, abs=1e-5))
    # Down to 20 live vectors, under half the threshold: flat again, exact.
    index.remove(ids[50:180])
    assert index.kind == "flat"
    assert index.size == 20
    query = random_unit(rng, 1)[0]
    (row,) = index.search(query, 5)
    assert [label for label, _ in row] == exact(ids[180:], vectors[180:], query, 5)


def test_add_switches_flat_to_hnsw_past_the_threshold() -> None:
    rng = np.random.default_rng(7)
    ids, vectors = sparse_ids(rng, 90), random_unit(rng, 90)
    index = VectorIndex(SMALL)
    index.add(ids[:50], vectors[:50])
    assert index.kind == "flat"  # at the threshold, not above it
    index.add(ids[50:], vectors[50:])
    assert index.kind == "hnsw"
    assert index.size == 90
    assert all(index.contains(int(i)) for i in ids)
    # The vectors that were in the flat index moved over intact.
    for chunk_id, row in zip(ids, index.search(vectors, 1), strict=True):
        assert row == [(chunk_id, pytest.approx(1.0, abs=1e-5))]
    query = random_unit(rng, 1)[0]
    (row,) = index.search(query, 90)
    assert [label for label, _ in row] == exact(ids, vectors, query, 90)
    # Straight from empty, in one batch.
    index = VectorIndex(SMALL)
    index.add(ids, vectors)
    assert (index.kind, index.size) == ("hnsw", 90)
    assert index.search(vectors[:1], 1) == [[(ids[0], pytest.approx(1.0, abs=1e-5))]]


def test_build_chooses_by_size() -> None:
    rng = np.random.default_rng(8)
    assert VectorIndex.build(SMALL, sparse_ids(rng, 50), random_unit(rng, 50)).kind == "flat"
    assert VectorIndex.build(SMALL, sparse_ids(rng, 51), random_unit(rng, 51)).kind == "hnsw"


def test_rejects_wrong_shapes() -> None:
    index = VectorIndex(SMALL)
    with pytest.raises(ValueError):
        index.add(np.array([1, 2]), np.zeros((2, DIM + 1), np.float32))
    with pytest.raises(ValueError):
        index.add(np.array([1, 2]), np.zeros((3, DIM), np.float32))
    with pytest.raises(ValueError):
        index.search(np.zeros((1, DIM - 1), np.float32), 3)
    with pytest.raises(ValueError):
        index.search(np.zeros((1, DIM), np.float32), 0)


def test_concurrent_searches_match_serial_ones() -> None:
    rng = np.random.default_rng(9)
    ids, vectors = sparse_ids(rng, 400), random_unit(rng, 400)
    index = VectorIndex.build(SMALL, ids, vectors)
    index.remove(ids[:30])  # tombstones, so that searches build selectors
    queries = random_unit(rng, 64)
    serial = [index.search(query, 5) for query in queries]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda query: index.search(query, 5), queries)) == serial


@pytest.mark.slow  # 2-5 s on 2 cores: a 20k-vector graph
def test_hnsw_recall_on_clustered_data() -> None:
    rng = np.random.default_rng(10)
    centres = cluster_centres(rng)
    vectors = clustered_vectors(rng, centres, 20000)
    queries = clustered_vectors(rng, centres, 200)
    ids = sparse_ids(rng, len(vectors))
    # Default HNSW parameters; only the threshold is lowered so that 20k vectors make a graph.
    index = VectorIndex.build(replace(IndexParams(), hnsw_threshold=10000), ids, vectors)
    assert index.kind == "hnsw"
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    _, truth = flat.search(queries, 5)
    found = index.search(queries, 5)
    recall = np.mean(
        [
            len({label for label, _ in row} & set(ids[t].tolist())) / 5
            for row, t in zip(found, truth, strict=True)
        ]
    )
    assert recall >= 0.9
