"""The batching recorder both services write usage records through: ``record()`` only appends to
a bounded queue (never blocks, never raises), a background task writes batches, retries a failing
write with backoff, and ``close()`` (on the SIGTERM path) writes what is left. Whatever cannot be
kept (queue full, retries exhausted) is counted and logged, never silently lost."""

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from services.common.usage.estimate import TokenEstimator
from services.common.usage.record import UsageRecord
from services.common.usage.settings import RecordingSettings

log = logging.getLogger(__name__)

_FIRST_BACKOFF_S = 0.2

_INSERT = """
INSERT INTO usage_record (id, at, kind, user_id, key_id, group_ids, model, upstream, status,
    latency_ms, input_tokens, output_tokens, context_tokens, chunks, estimated, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (id) DO NOTHING
"""


class Sink(Protocol):
    async def write(self, records: Sequence[UsageRecord]) -> None: ...


class PostgresSink:
    """Writes a batch in one transaction; ids make a retried batch idempotent."""

    def __init__(self, pool: asyncpg.Pool, timeout_s: float) -> None:
        self._pool = pool
        self._timeout_s = timeout_s

    async def write(self, records: Sequence[UsageRecord]) -> None:
        async with self._pool.acquire(timeout=self._timeout_s) as conn, conn.transaction():
            await conn.executemany(_INSERT, [r.row() for r in records], timeout=self._timeout_s)


@dataclass
class RecorderStats:
    recorded: int = 0
    written: int = 0
    dropped_full: int = 0
    dropped_failed: int = 0

    @property
    def dropped(self) -> int:
        return self.dropped_full + self.dropped_failed


class UsageRecorder:
    def __init__(
        self,
        sink: Sink,
        settings: RecordingSettings,
        estimator: TokenEstimator | None = None,
        sleep: Callable[[float], object] = asyncio.sleep,
    ) -> None:
        self._sink = sink
        self._settings = settings
        self._estimator = estimator or TokenEstimator()
        self._sleep = sleep
        self._queue: collections.deque[UsageRecord] = collections.deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._closing = False
        self.stats = RecorderStats()
        self._dropped_logged = 0
        self._last_drop_log = 0.0

    @property
    def enabled(self) -> bool:
        return self._settings.enabled

    def record(self, record: UsageRecord) -> None:
        """Queues ``record``; when the queue is full it is dropped and counted (logged by the writer)."""
        if not self._settings.enabled:
            return
        if len(self._queue) >= self._settings.queue_max:
            self.stats.dropped_full += 1
            self._log_drops(force=False)
            return
        self.stats.recorded += 1
        self._queue.append(record)
        if len(self._queue) >= self._settings.batch_size:
            self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="usage-recorder")

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.flush_interval_s)
            self._wake.clear()
            while self._queue and not self._closing:
                await self._write_batch()

    def _take(self) -> list[UsageRecord]:
        batch: list[UsageRecord] = []
        while self._queue and len(batch) < self._settings.batch_size:
            batch.append(self._queue.popleft())
        return batch

    async def _settle(self, batch: list[UsageRecord]) -> None:
        """Counts estimated tokens in a worker thread: the tokenizer must not hold the event loop."""
        if any(r.pending is not None for r in batch):
            await asyncio.to_thread(lambda: [self._estimator.settle(r) for r in batch])

    async def _write_batch(self, retries: int | None = None) -> None:
        batch = self._take()
        if not batch:
            return
        await self._settle(batch)
        attempts = (self._settings.write_retries if retries is None else retries) + 1
        backoff = _FIRST_BACKOFF_S
        for attempt in range(attempts):
            try:
                await asyncio.wait_for(self._sink.write(batch), self._settings.write_timeout_s)
                self.stats.written += len(batch)
                return
            except Exception as error:  # any failure of the write is retried
                if attempt + 1 == attempts:
                    self.stats.dropped_failed += len(batch)
                    log.error(
                        "usage records dropped: a batch of %d could not be written after %d attempts: %s",
                        len(batch),
                        attempts,
                        error,
                    )
                    return
                log.warning("usage records: write failed (attempt %d), retrying: %s", attempt + 1, error)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._settings.retry_backoff_max_s)

    def _log_drops(self, force: bool) -> None:
        """At most one line a second while the queue overflows, plus one at close."""
        now = time.monotonic()
        unlogged = self.stats.dropped_full - self._dropped_logged
        if unlogged and (force or now - self._last_drop_log >= 1.0):
            log.error(
                "usage records dropped: the queue was full (%d waiting); %d dropped since the last report, "
                "%d in all",
                self._settings.queue_max,
                unlogged,
                self.stats.dropped_full,
            )
            self._dropped_logged = self.stats.dropped_full
            self._last_drop_log = now

    async def flush(self) -> None:
        """Writes everything queued now (tests, shutdown)."""
        while self._queue:
            await self._write_batch()

    async def close(self) -> None:
        """Stops the writer and writes what is queued (the SIGTERM path: call after the server
        drained, so that the last requests' records are in the queue)."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.flush()
        self._log_drops(force=True)
        if self.stats.dropped:
            log.error(
                "usage recorder closed: %d records written, %d dropped (%d queue full, %d write failed)",
                self.stats.written,
                self.stats.dropped,
                self.stats.dropped_full,
                self.stats.dropped_failed,
            )
        else:
            log.info("usage recorder closed: %d records written, none dropped", self.stats.written)
