"""Limits: window math, lease sizing, estimate-then-charge (an in-memory store with the SQL's rules)."""

from datetime import UTC, datetime

import pytest

from services.common.identity import Identity, KeyScope
from services.common.usage.limit_rules import Limits, checks_for, subjects_of
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import StoredLimits
from services.common.usage.limit_windows import DAY, MINUTE, MONTH, reset_text, window_end, window_start
from services.common.usage.limiter import FREE, Limiter
from services.common.usage.rate_limited import RateLimited, headers_from_trailers

T0 = int(datetime(2026, 12, 3, 10, 15, 30, tzinfo=UTC).timestamp())


class MemoryStore:
    """The lease and charge statements of LimitStore, in memory (same arithmetic)."""

    def __init__(self, rows: list[StoredLimits] = ()) -> None:
        self.rows = {(r.subject_type, r.subject_id): r for r in rows}
        self.used: dict[tuple, int] = {}
        self.leases = 0

    async def all_limits(self) -> list[StoredLimits]:
        return list(self.rows.values())

    async def lease(self, subject, counter, start, need, limit, divisor):
        self.leases += 1
        key = (*subject, counter, start)
        remaining = limit - self.used.get(key, 0)
        grant = min(remaining, max(need, remaining // divisor)) if remaining >= need else 0
        self.used[key] = self.used.get(key, 0) + grant
        return self.used[key], grant

    async def charge(self, subject, counter, start, amount):
        key = (*subject, counter, start)
        self.used[key] = self.used.get(key, 0) + amount
        return self.used[key]

    async def prune(self, now_s, month_start):
        return None


def settings(**values) -> LimitSettings:
    return LimitSettings(**{k.upper(): v for k, v in values.items()})


def key_caller(key_id="k1", user_id="u1", groups=()) -> Identity:
    return Identity(
        user_id=user_id, via_api_key=True, group_ids=frozenset(groups), scope=KeyScope(key_id=key_id)
    )


def test_windows_start_and_end():
    assert window_start(MINUTE, T0) == T0 - 30
    assert window_end(MINUTE, T0 - 30) == T0 + 30
    day = window_start(DAY, T0)
    assert datetime.fromtimestamp(day, UTC) == datetime(2026, 12, 3, tzinfo=UTC)
    assert window_end(DAY, day) - day == 86400
    month = window_start(MONTH, T0)
    assert datetime.fromtimestamp(month, UTC) == datetime(2026, 12, 1, tzinfo=UTC)
    assert datetime.fromtimestamp(window_end(MONTH, month), UTC) == datetime(2027, 1, 1, tzinfo=UTC)


def test_reset_text_is_openai_style():
    assert reset_text(0.2) == "1s"
    assert reset_text(59) == "59s"
    assert reset_text(360) == "6m0s"
    assert reset_text(3723) == "1h2m3s"


def test_tpd_and_budget_day_share_the_day_counter_tighter_wins():
    checks = checks_for("user", "u", Limits(rpm=5, tpd=1000, budget_day=300, budget_month=9000))
    names = sorted(c.name for c in checks)
    assert names == ["budget_day", "budget_month", "rpm"]


def test_subjects_are_key_user_and_groups():
    assert subjects_of(key_caller(groups=["g2", "g1"])) == [
        ("key", "k1"),
        ("user", "u1"),
        ("group", "g1"),
        ("group", "g2"),
    ]
    assert subjects_of(Identity(user_id="u")) == [("user", "u")]


async def test_no_limits_means_no_counter_work():
    store = MemoryStore()
    limiter = Limiter(store, settings(), clock=lambda: T0)
    assert await limiter.admit(key_caller(), 100) is FREE
    assert store.leases == 0


async def test_small_limit_is_exact_and_refusal_names_the_limit():
    store = MemoryStore([StoredLimits("key", "k1", rpm=3)])
    limiter = Limiter(store, settings(), clock=lambda: T0)
    for used in range(1, 4):
        ticket = await limiter.admit(key_caller(), 0)
        assert ticket.headers["x-ratelimit-remaining-requests"] == str(3 - used)
        assert ticket.headers["x-ratelimit-limit-requests"] == "3"
    with pytest.raises(RateLimited) as refused:
        await limiter.admit(key_caller(), 0)
    error = refused.value
    assert error.limit["subject_type"] == "key" and error.limit["limit"] == "rpm"
    assert error.headers["x-ratelimit-limit-requests"] == "3"
    assert error.headers["x-ratelimit-remaining-requests"] == "0"
    assert error.headers["x-ratelimit-reset-requests"] == "30s"
    assert error.headers["Retry-After"] == "30"
    headers, detail = headers_from_trailers(error.trailers)
    assert headers["Retry-After"] == "30" and headers["x-ratelimit-limit-requests"] == "3"
    assert detail["limit"] == "rpm" and "message" in detail


async def test_lease_is_a_slice_of_what_remains_so_round_trips_are_rare():
    store = MemoryStore([StoredLimits("user", "u1", rpm=1600)])
    limiter = Limiter(store, settings(USAGE_LEASE_DIVISOR=16), clock=lambda: T0)
    for _ in range(100):
        await limiter.admit(key_caller(), 0)
    # First slice is 1600/16 = 100 requests: one round trip serves all hundred.
    assert store.leases == 1


async def test_the_window_resets():
    now = [T0]
    store = MemoryStore([StoredLimits("user", "u1", rpm=1)])
    limiter = Limiter(store, settings(), clock=lambda: now[0])
    await limiter.admit(key_caller(), 0)
    with pytest.raises(RateLimited):
        await limiter.admit(key_caller(), 0)
    now[0] += 30
    await limiter.admit(key_caller(), 0)


async def test_defaults_from_environment_and_stored_null_falls_back():
    store = MemoryStore([StoredLimits("user", "u1", rpm=None, tpm=0)])
    limiter = Limiter(store, settings(USAGE_DEFAULT_USER_RPM=1, USAGE_DEFAULT_USER_TPM=5), clock=lambda: T0)
    await limiter.book.fresh()
    assert limiter.book.limits_for("user", "u1") == Limits(rpm=1, tpm=0)
    assert limiter.book.limits_for("user", "other") == Limits(rpm=1, tpm=5)


async def test_estimate_then_charge_actual_usage():
    store = MemoryStore([StoredLimits("user", "u1", tpd=1000)])
    limiter = Limiter(store, settings(USAGE_LEASE_DIVISOR=1), clock=lambda: T0)
    ticket = await limiter.admit(key_caller(), 300)
    day = ("user", "u1", "tokens:day", window_start(DAY, T0))
    # Divisor 1: the whole remainder is leased, 300 of it spent on the estimate.
    assert store.used[day] == 1000
    await ticket.settle(100)  # used less: 200 given back to the local lease
    ticket2 = await limiter.admit(key_caller(), 900)
    await ticket2.settle(1200)  # used more than estimated: the excess charged past the limit
    assert store.used[day] == 1300
    with pytest.raises(RateLimited) as refused:
        await limiter.admit(key_caller(), 1)
    assert refused.value.limit["limit"] == "tpd"
    assert refused.value.headers["x-ratelimit-remaining-tokens"] == "0"


async def test_refused_check_gives_back_what_earlier_checks_spent():
    store = MemoryStore([StoredLimits("key", "k1", rpm=10), StoredLimits("user", "u1", tpm=50)])
    limiter = Limiter(store, settings(USAGE_LEASE_DIVISOR=1), clock=lambda: T0)
    with pytest.raises(RateLimited):
        await limiter.admit(key_caller(), 60)
    for _ in range(10):
        await limiter.admit(key_caller(), 1)


def test_gateway_turns_the_trailers_into_headers_and_a_detail():
    import grpc

    from services.gateway.http_errors import error_from_rpc

    error = RateLimited(
        "Rate limit reached",
        {"limit": "rpm", "subject_type": "key"},
        {"Retry-After": "7", "x-ratelimit-limit-requests": "3"},
    )
    rpc_error = grpc.aio.AioRpcError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(*error.trailers),
        "Rate limit reached",
    )
    api_error = error_from_rpc(rpc_error)
    assert api_error.status == 429
    assert api_error.headers["Retry-After"] == "7"
    assert api_error.headers["x-ratelimit-limit-requests"] == "3"
    assert api_error.detail == {"message": "Rate limit reached", "limit": "rpm", "subject_type": "key"}


def test_estimates_and_reported_usage():
    from services.inference.quotas.quota_gate import estimate_tokens, is_billable_path, tokens_in_tail

    assert estimate_tokens(b'{"messages":[],"max_tokens":50}', 256) == 31 // 4 + 1 + 50
    assert estimate_tokens(b'{"input":"abcd"}', 256, embeddings=True) == 16 // 4 + 1
    assert estimate_tokens(b"{}", 256) == 1 + 256
    usage = b'data: {"usage":{"prompt_tokens":12,"completion_tokens":30}}\n\n'
    sse = b'data: {"choices":[]}\n\n' + usage + b"data: [DONE]\n\n"
    assert tokens_in_tail(sse) == 42
    assert tokens_in_tail(b'{"done":true,"prompt_eval_count":5,"eval_count":7}') == 12
    assert tokens_in_tail(b'{"choices":[]}') is None
    assert is_billable_path("/api/chat") and is_billable_path("/v1/chat/completions/1")
    assert is_billable_path("/chat/completions") and not is_billable_path("/api/tags")


async def test_ingest_refused_when_budget_spent_and_charged_after():
    store = MemoryStore([StoredLimits("user", "u1", rpm=1, budget_day=100)])
    limiter = Limiter(store, settings(), clock=lambda: T0)
    caller = Identity(user_id="u1")
    await limiter.refuse_if_spent(caller)
    await limiter.refuse_if_spent(caller)  # uploads do not count as requests
    await limiter.charge(caller, 100)
    with pytest.raises(RateLimited) as refused:
        await limiter.refuse_if_spent(caller)
    assert refused.value.limit["limit"] == "budget_day"


async def test_unreadable_limits_keep_the_last_known_and_do_not_block_callers():
    store = MemoryStore([StoredLimits("user", "u1", rpm=100)])
    now = [0.0]
    limiter = Limiter(store, settings(USAGE_LIMITS_TTL_S=1), clock=lambda: T0)
    limiter.book._clock = lambda: now[0]
    await limiter.book.fresh()

    async def down():
        raise OSError("connection refused")

    store.all_limits = down
    now[0] = 5.0
    await limiter.admit(Identity(user_id="other"), 0)  # no limits: admitted, no error
    assert limiter.book.limits_for("user", "u1").rpm == 100
