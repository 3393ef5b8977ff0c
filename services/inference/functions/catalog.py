"""The active functions as the chat pipeline sees them, loaded once and cached; revalidated against
the catalog version in the background (a request never waits for the database once a snapshot
exists), rebuilt at once after a change made through this replica."""

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from services.inference.functions.invoke import load_bounded
from services.inference.functions.loader import FunctionLoadError, LoadedFunction, make_valves
from services.inference.functions.records import ActiveFunction, FunctionRecord, FunctionSnapshot
from services.inference.functions.repository import FunctionStore

log = logging.getLogger(__name__)

# Users whose valves are kept between requests; the least recently used go first.
_MAX_CACHED_USERS = 10_000


class FunctionCatalog:
    """A cached ``FunctionSnapshot`` of the active functions whose code loaded, per-user valves, and
    the loaded modules (reused while a function's code is unchanged)."""

    def __init__(
        self,
        store: FunctionStore,
        ttl_s: float,
        *,
        enabled: bool = True,
        load_timeout_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        max_cached_users: int = _MAX_CACHED_USERS,
    ) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._enabled = enabled
        self.load_timeout_s = load_timeout_s
        self._clock = clock
        self._max_cached_users = max_cached_users
        self._snapshot: FunctionSnapshot | None = None
        self._version: int | None = None
        self._checked_at = 0.0
        # changed() bumps the generation; a snapshot built from an older one is stale.
        self._generation = 0
        self._built_generation = -1
        self._lock = asyncio.Lock()
        self._revalidation: asyncio.Task | None = None
        # Function id -> (the code it was loaded from, the loaded function).
        self._modules: dict[str, tuple[str, LoadedFunction]] = {}
        # User id -> (when fetched, {function id: valves}).
        self._user_valves: OrderedDict[str, tuple[float, dict[str, dict]]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        """ENABLE_FUNCTIONS: when false no function runs and the function list is empty."""
        return self._enabled

    async def snapshot(self) -> FunctionSnapshot:
        if not self._enabled:
            return FunctionSnapshot()
        while self._snapshot is None or self._built_generation != self._generation:
            await self._rebuild(force=False)
        if self._clock() - self._checked_at >= self._ttl_s and self._revalidation is None:
            self._revalidation = asyncio.create_task(self._revalidate())
        return self._snapshot

    def changed(self) -> None:
        """A change made through this replica: the next ``snapshot()`` reads the database at once."""
        self._generation += 1

    async def user_valves(self, user_id: str, function_ids: Sequence[str]) -> dict[str, dict]:
        """The user's stored valves of each function (``{}`` where none), cached for the TTL."""
        now = self._clock()
        entry = self._user_valves.get(user_id)
        if entry is None or now - entry[0] >= self._ttl_s:
            entry = (now, await self._store.user_valves_of(user_id))
            self._user_valves[user_id] = entry
            while len(self._user_valves) > self._max_cached_users:
                self._user_valves.popitem(last=False)
        self._user_valves.move_to_end(user_id)
        values = entry[1]
        return {function_id: dict(values.get(function_id) or {}) for function_id in function_ids}

    def forget_user_valves(self, user_id: str) -> None:
        """The user changed their valves through this replica."""
        self._user_valves.pop(user_id, None)

    async def module(self, record: FunctionRecord) -> LoadedFunction:
        """The record's code loaded (from cache while the code is unchanged); FunctionLoadError."""
        cached = self._modules.get(record.id)
        if cached is not None and cached[0] == record.content:
            return cached[1]
        loaded = await load_bounded(record.id, record.content, self.load_timeout_s)
        self._modules[record.id] = (record.content, loaded)
        return loaded

    def remember(self, function_id: str, content: str, loaded: LoadedFunction) -> None:
        """A module the admin just loaded (create, update): no second load for the catalog."""
        self._modules[function_id] = (content, loaded)

    def forget(self, function_id: str) -> None:
        self._modules.pop(function_id, None)

    async def close(self) -> None:
        """Cancels a background revalidation still running."""
        task, self._revalidation = self._revalidation, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _rebuild(self, *, force: bool) -> None:
        async with self._lock:
            if not force and self._snapshot is not None and self._built_generation == self._generation:
                return
            generation = self._generation
            version, records = await self._store.active()
            self._snapshot = await self._build(records)
            self._version = version
            self._built_generation = generation
            self._checked_at = self._clock()

    async def _revalidate(self) -> None:
        try:
            version = await self._store.version()
            if version != self._version:
                await self._rebuild(force=True)
        except Exception:
            # A failed background check keeps the last snapshot; the next request past the TTL
            # tries again.
            log.warning("function catalog revalidation failed", exc_info=True)
        finally:
            self._checked_at = self._clock()
            self._revalidation = None

    async def _build(self, records: list[FunctionRecord]) -> FunctionSnapshot:
        functions: dict[str, ActiveFunction] = {}
        for record in records:
            try:
                loaded = await self.module(record)
            except FunctionLoadError as error:
                # As Open WebUI does: a function that does not load is switched off, with the reason.
                await self._store.mark_load_error(record.id, str(error), content=record.content)
                continue
            functions[record.id] = ActiveFunction(record, loaded, make_valves(loaded, record.valves, "admin"))
        # Modules of functions no longer active are loaded again if they are needed again.
        for function_id in list(self._modules):
            if function_id not in functions:
                del self._modules[function_id]
        return FunctionSnapshot(functions)
