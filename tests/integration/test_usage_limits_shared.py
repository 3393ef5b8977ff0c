"""Limits shared by replicas through PostgreSQL: two limiters (two replicas) on one database."""

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from services.common.identity import Identity, KeyScope
from services.common.migrations import apply_migrations
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import LimitStore, StoredLimits
from services.common.usage.limiter import Limiter
from services.common.usage.rate_limited import RateLimited

USAGE_MIGRATIONS = Path("services/common/usage/migrations")
CALLER = Identity(user_id="u1", via_api_key=True, scope=KeyScope(key_id="k1"))


@pytest.fixture
async def pool(database_url: str):
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    await apply_migrations(pool, "usage", USAGE_MIGRATIONS)
    yield pool
    await pool.close()


def replicas(pool, clock, count=2, **env) -> list[Limiter]:
    settings = LimitSettings(**env)
    return [Limiter(LimitStore(pool, 5.0), settings, clock=clock) for _ in range(count)]


@pytest.mark.parametrize("limit", [1, 7, 50])
async def test_two_replicas_share_one_request_limit(pool, limit):
    now = datetime(2026, 12, 3, 10, 0, 5, tzinfo=UTC).timestamp()
    a, b = replicas(pool, lambda: now)
    await a.put_limits(StoredLimits("key", "k1", rpm=limit))
    admitted = 0
    for i in range(limit):
        await (a if i % 2 == 0 else b).admit(CALLER, 0)
        admitted += 1
    # Request N+1, on either replica, is refused: leases never hand out more than the limit.
    for replica in (a, b):
        with pytest.raises(RateLimited) as refused:
            await replica.admit(CALLER, 0)
        assert refused.value.limit["limit"] == "rpm"
        assert refused.value.headers["x-ratelimit-limit-requests"] == str(limit)
    assert admitted == limit
    used = await pool.fetchval("SELECT used FROM usage_counter WHERE counter = 'requests:minute'")
    assert used == limit


async def test_shared_limit_tolerance_with_large_slices(pool):
    """With big slices, the refusal may come early by what the other replica still holds."""
    now = datetime(2026, 12, 3, 10, 0, 5, tzinfo=UTC).timestamp()
    a, b = replicas(pool, lambda: now, USAGE_LEASE_DIVISOR=4)
    limit = 400
    await a.put_limits(StoredLimits("key", "k1", rpm=limit))
    admitted = {"a": 0, "b": 0}
    await a.admit(CALLER, 0)  # a leases 100, keeps 99
    admitted["a"] += 1
    while True:
        try:
            await b.admit(CALLER, 0)
        except RateLimited:
            break
        admitted["b"] += 1
    while True:
        try:
            await a.admit(CALLER, 0)
        except RateLimited:
            break
        admitted["a"] += 1
    # Never more than the limit; what b refused early, a still served.
    assert admitted["a"] + admitted["b"] == limit
    assert admitted["b"] >= limit - limit // 4


async def test_budget_runs_out_mid_day_and_resets_at_period_start(pool):
    clock = [datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp()]
    a, b = replicas(pool, lambda: clock[0])
    await a.put_limits(StoredLimits("user", "u1", budget_day=1000, budget_month=1500))
    first = await a.admit(CALLER, 600)
    await first.settle(700)
    second = await b.admit(CALLER, 300)
    await second.settle(300)
    with pytest.raises(RateLimited) as refused:
        await a.admit(CALLER, 10)
    assert refused.value.limit["limit"] == "budget_day"
    assert refused.value.headers["x-ratelimit-reset-tokens"] == "11h0m0s"
    assert refused.value.headers["Retry-After"] == str(11 * 3600)
    clock[0] = datetime(2026, 12, 4, 0, 0, 1, tzinfo=UTC).timestamp()
    await a.admit(CALLER, 400)
    # The month's budget keeps counting across days: 1000 + 400 of 1500, then refused past it.
    with pytest.raises(RateLimited) as refused:
        await b.admit(CALLER, 200)
    assert refused.value.limit["limit"] == "budget_month"
    clock[0] = datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC).timestamp()
    await b.admit(CALLER, 900)


async def test_limits_round_trip_and_delete(pool):
    (a,) = replicas(pool, lambda: 0.0, count=1)
    stored = await a.put_limits(StoredLimits("group", "g1", tpm=10, budget_month=0))
    assert stored.tpm == 10 and stored.rpm is None and stored.budget_month == 0
    assert [row.subject_id for row in await a.list_limits()] == ["g1"]
    assert await a.delete_limits("group", "g1") is True
    assert await a.delete_limits("group", "g1") is False
