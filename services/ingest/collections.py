"""The FAISS copies this replica holds: loaded lazily from Postgres, kept current by changes.

Postgres is the source of truth: every change to a collection bumps its version there, in the same
transaction. A replica applies its own changes at once and publishes them; the others apply them
when the event arrives. Before a search the copy's version is compared with Postgres: a copy that
is behind waits a moment for the missing event, then is rebuilt.

Memory is capped: when a load or an add would take the copies' estimated bytes past the cap, the
least recently searched copies are dropped (a later search reloads them from Postgres). A search
still running on a dropped copy finishes on it; its memory goes back when that search ends.
"""

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from services.ingest.events import EventPublisher
from services.ingest.freed_memory import trim_heap
from services.ingest.index_memory import IndexMemory, estimated_bytes, kind_for
from services.ingest.models import CollectionChange
from services.ingest.repository import IngestRepository
from services.ingest.vector_index import IndexParams, VectorIndex

log = logging.getLogger(__name__)

# Index work on more vectors than this runs in a thread, so the event loop keeps answering.
_INLINE_LIMIT = 2000
# How long a search waits for a change event it has not seen yet before rebuilding its copy.
_CATCH_UP_S = 0.5


@dataclass
class _Copy:
    index: VectorIndex
    version: int
    # The chunk ids each file contributed, so that removing a file needs no database.
    files: dict[str, np.ndarray]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class CollectionIndexes:
    """Per-collection FAISS copies of this replica."""

    def __init__(
        self,
        repo: IngestRepository,
        params: IndexParams,
        publisher: EventPublisher,
        replica_id: str,
        memory_cap_bytes: int = 0,
    ) -> None:
        self._repo = repo
        self._params = params
        self._publisher = publisher
        self.replica_id = replica_id
        # Least recently searched first.
        self._copies: OrderedDict[str, _Copy] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}
        # 0: no cap.
        self._cap = memory_cap_bytes
        self._evictions = 0

    @property
    def held(self) -> dict[str, int]:
        """Collections held and their sizes (for tests and metrics)."""
        return {name: copy.index.size for name, copy in self._copies.items()}

    @property
    def held_bytes(self) -> dict[str, int]:
        """Collections held and their estimated bytes, least recently searched first."""
        return {name: self._bytes(copy) for name, copy in self._copies.items()}

    @property
    def memory(self) -> IndexMemory:
        return IndexMemory(sum(self.held_bytes.values()), self._cap, self._evictions)

    def _bytes(self, copy: _Copy) -> int:
        return estimated_bytes(copy.index.kind, copy.index.stored, self._params)

    async def _make_room(self, incoming: int, keep: str) -> None:
        """Drops the least recently searched copies (never ``keep``) until those left and
        ``incoming`` more bytes fit under the cap; a copy bigger than the cap on its own stays,
        alone."""
        if not self._cap:
            return
        held = self.held_bytes
        total = sum(held.values()) + incoming
        evicted = []
        for name, size in held.items():
            if total <= self._cap:
                break
            if name == keep:
                continue
            self._forget(name, self._copies[name])
            total -= size
            evicted.append(name)
        if incoming and total > self._cap:
            log.warning(
                "collection %s needs about %d MB, more than the index memory cap of %d MB: held alone",
                keep,
                total // 2**20,
                self._cap // 2**20,
            )
        if evicted:
            self._evictions += len(evicted)
            log.info("evicted %d FAISS copies to stay under the memory cap: %s", len(evicted), evicted)
            # FAISS frees into glibc's heaps; trimming gives the pages back (a search still holding
            # an evicted copy keeps it until it ends).
            await asyncio.to_thread(trim_heap)

    async def changed(self, changes: list[CollectionChange]) -> None:
        """Applies changes this replica made, then tells the other replicas."""
        for change in changes:
            stamped = CollectionChange(
                change.collection, change.version, change.op, change.file_id, self.replica_id
            )
            await self.apply(stamped)
            await self._publisher.change(stamped)

    async def on_event(self, change: CollectionChange) -> None:
        if change.origin != self.replica_id:
            await self.apply(change)

    async def apply(self, change: CollectionChange) -> None:
        copy = self._copies.get(change.collection)
        if copy is None:
            return
        async with copy.lock:
            if change.op == "drop":
                self._forget(change.collection, copy)
                return
            if change.version <= copy.version:
                return
            if change.version != copy.version + 1:
                # Dropped, or an event was missed: the next search rebuilds from Postgres.
                self._forget(change.collection, copy)
                return
            if change.op == "add":
                _, ids, vectors = await self._repo.file_vectors([change.file_id])
                if len(ids):
                    await self._run(copy.index.size + len(ids), copy.index.add, ids, vectors)
                    copy.files[change.file_id] = ids
                    if self._copies.get(change.collection) is copy:
                        await self._make_room(0, keep=change.collection)
            elif change.op == "remove":
                ids = copy.files.pop(change.file_id, None)
                if ids is not None and len(ids):
                    # A removal may compact (rebuild) a big HNSW graph: size it by the index.
                    await self._run(copy.index.size, copy.index.remove, ids)
            copy.version = change.version
            copy.changed.set()
            copy.changed = asyncio.Event()

    def _forget(self, name: str, copy: _Copy) -> None:
        if self._copies.get(name) is copy:
            del self._copies[name]
        copy.changed.set()

    async def search(self, name: str, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """The best ``k`` (chunk id, inner product) per query; [] per query for an empty or
        unknown collection."""
        return await self.search_copy(await self.current(name), queries, k)

    async def search_copy(
        self, copy: "_Copy | None", queries: np.ndarray, k: int
    ) -> list[list[tuple[int, float]]]:
        """``search`` on a copy ``current`` returned (fetched while the queries were embedded)."""
        if copy is None:
            return [[] for _ in range(len(queries))]
        async with copy.lock:
            if copy.index.kind == "flat" and copy.index.size > _INLINE_LIMIT * 10:
                return await asyncio.to_thread(copy.index.search, queries, k)
            return copy.index.search(queries, k)

    async def current(self, name: str) -> "_Copy | None":
        """This replica's copy of the collection at its latest version (loaded if need be); None
        for an empty or unknown collection."""
        version = await self._repo.collection_version(name)
        if version == 0:
            return None
        copy = self._copies.get(name)
        if copy is not None and copy.version < version:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(copy.changed.wait(), _CATCH_UP_S)
            copy = self._copies.get(name)
        if copy is not None and copy.version >= version:
            return self._touch(name, copy)
        lock = self._loading.setdefault(name, asyncio.Lock())
        async with lock:
            copy = self._copies.get(name)
            if copy is not None and copy.version >= version:
                return self._touch(name, copy)
            return await self._load(name)

    def _touch(self, name: str, copy: _Copy) -> _Copy:
        if self._copies.get(name) is copy:
            self._copies.move_to_end(name)
        return copy

    async def _load(self, name: str) -> _Copy | None:
        # The version is read before the vectors: a change committed in between is then both in
        # the copy and replayed by its event, which is harmless (add replaces, remove ignores).
        version = await self._repo.collection_version(name)
        file_ids = await self._repo.collection_file_ids(name)
        if file_ids is None or version == 0:
            return None
        owners, ids, vectors = await self._repo.file_vectors(file_ids)
        if not len(ids):
            vectors = np.zeros((0, self._params.dimension), dtype=np.float32)
        # Room is made before the build, so that the old copies and the new one are never all held.
        stale = self._copies.pop(name, None)
        if stale is not None:
            stale.changed.set()
        await self._make_room(estimated_bytes(kind_for(len(ids), self._params), len(ids), self._params), name)
        index = await self._run(len(ids), VectorIndex.build, self._params, ids, vectors)
        files: dict[str, list[int]] = {}
        for owner, chunk_id in zip(owners, ids.tolist(), strict=True):
            files.setdefault(owner, []).append(chunk_id)
        copy = _Copy(index, version, {f: np.asarray(c, dtype=np.int64) for f, c in files.items()})
        self._copies[name] = copy
        # Another load may have finished meanwhile.
        await self._make_room(0, keep=name)
        log.info("loaded collection %s: %d vectors (%s)", name, index.size, index.kind)
        return copy

    @staticmethod
    async def _run(count: int, fn, *args):  # type: ignore[no-untyped-def]
        if count > _INLINE_LIMIT:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)
