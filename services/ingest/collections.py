"""The FAISS copies this replica holds: loaded lazily from Postgres, kept current by changes.

Postgres is the source of truth: every change to a collection bumps its version there, in the same
transaction. A replica applies its own changes at once and publishes them; the others apply them
when the event arrives. Before a search the copy's version is compared with Postgres: a copy that
is behind waits a moment for the missing event, then is rebuilt.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import numpy as np

from services.ingest.events import EventPublisher
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
        self, repo: IngestRepository, params: IndexParams, publisher: EventPublisher, replica_id: str
    ) -> None:
        self._repo = repo
        self._params = params
        self._publisher = publisher
        self.replica_id = replica_id
        self._copies: dict[str, _Copy] = {}
        self._loading: dict[str, asyncio.Lock] = {}

    @property
    def held(self) -> dict[str, int]:
        """Collections held and their sizes (for tests and metrics)."""
        return {name: copy.index.size for name, copy in self._copies.items()}

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
            return copy
        lock = self._loading.setdefault(name, asyncio.Lock())
        async with lock:
            copy = self._copies.get(name)
            if copy is not None and copy.version >= version:
                return copy
            return await self._load(name)

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
        index = await self._run(len(ids), VectorIndex.build, self._params, ids, vectors)
        files: dict[str, list[int]] = {}
        for owner, chunk_id in zip(owners, ids.tolist(), strict=True):
            files.setdefault(owner, []).append(chunk_id)
        copy = _Copy(index, version, {f: np.asarray(c, dtype=np.int64) for f, c in files.items()})
        self._copies[name] = copy
        log.info("loaded collection %s: %d vectors (%s)", name, index.size, index.kind)
        return copy

    @staticmethod
    async def _run(count: int, fn, *args):  # type: ignore[no-untyped-def]
        if count > _INLINE_LIMIT:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)
