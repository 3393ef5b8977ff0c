"""The idle bound on an upload stream."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from services.common import errors, messages
from services.ingest.upload_staging import with_idle_timeout


async def _items(gaps: list[float]) -> AsyncIterator[int]:
    for n, gap in enumerate(gaps):
        await asyncio.sleep(gap)
        yield n


async def test_items_within_the_bound_all_arrive() -> None:
    got = [item async for item in with_idle_timeout(_items([0.01, 0.01, 0.01]), 0.5)]
    assert got == [0, 1, 2]


async def test_a_gap_past_the_bound_ends_the_stream_with_a_timeout() -> None:
    got = []
    with pytest.raises(errors.Timeout) as raised:
        async for item in with_idle_timeout(_items([0.0, 0.3]), 0.05):
            got.append(item)
    assert got == [0]
    assert raised.value.detail == messages.UPLOAD_STALLED
