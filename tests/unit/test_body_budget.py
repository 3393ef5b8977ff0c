"""The gateway's budget of large request bodies held at once."""

import asyncio

import pytest
from aiohttp.test_utils import make_mocked_request

from services.gateway.body_budget import SMALL_BODY_BYTES, BodyBudget
from services.gateway.http_errors import ApiError

MIB = 1024 * 1024


def request():
    return make_mocked_request("POST", "/api/chat/completions")


async def test_small_bodies_are_not_counted() -> None:
    budget = BodyBudget(4 * MIB)
    for _ in range(100):
        await budget.claim(request(), SMALL_BODY_BYTES)
    assert budget.held == 0


async def test_a_claim_waits_for_room_and_gets_it_when_another_is_given_back() -> None:
    budget = BodyBudget(5 * MIB, wait_s=5)
    first, second = request(), request()
    await budget.claim(first, 3 * MIB)
    waiting = asyncio.create_task(budget.claim(second, 3 * MIB))
    await asyncio.sleep(0.05)
    assert not waiting.done() and budget.held == 3 * MIB
    await budget.release(first)
    await asyncio.wait_for(waiting, 1)
    assert budget.held == 3 * MIB
    await budget.release(second)
    assert budget.held == 0


async def test_no_room_within_the_wait_is_503_with_retry_after() -> None:
    budget = BodyBudget(5 * MIB, wait_s=0.05)
    await budget.claim(request(), 4 * MIB)
    with pytest.raises(ApiError) as refused:
        await budget.claim(request(), 2 * MIB)
    assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "2"}
    assert budget.held == 4 * MIB


async def test_an_undeclared_body_is_claimed_as_it_grows_and_refused_at_once_past_the_budget() -> None:
    budget = BodyBudget(5 * MIB, wait_s=5)
    growing = request()
    budget.extend(growing, MIB // 2)
    assert budget.held == 0
    budget.extend(growing, 2 * MIB)
    budget.extend(growing, 3 * MIB)
    assert budget.held == 3 * MIB
    other = request()
    await budget.claim(other, 2 * MIB)
    with pytest.raises(ApiError):
        budget.extend(growing, 4 * MIB)
    await budget.release(growing)
    await budget.release(other)
    assert budget.held == 0
