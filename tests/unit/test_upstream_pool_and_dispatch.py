"""UpstreamPool choice and health, and Dispatcher failover and accounting, over a scripted fake transport."""

import asyncio
import random
from collections import Counter
from contextlib import asynccontextmanager

import pytest

from services.common.errors import BadGateway
from services.inference.dispatch import PROBE_PATHS, Dispatcher
from services.inference.transport import ConnectFailed, Timeouts, UpstreamBroke
from services.inference.upstreams import Kind, Upstream, UpstreamPool
from tests.unit.fake_transport import Clock, FakeResponse, FakeTransport

TIMEOUTS = Timeouts(total_s=5.0, connect_s=1.0)


def ollama(idx: int) -> Upstream:
    return Upstream(Kind.OLLAMA, idx, f"http://ollama{idx}:11434")


def make_pool(*upstreams: Upstream, threshold: int = 2, cooldown: float = 30.0, clock=None, rng=None):
    return UpstreamPool(upstreams, threshold, cooldown, clock=clock or Clock(), rng=rng or random.Random(7))


# -- UpstreamPool ------------------------------------------------------------------------------


def test_choose_prefers_fewest_in_flight() -> None:
    a, b, c = ollama(0), ollama(1), ollama(2)
    a.in_flight, b.in_flight, c.in_flight = 3, 1, 2
    pool = make_pool(a, b, c)
    assert all(pool.choose([a, b, c]) is b for _ in range(20))


def test_choose_tie_break_spreads_across_equal_ones() -> None:
    a, b, c = ollama(0), ollama(1), ollama(2)
    c.in_flight = 1
    pool = make_pool(a, b, c, rng=random.Random(1))
    counts = Counter(pool.choose([a, b, c]).name for _ in range(200))
    assert set(counts) == {a.name, b.name}
    assert counts[a.name] > 50 and counts[b.name] > 50


def test_choose_skips_excluded() -> None:
    a, b = ollama(0), ollama(1)
    b.in_flight = 5
    pool = make_pool(a, b)
    assert pool.choose([a, b], exclude=[a]) is b
    assert pool.choose([a, b], exclude=[a, b]) is None
    assert pool.choose([]) is None


def test_choose_skips_cooling_when_a_healthy_one_remains() -> None:
    clock = Clock()
    a, b = ollama(0), ollama(1)
    b.in_flight = 9
    pool = make_pool(a, b, threshold=1, clock=clock)
    pool.record_failure(a)
    assert pool.is_cooling(a)
    assert all(pool.choose([a, b]) is b for _ in range(10))


def test_choose_all_cooling_takes_the_one_whose_cool_down_ends_first() -> None:
    clock = Clock()
    a, b, c = ollama(0), ollama(1), ollama(2)
    pool = make_pool(a, b, c, threshold=1, cooldown=30.0, clock=clock)
    pool.record_failure(b)
    clock.now += 5
    pool.record_failure(a)
    clock.now += 5
    pool.record_failure(c)
    assert pool.choose([a, b, c]) is b
    assert pool.choose([a, b, c], exclude=[b]) is a


def test_failure_threshold_cools_down_and_success_resets() -> None:
    clock = Clock(100.0)
    a = ollama(0)
    pool = make_pool(a, threshold=3, cooldown=30.0, clock=clock)
    pool.record_failure(a)
    pool.record_failure(a)
    assert a.failures == 2 and not pool.is_cooling(a)
    pool.record_failure(a)
    assert pool.is_cooling(a)
    assert a.cooled_until == 130.0
    pool.record_success(a)
    assert a.failures == 0 and not pool.is_cooling(a)
    # A success in between breaks the run: failures count in a row.
    pool.record_failure(a)
    pool.record_failure(a)
    pool.record_success(a)
    pool.record_failure(a)
    pool.record_failure(a)
    assert not pool.is_cooling(a)


def test_end_accounts_in_flight_and_outcome() -> None:
    a = ollama(0)
    pool = make_pool(a, threshold=1)
    pool.begin(a)
    pool.begin(a)
    assert a.in_flight == 2
    pool.end(a, ok=None)
    assert a.in_flight == 1 and a.failures == 0
    pool.end(a, ok=False)
    assert a.in_flight == 0 and a.failures == 1 and pool.is_cooling(a)
    pool.begin(a)
    pool.end(a, ok=True)
    assert a.in_flight == 0 and a.failures == 0 and not pool.is_cooling(a)


def test_due_for_probe_after_cool_down_and_probe_failed_extends() -> None:
    clock = Clock(100.0)
    a, b = ollama(0), ollama(1)
    pool = make_pool(a, b, threshold=1, cooldown=30.0, clock=clock)
    pool.record_failure(a)
    assert pool.due_for_probe() == []
    clock.now = 129.9
    assert pool.due_for_probe() == []
    clock.now = 130.0
    assert pool.due_for_probe() == [a]
    pool.probe_failed(a)
    assert a.cooled_until == 160.0
    assert pool.due_for_probe() == []
    clock.now = 160.0
    assert pool.due_for_probe() == [a]


def test_of_kind_and_get() -> None:
    o0, o1 = ollama(0), ollama(1)
    p0 = Upstream(Kind.OPENAI, 0, "https://api.example.com/v1", "sk-secret")
    pool = make_pool(o0, p0, o1)
    assert pool.of_kind(Kind.OLLAMA) == [o0, o1]
    assert pool.of_kind(Kind.OPENAI) == [p0]
    assert pool.get(Kind.OPENAI, 0) is p0
    assert pool.get(Kind.OLLAMA, 1) is o1
    assert pool.get(Kind.OPENAI, 1) is None
    assert p0.auth_headers() == {"Authorization": "Bearer sk-secret"}
    assert o0.auth_headers() == {}
    assert "sk-secret" not in repr(p0)
    assert p0.name == "openai[0]"


# -- Dispatcher.send ---------------------------------------------------------------------------


def make_dispatcher(*upstreams: Upstream, script=None, threshold: int = 3, clock=None):
    pool = make_pool(*upstreams, threshold=threshold, clock=clock)
    transport = FakeTransport(script)
    return Dispatcher(pool, transport, TIMEOUTS), transport


async def test_send_success_accounting() -> None:
    a = ollama(0)
    a.failures = 2
    dispatcher, transport = make_dispatcher(a, script={a.name: FakeResponse(201, body=b"ok")})
    async with dispatcher.send([a], "POST", "/api/chat", b"{}") as (upstream, response):
        assert upstream is a
        assert a.in_flight == 1
        assert response.status == 201
        assert await response.read() == b"ok"
    assert a.in_flight == 0
    assert a.failures == 0
    assert transport.calls == [(a.name, "POST", "/api/chat")]
    assert transport.closed == [a.name]


async def test_send_error_status_is_still_a_reachable_upstream() -> None:
    a = ollama(0)
    a.failures = 1
    dispatcher, _ = make_dispatcher(a, script={a.name: FakeResponse(500, body=b"boom")})
    async with dispatcher.send([a], "GET", "/x") as (_, response):
        assert response.status == 500
    assert a.failures == 0 and a.in_flight == 0


async def test_send_retries_once_on_another_upstream_when_connecting_failed() -> None:
    a, b = ollama(0), ollama(1)
    b.in_flight = 1  # so that ``a`` is chosen first
    dispatcher, transport = make_dispatcher(a, b, script={a.name: ConnectFailed("refused")})
    async with dispatcher.send([a, b], "POST", "/api/chat") as (upstream, response):
        assert upstream is b
        assert response.status == 200
        assert a.in_flight == 0 and b.in_flight == 2
    assert [c[0] for c in transport.calls] == [a.name, b.name]
    assert a.failures == 1 and a.in_flight == 0
    assert b.failures == 0 and b.in_flight == 1


async def test_send_body_made_for_each_upstream_tried() -> None:
    a, b = ollama(0), ollama(1)
    b.in_flight = 1
    dispatcher, transport = make_dispatcher(a, b, script={a.name: ConnectFailed("refused")})
    async with dispatcher.send([a, b], "POST", "/x", lambda u: u.base_url.encode()) as (upstream, _):
        assert upstream is b
    assert transport.bodies == [a.base_url.encode(), b.base_url.encode()]


async def test_send_both_unreachable_is_bad_gateway_with_the_given_text() -> None:
    a, b = ollama(0), ollama(1)
    script = {a.name: ConnectFailed("refused"), b.name: ConnectFailed("refused")}
    dispatcher, transport = make_dispatcher(a, b, script=script)
    with pytest.raises(BadGateway) as excinfo:
        async with dispatcher.send([a, b], "GET", "/x", unreachable="nobody home"):
            pytest.fail("the body must not run")
    assert excinfo.value.detail == "nobody home"
    assert excinfo.value.http_status == 502
    assert len(transport.calls) == 2
    assert a.failures == 1 and b.failures == 1
    assert a.in_flight == 0 and b.in_flight == 0


async def test_send_tries_at_most_two_upstreams() -> None:
    a, b, c = ollama(0), ollama(1), ollama(2)
    script = {a.name: ConnectFailed("x"), b.name: ConnectFailed("x"), c.name: FakeResponse()}
    c.in_flight = 10  # chosen last
    dispatcher, transport = make_dispatcher(a, b, c, script=script)
    with pytest.raises(BadGateway):
        async with dispatcher.send([a, b, c], "GET", "/x"):
            pass
    assert {call[0] for call in transport.calls} == {a.name, b.name}
    assert c.failures == 0 and c.in_flight == 10


async def test_send_single_candidate_unreachable() -> None:
    a = ollama(0)
    dispatcher, transport = make_dispatcher(a, script={a.name: ConnectFailed("x")})
    with pytest.raises(BadGateway):
        async with dispatcher.send([a], "GET", "/x"):
            pass
    assert len(transport.calls) == 1
    assert a.failures == 1 and a.in_flight == 0


async def test_send_no_candidates_is_bad_gateway() -> None:
    dispatcher, transport = make_dispatcher()
    with pytest.raises(BadGateway):
        async with dispatcher.send([], "GET", "/x", unreachable="none"):
            pass
    assert transport.calls == []


async def test_send_upstream_broke_while_opening_is_not_retried() -> None:
    a, b = ollama(0), ollama(1)
    b.in_flight = 1
    dispatcher, transport = make_dispatcher(a, b, script={a.name: UpstreamBroke("reset")})
    with pytest.raises(BadGateway) as excinfo:
        async with dispatcher.send([a, b], "POST", "/api/chat", unreachable="broke"):
            pass
    assert excinfo.value.detail == "broke"
    assert isinstance(excinfo.value.__cause__, UpstreamBroke)
    assert [c[0] for c in transport.calls] == [a.name]
    assert a.failures == 1 and a.in_flight == 0


async def test_send_upstream_broke_in_the_body_is_bad_gateway_and_a_failure() -> None:
    a = ollama(0)
    response = FakeResponse(parts=[b"one\n", b"two\n"], break_after=1)
    dispatcher, transport = make_dispatcher(a, script={a.name: response})
    seen = []
    with pytest.raises(BadGateway) as excinfo:
        async with dispatcher.send([a], "POST", "/api/chat", unreachable="mid") as (_, reply):
            async for line in reply.lines():
                seen.append(line)
    assert seen == [b"one\n"]
    assert excinfo.value.detail == "mid"
    assert a.failures == 1 and a.in_flight == 0
    assert transport.closed == [a.name]


async def test_send_upstream_broke_on_read_is_bad_gateway() -> None:
    a = ollama(0)
    dispatcher, _ = make_dispatcher(a, script={a.name: FakeResponse(break_on_read=True)})
    with pytest.raises(BadGateway):
        async with dispatcher.send([a], "GET", "/x") as (_, reply):
            await reply.read()
    assert a.failures == 1 and a.in_flight == 0


async def test_send_cancelled_in_the_body_counts_neither_success_nor_failure() -> None:
    a = ollama(0)
    a.failures = 1
    dispatcher, transport = make_dispatcher(a)
    with pytest.raises(asyncio.CancelledError):
        async with dispatcher.send([a], "GET", "/x"):
            raise asyncio.CancelledError
    assert a.failures == 1 and a.in_flight == 0
    assert transport.closed == [a.name]


async def test_send_cancelled_task_counts_neither() -> None:
    a = ollama(0)
    a.failures = 1
    dispatcher, _ = make_dispatcher(a)
    entered = asyncio.Event()

    async def consume() -> None:
        async with dispatcher.send([a], "GET", "/x"):
            entered.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(consume())
    await entered.wait()
    assert a.in_flight == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert a.failures == 1 and a.in_flight == 0


async def test_send_other_error_in_the_body_propagates_uncounted() -> None:
    a = ollama(0)
    a.failures = 1
    dispatcher, _ = make_dispatcher(a)
    with pytest.raises(ValueError, match="caller bug"):
        async with dispatcher.send([a], "GET", "/x"):
            raise ValueError("caller bug")
    assert a.failures == 1 and a.in_flight == 0


async def test_send_failures_in_a_row_take_an_upstream_out_of_rotation() -> None:
    clock = Clock()
    a, b = ollama(0), ollama(1)
    dispatcher, transport = make_dispatcher(
        a, b, script={a.name: ConnectFailed("x")}, threshold=2, clock=clock
    )
    for _ in range(50):
        async with dispatcher.send([a, b], "GET", "/x") as (upstream, _):
            assert upstream is b
    assert dispatcher.pool.is_cooling(a)
    # Once cooling, ``a`` is not chosen while ``b`` is healthy: exactly ``threshold`` attempts.
    assert sum(1 for call in transport.calls if call[0] == a.name) == 2
    assert a.in_flight == 0 and b.in_flight == 0


async def test_send_uses_given_timeouts_and_headers() -> None:
    a = ollama(0)
    seen = {}

    class Recording(FakeTransport):
        @asynccontextmanager
        async def request(self, upstream, method, path, body, timeouts, headers=None):
            seen.update(body=body, timeouts=timeouts, headers=headers)
            yield FakeResponse()

    dispatcher = Dispatcher(make_pool(a), Recording(), TIMEOUTS)
    async with dispatcher.send([a], "POST", "/x", b"{}"):
        pass
    assert seen == {"body": b"{}", "timeouts": TIMEOUTS, "headers": None}
    custom = Timeouts(total_s=1.0, connect_s=0.5)
    async with dispatcher.send([a], "POST", "/x", None, timeouts=custom, headers={"X-A": "1"}):
        pass
    assert seen == {"body": None, "timeouts": custom, "headers": {"X-A": "1"}}


# -- probes ------------------------------------------------------------------------------------


async def test_probe_any_status_is_up_and_transport_errors_are_down() -> None:
    a, b, c = ollama(0), ollama(1), Upstream(Kind.OPENAI, 0, "https://api.example.com/v1")
    script = {a.name: FakeResponse(503), b.name: ConnectFailed("x"), c.name: UpstreamBroke("y")}
    dispatcher, transport = make_dispatcher(a, b, c, script=script)
    assert await dispatcher.probe(a) is True
    assert await dispatcher.probe(b) is False
    assert await dispatcher.probe(c) is False
    assert transport.calls == [
        (a.name, "GET", PROBE_PATHS[Kind.OLLAMA]),
        (b.name, "GET", "/api/version"),
        (c.name, "GET", "/models"),
    ]


async def test_run_probes_puts_a_recovered_upstream_back() -> None:
    clock = Clock(100.0)
    a, b = ollama(0), ollama(1)
    script = {b.name: ConnectFailed("still down")}
    dispatcher, transport = make_dispatcher(a, b, script=script, threshold=1, clock=clock)
    dispatcher.pool.record_failure(a)
    dispatcher.pool.record_failure(b)
    clock.now = 200.0  # both cool-downs are over
    task = asyncio.create_task(dispatcher.run_probes(0.001))
    try:
        for _ in range(200):
            if not dispatcher.pool.is_cooling(a) and any(c[0] == b.name for c in transport.calls):
                break
            await asyncio.sleep(0.001)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not dispatcher.pool.is_cooling(a) and a.failures == 0
    # The one still down is cooled down again from now, so it is not probed again at once.
    assert dispatcher.pool.is_cooling(b)
    assert b.cooled_until == 230.0
    assert sum(1 for c in transport.calls if c[0] == b.name) == 1


# -- fetch_json --------------------------------------------------------------------------------


async def test_fetch_json_parses_and_counts_success() -> None:
    a = ollama(0)
    a.failures = 2
    dispatcher, _ = make_dispatcher(a, script={a.name: FakeResponse(body=b'{"models": []}')})
    assert await dispatcher.fetch_json(a, "/api/tags", TIMEOUTS) == {"models": []}
    assert a.failures == 0


async def test_fetch_json_connect_failed_is_none_and_a_failure() -> None:
    a = ollama(0)
    dispatcher, _ = make_dispatcher(a, script={a.name: ConnectFailed("refused")})
    assert await dispatcher.fetch_json(a, "/api/tags", TIMEOUTS) is None
    assert a.failures == 1 and a.in_flight == 0


async def test_fetch_json_broken_read_is_none_and_a_failure() -> None:
    a = ollama(0)
    dispatcher, _ = make_dispatcher(a, script={a.name: FakeResponse(break_on_read=True)})
    assert await dispatcher.fetch_json(a, "/api/tags", TIMEOUTS) is None
    assert a.failures == 1


async def test_fetch_json_invalid_json_or_error_status_is_none() -> None:
    a, b = ollama(0), ollama(1)
    script = {a.name: FakeResponse(body=b"<html>"), b.name: FakeResponse(404, body=b'{"error": "x"}')}
    dispatcher, _ = make_dispatcher(a, b, script=script)
    assert await dispatcher.fetch_json(a, "/api/tags", TIMEOUTS) is None
    assert await dispatcher.fetch_json(b, "/api/tags", TIMEOUTS) is None
    # The upstream answered: not its failure.
    assert a.failures == 0 and b.failures == 0
