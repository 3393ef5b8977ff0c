"""FreshValue (services/common/fresh_value.py): one read per period, shared by waiting callers."""

import asyncio

from services.common.fresh_value import FreshValue


def test_reads_once_per_period_and_keeps_a_local_write():
    now = [0.0]
    reads = []

    async def load() -> int:
        reads.append(now[0])
        return len(reads)

    async def run() -> None:
        value = FreshValue(load, ttl_s=1.0, clock=lambda: now[0])
        assert await value.get() == 1
        now[0] = 0.9
        assert await value.get() == 1
        now[0] = 1.0
        assert await value.get() == 2
        value.put(42)
        assert await value.get() == 42
        now[0] = 2.5
        assert await value.get() == 3

    asyncio.run(run())
    assert reads == [0.0, 1.0, 2.5]


def test_callers_that_find_it_stale_together_share_one_read():
    reads = 0

    async def load() -> str:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.01)
        return "stored"

    async def run() -> list[str]:
        value = FreshValue(load, ttl_s=60.0)
        return await asyncio.gather(*(value.get() for _ in range(20)))

    assert asyncio.run(run()) == ["stored"] * 20
    assert reads == 1
