"""Keeps usage_record small: records older than N whole UTC days are summed per day, user, key,
groups, model, kind and upstream into usage_daily and deleted, a bounded batch per transaction.
Safe with several replicas running it: each batch locks its rows with SKIP LOCKED (replicas take
disjoint rows) and adds into usage_daily with ON CONFLICT (concurrent adds serialise on the row)."""

import asyncio
import contextlib
import logging
import time

import asyncpg

log = logging.getLogger(__name__)

_DAY_MS = 86_400_000

_ROLL_BATCH = """
WITH doomed AS (
    SELECT id FROM usage_record WHERE at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM usage_record r USING doomed d WHERE r.id = d.id
    RETURNING r.at, r.user_id, r.key_id, r.group_ids, r.model, r.kind, r.upstream, r.status,
        r.latency_ms, r.input_tokens, r.output_tokens, r.context_tokens, r.chunks, r.estimated
), summed AS (
    SELECT (to_timestamp(at / 1000.0) AT TIME ZONE 'UTC')::date AS day, user_id, key_id, group_ids,
        model, kind, upstream, count(*) AS requests, count(*) FILTER (WHERE status <> 'ok') AS errors,
        sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        sum(context_tokens) AS context_tokens, sum(chunks) AS chunks,
        count(*) FILTER (WHERE estimated) AS estimated_requests, sum(latency_ms) AS latency_ms_sum
    FROM gone GROUP BY 1, 2, 3, 4, 5, 6, 7
), added AS (
    INSERT INTO usage_daily AS d (day, user_id, key_id, group_ids, model, kind, upstream, requests,
        errors, input_tokens, output_tokens, context_tokens, chunks, estimated_requests, latency_ms_sum)
    SELECT * FROM summed
    ON CONFLICT (day, user_id, key_id, model, kind, upstream, group_ids) DO UPDATE SET
        requests = d.requests + EXCLUDED.requests,
        errors = d.errors + EXCLUDED.errors,
        input_tokens = d.input_tokens + EXCLUDED.input_tokens,
        output_tokens = d.output_tokens + EXCLUDED.output_tokens,
        context_tokens = d.context_tokens + EXCLUDED.context_tokens,
        chunks = d.chunks + EXCLUDED.chunks,
        estimated_requests = d.estimated_requests + EXCLUDED.estimated_requests,
        latency_ms_sum = d.latency_ms_sum + EXCLUDED.latency_ms_sum
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone) AS rolled
"""


def cutoff_ms(now_ms: int, after_days: int) -> int:
    """The start of the UTC day ``after_days`` days before today's: only whole days roll up."""
    return (now_ms // _DAY_MS - after_days) * _DAY_MS


async def roll_up(pool: asyncpg.Pool, before_ms: int, batch: int, timeout_s: float = 30.0) -> int:
    """Rolls up every record before ``before_ms``, ``batch`` at a time; returns how many."""
    total = 0
    while True:
        async with pool.acquire(timeout=timeout_s) as conn, conn.transaction():
            rolled = await conn.fetchval(_ROLL_BATCH, before_ms, batch, timeout=timeout_s)
        total += rolled
        if rolled < batch:
            return total


class RollupJob:
    """Runs ``roll_up`` every ``interval_s`` in the background until closed."""

    def __init__(self, pool: asyncpg.Pool, after_days: int, interval_s: float, batch: int) -> None:
        self._pool = pool
        self._after_days = after_days
        self._interval_s = interval_s
        self._batch = batch
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="usage-rollup")

    async def _run(self) -> None:
        while True:
            try:
                rolled = await roll_up(
                    self._pool, cutoff_ms(int(time.time() * 1000), self._after_days), self._batch
                )
                if rolled:
                    log.info("usage roll-up: %d records summed into usage_daily", rolled)
            except (asyncpg.PostgresError, OSError, TimeoutError) as error:
                # Records stay where they are; the next round tries again.
                log.warning("usage roll-up failed: %s", error)
            await asyncio.sleep(self._interval_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
