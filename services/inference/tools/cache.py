"""The Python tools' rows, grants and per-user valves as the chat resolver reads them, kept in
memory for a short TTL so that naming a tool in ``tool_ids`` does not cost a database read per
request.

Bound: an entry is served for at most ``ttl_s`` seconds after it was read (FUNCTIONS_CACHE_TTL_S,
at most 1 s), so a change made through another replica (new code, a revoked grant, a deletion) is
seen by every replica within that time. A change made through this replica drops the entries of
that tool at once. Every other path (the ``/api/v1/tools`` routes) reads the store directly.
"""

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from services.inference.tools.records import ToolRecord, ToolVersion
from services.inference.tools.repository import ToolStore

# (tool id, user id) pairs whose valves are kept; the least recently used go first.
_MAX_USER_VALVES = 10_000
_MAX_RECORDS = 10_000

T = TypeVar("T")


class ToolCache:
    """Wraps a ``ToolStore``: every write passes through and drops the tool's entries; reads
    through ``records`` and ``user_valves`` are cached for the TTL (absent tools too)."""

    def __init__(
        self,
        store: ToolStore,
        ttl_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_records: int = _MAX_RECORDS,
        max_user_valves: int = _MAX_USER_VALVES,
    ) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._clock = clock
        self._max_records = max_records
        self._max_user_valves = max_user_valves
        # Tool id -> (when read, the record or None when absent).
        self._records: OrderedDict[str, tuple[float, ToolRecord | None]] = OrderedDict()
        # (tool id, user id) -> (when read, the stored valves or None).
        self._user_valves: OrderedDict[tuple[str, str], tuple[float, dict | None]] = OrderedDict()
        # Bumped by every local change: a read that began before it must not be cached.
        self._generation = 0

    def _fresh(self, read_at: float, now: float) -> bool:
        return now - read_at < self._ttl_s

    def invalidate(self, tool_id: str) -> None:
        """A change made through this replica: the tool's next read goes to the store."""
        self._generation += 1
        self._records.pop(tool_id, None)
        for key in [k for k in self._user_valves if k[0] == tool_id]:
            del self._user_valves[key]

    # -- cached reads (the chat resolver) -----------------------------------------------------------

    async def records(self, tool_ids: Sequence[str]) -> dict[str, ToolRecord]:
        """The tools of these ids that exist, by id; one store read for those not cached."""
        now = self._clock()
        found: dict[str, ToolRecord] = {}
        missing: list[str] = []
        for tool_id in dict.fromkeys(tool_ids):
            entry = self._records.get(tool_id)
            if entry is not None and self._fresh(entry[0], now):
                self._records.move_to_end(tool_id)
                if entry[1] is not None:
                    found[tool_id] = entry[1]
            else:
                missing.append(tool_id)
        if missing:
            generation = self._generation
            read = {r.id: r for r in await self._store.get_many(missing)}
            found.update(read)
            if generation == self._generation:
                for tool_id in missing:
                    self._records[tool_id] = (now, read.get(tool_id))
                    self._records.move_to_end(tool_id)
                while len(self._records) > self._max_records:
                    self._records.popitem(last=False)
        return found

    async def user_valves(self, tool_id: str, user_id: str) -> dict | None:
        key = (tool_id, user_id)
        now = self._clock()
        entry = self._user_valves.get(key)
        if entry is not None and self._fresh(entry[0], now):
            self._user_valves.move_to_end(key)
            return entry[1]
        generation = self._generation
        valves = await self._store.get_user_valves(tool_id, user_id)
        if generation == self._generation:
            self._user_valves[key] = (now, valves)
            self._user_valves.move_to_end(key)
            while len(self._user_valves) > self._max_user_valves:
                self._user_valves.popitem(last=False)
        return valves

    # -- ToolStore: uncached reads, writes that invalidate ------------------------------------------

    async def _write(self, tool_id: str, write: Awaitable[T]) -> T:
        # Dropped before (a read already under way is not kept) and after (nor one that began
        # while the write ran).
        self.invalidate(tool_id)
        try:
            return await write
        finally:
            self.invalidate(tool_id)

    async def list_visible(self, user_id: str | None, group_ids: Sequence[str] = ()) -> list[ToolRecord]:
        return await self._store.list_visible(user_id, group_ids)

    async def get(self, tool_id: str) -> ToolRecord | None:
        return await self._store.get(tool_id)

    async def get_many(self, tool_ids: Sequence[str]) -> list[ToolRecord]:
        return await self._store.get_many(tool_ids)

    async def insert(self, record: ToolRecord, version: ToolVersion | None = None) -> bool:
        return await self._write(record.id, self._store.insert(record, version))

    async def update_code(
        self,
        tool_id: str,
        *,
        name: str,
        content: str,
        specs: list,
        meta: dict,
        version: ToolVersion | None = None,
    ) -> ToolRecord | None:
        write = self._store.update_code(
            tool_id, name=name, content=content, specs=specs, meta=meta, version=version
        )
        return await self._write(tool_id, write)

    async def set_grants(self, tool_id: str, grants: list[dict]) -> ToolRecord | None:
        return await self._write(tool_id, self._store.set_grants(tool_id, grants))

    async def delete(self, tool_id: str) -> bool:
        return await self._write(tool_id, self._store.delete(tool_id))

    async def set_valves(self, tool_id: str, valves: dict) -> ToolRecord | None:
        return await self._write(tool_id, self._store.set_valves(tool_id, valves))

    async def get_user_valves(self, tool_id: str, user_id: str) -> dict | None:
        return await self._store.get_user_valves(tool_id, user_id)

    async def set_user_valves(self, tool_id: str, user_id: str, valves: dict) -> bool:
        return await self._write(tool_id, self._store.set_user_valves(tool_id, user_id, valves))

    async def list_versions(self, tool_id: str, offset: int, limit: int) -> list[ToolVersion]:
        return await self._store.list_versions(tool_id, offset, limit)

    async def get_version(self, tool_id: str, version_id: str) -> ToolVersion | None:
        return await self._store.get_version(tool_id, version_id)

    async def delete_version(self, tool_id: str, version_id: str) -> bool:
        return await self._store.delete_version(tool_id, version_id)

    async def apply_version(self, tool_id: str, version_id: str) -> ToolRecord | None:
        return await self._write(tool_id, self._store.apply_version(tool_id, version_id))
