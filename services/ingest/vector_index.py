"""One collection's chunk vectors in memory: exact (flat) inner-product search when small, HNSW when large."""

from dataclasses import dataclass
from typing import Self

import faiss
import numpy as np

# An HNSW graph cannot drop vertices, so removed ones stay as tombstones filtered out at search
# time; once they exceed this share of the stored vectors the graph is rebuilt from the live ones.
_COMPACT_FRACTION = 0.2
# Rows copied at a time when stored vectors are re-added to a new index, so that a conversion or a
# compaction never holds a second full copy of the vectors besides the two indexes.
_COPY_ROWS = 16384


@dataclass(frozen=True, slots=True)
class IndexParams:
    dimension: int = 384
    hnsw_threshold: int = 20000  # more vectors than this → HNSW; otherwise exact (flat) search
    hnsw_m: int = 32
    hnsw_ef_construction: int = 64
    hnsw_ef_search: int = 64


class VectorIndex:
    """Chunk vectors of one collection, searched by inner product (cosine for normalized vectors).

    Up to ``params.hnsw_threshold`` vectors it is an exact ``IndexFlatIP``; an ``add`` that takes it
    past the threshold converts it to ``IndexHNSWFlat``. It goes back to flat only when a compaction
    (below) finds half the threshold or fewer live vectors: staying HNSW between half and the whole
    threshold avoids rebuilding back and forth around it, and costs only some exactness.

    Chunk ids are kept here, position → id, rather than in ``IndexIDMap2``: on HNSW a removed or
    replaced vector keeps its position as a tombstone, and a replaced id then has a dead and a live
    position, which a search filter over ids (what ``IndexIDMap`` gives ``IDSelector``) cannot tell
    apart. Search filters positions through an ``IDSelectorBitmap`` of live ones instead.

    Threads: the class holds no lock. ``search``, ``size``, ``kind`` and ``contains`` only read and
    may run concurrently from several threads; ``add`` and ``remove`` mutate in place and need the
    object to themselves (no reader or other writer meanwhile), so a caller that searches from
    worker threads must serialise writers against readers with its own readers-writer lock. ``build``
    makes a new object, which nothing else can see yet. ``add``, ``build`` and any ``remove`` that
    triggers a compaction take seconds on large collections: run them in a worker thread.
    """

    __slots__ = ("_dead", "_dead_count", "_ids", "_index", "_kind", "_live_bits", "_params")

    def __init__(self, params: IndexParams) -> None:
        self._params = params
        self._kind = "flat"
        self._index: faiss.Index = faiss.IndexFlatIP(params.dimension)
        # Position in the faiss index → chunk id.
        self._ids = np.empty(0, dtype=np.int64)
        # Position → tombstoned (only ever set on HNSW; flat removes rows for real).
        self._dead = np.empty(0, dtype=bool)
        self._dead_count = 0
        # Packed bitmap of live positions for IDSelectorBitmap; None when nothing is dead, so that
        # search skips the filter.
        self._live_bits: np.ndarray | None = None

    @classmethod
    def build(cls, params: IndexParams, ids: np.ndarray, vectors: np.ndarray) -> Self:
        """An index of these vectors, flat or HNSW by their number; a repeated id keeps its last vector."""
        built = cls(params)
        ids = _as_ids(ids)
        vectors = built._as_vectors(vectors, len(ids))
        ids, vectors = _last_of_each(ids, vectors)
        if len(ids) > params.hnsw_threshold:
            built._kind = "hnsw"
            built._index = built._new_index("hnsw")
        # One add of the whole batch lets faiss parallelise the HNSW construction best.
        built._index.add(vectors)
        built._ids = ids.copy()
        built._dead = np.zeros(len(ids), dtype=bool)
        return built

    @property
    def size(self) -> int:
        """Live vectors (tombstones excluded)."""
        return self._index.ntotal - self._dead_count

    @property
    def kind(self) -> str:
        """``"flat"`` or ``"hnsw"``."""
        return self._kind

    @property
    def stored(self) -> int:
        """Vectors held in memory, tombstones included (what the index costs)."""
        return self._index.ntotal

    def contains(self, chunk_id: int) -> bool:
        # A linear scan over the ids (tens of µs at 100k) instead of a dict, which would cost ~100 B
        # per vector; live ids are unique, so at most one hit is live.
        hits = np.flatnonzero(self._ids == chunk_id)
        return bool(hits.size) and not bool(self._dead[hits].all())

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Adds vectors; an id already present has its vector replaced (within the batch, the last wins)."""
        ids = _as_ids(ids)
        vectors = self._as_vectors(vectors, len(ids))
        ids, vectors = _last_of_each(ids, vectors)
        if not len(ids):
            return
        self._drop_positions(self._live_positions(ids))
        if self._kind == "flat" and self._index.ntotal + len(ids) > self._params.hnsw_threshold:
            self._rebuild("hnsw", keep=None, extra_ids=ids, extra_vectors=vectors)
            return
        self._index.add(vectors)
        self._ids = np.concatenate([self._ids, ids])
        self._dead = np.concatenate([self._dead, np.zeros(len(ids), dtype=bool)])
        self._refresh_live_bits()
        self._maybe_compact()

    def remove(self, ids: np.ndarray) -> None:
        """Removes vectors by id; unknown ids are ignored. May compact an HNSW index (a rebuild)."""
        positions = self._live_positions(_as_ids(ids))
        if positions.size:
            self._drop_positions(positions)
            self._maybe_compact()

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Per query, up to k ``(chunk id, inner product)``, best first.

        ``queries`` is (n, dimension), or one query as a 1-D array. Fewer than k results only when the
        index holds fewer than k live vectors; an empty index gives an empty list per query.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[np.newaxis]
        if queries.ndim != 2 or queries.shape[1] != self._params.dimension:
            raise ValueError(f"queries must have shape (n, {self._params.dimension}), got {queries.shape}")
        index, ids, live_bits, live = self._index, self._ids, self._live_bits, self.size
        if live == 0:
            return [[] for _ in range(len(queries))]
        k = min(k, live)
        if self._kind == "flat":
            scores, positions = index.search(queries, k)
            return _results(scores, positions, ids)
        # The bitmap array must outlive the selector, which only holds a pointer into it.
        selector = (
            faiss.IDSelectorBitmap(len(live_bits), faiss.swig_ptr(live_bits))
            if live_bits is not None
            else None
        )
        scores, positions = index.search(
            queries, k, params=faiss.SearchParametersHNSW(sel=selector, efSearch=self._params.hnsw_ef_search)
        )
        # HNSW can come back short: asking for most of the graph, or with tombstones crowding the
        # candidate list. Those queries are answered exactly from the graph's flat storage instead,
        # so that k live vectors always give k results.
        short = np.flatnonzero((positions >= 0).sum(axis=1) < k)
        if short.size:
            storage = faiss.downcast_index(index.storage)
            exact_scores, exact_positions = storage.search(
                queries[short], k, params=faiss.SearchParameters(sel=selector)
            )
            scores[short], positions[short] = exact_scores, exact_positions
        return _results(scores, positions, ids)

    def _as_vectors(self, vectors: np.ndarray, count: int) -> np.ndarray:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (count, self._params.dimension):
            raise ValueError(
                f"vectors must have shape ({count}, {self._params.dimension}), got {vectors.shape}"
            )
        return vectors

    def _new_index(self, kind: str) -> faiss.Index:
        p = self._params
        if kind == "flat":
            return faiss.IndexFlatIP(p.dimension)
        index = faiss.IndexHNSWFlat(p.dimension, p.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = p.hnsw_ef_construction
        index.hnsw.efSearch = p.hnsw_ef_search
        return index

    def _live_positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of the live vectors with these ids."""
        if not len(ids) or not len(self._ids):
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self._ids, ids) & ~self._dead)

    def _drop_positions(self, positions: np.ndarray) -> None:
        """Removes live positions: for real on flat, as tombstones on HNSW."""
        if not positions.size:
            return
        if self._kind == "flat":
            # IndexFlat compacts its rows in order, so np.delete keeps the id array aligned.
            self._index.remove_ids(faiss.IDSelectorBatch(positions.astype(np.int64)))
            self._ids = np.delete(self._ids, positions)
            self._dead = np.delete(self._dead, positions)
            return
        self._dead[positions] = True
        self._dead_count += len(positions)
        self._refresh_live_bits()

    def _refresh_live_bits(self) -> None:
        # A new array each time rather than an update in place: cheap (n/8 bytes) and keeps the
        # arrays handed to past selectors unchanged.
        self._live_bits = np.packbits(~self._dead, bitorder="little") if self._dead_count else None

    def _maybe_compact(self) -> None:
        if self._kind != "hnsw" or self._dead_count <= _COMPACT_FRACTION * self._index.ntotal:
            return
        live = self.size
        # Half the threshold, not the threshold itself, so that churn around it does not rebuild
        # back and forth.
        kind = "hnsw" if live > self._params.hnsw_threshold // 2 else "flat"
        self._rebuild(kind, keep=np.flatnonzero(~self._dead))

    def _rebuild(
        self,
        kind: str,
        keep: np.ndarray | None,
        extra_ids: np.ndarray | None = None,
        extra_vectors: np.ndarray | None = None,
    ) -> None:
        """Replaces the index by a new one of ``kind`` holding the stored vectors at positions ``keep``
        (all when None) followed by the extra ones."""
        old = self._index
        # IndexFlat (also the storage of IndexHNSWFlat) stores the raw float32 rows: a view on them
        # is an exact reconstruction without copying them all.
        storage = old if self._kind == "flat" else faiss.downcast_index(old.storage)
        stored = faiss.rev_swig_ptr(storage.get_xb(), old.ntotal * self._params.dimension)
        stored = stored.reshape(old.ntotal, self._params.dimension)
        index = self._new_index(kind)
        count = old.ntotal if keep is None else len(keep)
        for start in range(0, count, _COPY_ROWS):
            stop = min(start + _COPY_ROWS, count)
            index.add(stored[start:stop] if keep is None else stored[keep[start:stop]])
        ids = self._ids if keep is None else self._ids[keep]
        if extra_ids is not None and extra_vectors is not None:
            index.add(extra_vectors)
            ids = np.concatenate([ids, extra_ids])
        self._index, self._kind, self._ids = index, kind, ids
        self._dead = np.zeros(len(ids), dtype=bool)
        self._dead_count = 0
        self._live_bits = None


def _as_ids(ids: np.ndarray) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one-dimensional, got shape {ids.shape}")
    return ids


def _last_of_each(ids: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batch without repeated ids, each keeping its last vector, in batch order."""
    unique, first_from_end = np.unique(ids[::-1], return_index=True)
    if len(unique) == len(ids):
        return ids, vectors
    keep = np.sort(len(ids) - 1 - first_from_end)
    return ids[keep], vectors[keep]


def _results(scores: np.ndarray, positions: np.ndarray, ids: np.ndarray) -> list[list[tuple[int, float]]]:
    found = positions >= 0
    labels = ids[np.where(found, positions, 0)] if len(ids) else np.zeros_like(positions)
    return [
        [(label, score) for label, score, ok in zip(row_labels, row_scores, row_found, strict=True) if ok]
        for row_labels, row_scores, row_found in zip(
            labels.tolist(), scores.tolist(), found.tolist(), strict=True
        )
    ]
