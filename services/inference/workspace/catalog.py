"""Every workspace model row, cached: stale-while-revalidate on the ``models`` catalog version."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

from services.inference.workspace.records import WorkspaceModel

log = logging.getLogger(__name__)


class RowSource(Protocol):
    async def version(self) -> int: ...

    async def snapshot(self) -> tuple[int, dict[str, WorkspaceModel]]: ...


class WorkspaceCatalog:
    """The rows as one dict, shared by every request.

    The first call loads them. Afterwards a call never waits for the database: once the copy is
    older than ``ttl_s``, a background task reads the catalog version and reloads the rows when it
    changed (another replica wrote). A change made here (``invalidate``) makes the next call load
    afresh, so a writer sees its own change at once. A failed background check keeps the old copy.
    Callers must not modify the returned dict or its rows.
    """

    def __init__(self, source: RowSource, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._ttl_s = ttl_s
        self._clock = clock
        self._rows: dict[str, WorkspaceModel] | None = None
        self._version: int | None = None
        self._checked_at = 0.0
        self._stale = False
        self._lock = asyncio.Lock()
        self._revalidation: asyncio.Task | None = None

    async def rows(self) -> dict[str, WorkspaceModel]:
        rows = self._rows
        if rows is None:
            return await self._load()
        if self._stale:
            try:
                return await self._load()
            except Exception:
                log.warning("workspace models: reload failed; serving the last copy", exc_info=True)
                return rows
        if self._clock() - self._checked_at >= self._ttl_s and (
            self._revalidation is None or self._revalidation.done()
        ):
            self._revalidation = asyncio.create_task(self._revalidate())
        return rows

    def invalidate(self) -> None:
        """A row changed here: the next ``rows()`` reads them again."""
        self._stale = True

    async def close(self) -> None:
        """Stops a background check in flight."""
        task = self._revalidation
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _load(self, force: bool = False) -> dict[str, WorkspaceModel]:
        async with self._lock:
            if self._rows is not None and not self._stale and not force:
                # Loaded by the call this one waited for.
                return self._rows
            # Cleared before reading: a change made while this load runs marks it stale again.
            was_stale, self._stale = self._stale, False
            checked_at = self._clock()
            try:
                version, rows = await self._source.snapshot()
            except BaseException:
                self._stale = self._stale or was_stale
                raise
            self._rows, self._version, self._checked_at = rows, version, checked_at
            return rows

    async def _revalidate(self) -> None:
        try:
            checked_at = self._clock()
            version = await self._source.version()
            if version != self._version:
                await self._load(force=True)
            else:
                self._checked_at = checked_at
        except Exception:
            log.warning("workspace models: background reload failed; serving the last copy", exc_info=True)
            # Try again after another ttl_s rather than on every call.
            self._checked_at = self._clock()
