"""Admission against limits shared by every replica, at local speed: leases from shared counters.

A replica takes a slice of what remains of a window from the shared PostgreSQL counter in one
statement and spends it locally; only an empty lease costs a round trip. The shared counter never
passes the limit through leases, so replicas together never admit more than the limit; allowance
leased by one replica and not yet spent is unavailable to the others until the window ends, so a
refusal may come early by at most what the other replicas hold (replicas x slice, each slice at
most 1/USAGE_LEASE_DIVISOR of what remained when it was taken, and 1 when little remains).
No limit for any of a caller's subjects: no counter work at all.
"""

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.common.identity import Identity
from services.common.usage.limit_rules import (
    LIMIT_FIELDS,
    REQUESTS,
    Check,
    Limits,
    checks_for,
    subjects_of,
)
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import LimitStore, StoredLimits
from services.common.usage.limit_windows import MONTH, reset_text, window_end, window_start
from services.common.usage.rate_limited import RateLimited

Clock = Callable[[], float]
log = logging.getLogger(__name__)


class LimitBook:
    """Each subject's limits in effect: stored rows over the environment's defaults, re-read from
    PostgreSQL at most every USAGE_LIMITS_TTL_S (single-flight, on the request that finds it stale)."""

    def __init__(self, store: LimitStore, settings: LimitSettings, clock: Clock = time.monotonic) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._stored: dict[tuple[str, str], StoredLimits] = {}
        self._loaded_at: float | None = None
        self._loading: asyncio.Task | None = None
        self._defaults = {kind: Limits(*settings.defaults(kind)) for kind in ("key", "user", "group")}

    def invalidate(self) -> None:
        self._loaded_at = None

    async def fresh(self) -> None:
        if self._loaded_at is not None and self._clock() - self._loaded_at < self._settings.limits_ttl_s:
            return
        if self._loading is None or self._loading.done():
            self._loading = asyncio.ensure_future(self._load())
        try:
            await asyncio.shield(self._loading)
        except Exception as error:
            # PostgreSQL down must not stop callers without limits: the last known limits stay in
            # force and the next read is tried a TTL later (callers with limits then fail on their
            # counters, as 503).
            log.warning("usage limits could not be read (%s); keeping the last known", type(error).__name__)
            self._loaded_at = self._clock()

    async def _load(self) -> None:
        rows = await self._store.all_limits()
        self._stored = {(row.subject_type, row.subject_id): row for row in rows}
        self._loaded_at = self._clock()

    def limits_for(self, subject_type: str, subject_id: str) -> Limits:
        default = self._defaults[subject_type]
        row = self._stored.get((subject_type, subject_id))
        if row is None:
            return default
        values = [getattr(row, name) for name in LIMIT_FIELDS]
        return Limits(
            *(getattr(default, n) if v is None else v for n, v in zip(LIMIT_FIELDS, values, strict=True))
        )

    def stored(self) -> list[StoredLimits]:
        return list(self._stored.values())


@dataclass(slots=True)
class _Lease:
    left: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(slots=True)
class Ticket:
    """What an admitted request was charged; ``settle`` charges the actual tokens when it ends."""

    limiter: "Limiter | None"
    checks: list[tuple[Check, int]] = field(default_factory=list)  # (check, window start)
    estimate: int = 0
    settled: bool = False
    # x-ratelimit-* headers a successful reply carries.
    headers: dict[str, str] = field(default_factory=dict)

    async def settle(self, actual_tokens: int | None) -> None:
        if self.settled or self.limiter is None:
            return
        self.settled = True
        if actual_tokens is None or actual_tokens == self.estimate:
            return
        await self.limiter.adjust(self, actual_tokens - self.estimate)


# The ticket of a caller without limits: settling it costs nothing.
FREE = Ticket(None, settled=True)


class Limiter:
    def __init__(self, store: LimitStore, settings: LimitSettings, clock: Clock = time.time) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self.book = LimitBook(store, settings)
        self._leases: dict[tuple[str, str, str, int], _Lease] = {}
        # (limit, what the shared counter had left at most) per counter window, as last seen.
        self._shared_left: dict[tuple[str, str, str, int], tuple[int, int]] = {}
        self._pruned_at = 0.0
        self._db_pruned_at = 0.0

    def _checks(self, identity: Identity) -> list[Check]:
        found: list[Check] = []
        for subject_type, subject_id in subjects_of(identity):
            limits = self.book.limits_for(subject_type, subject_id)
            if limits.any():
                found.extend(checks_for(subject_type, subject_id, limits))
        return found

    async def admit(
        self, identity: Identity, tokens: int | Callable[[], int], *, requests: bool = True
    ) -> Ticket:
        """Admits one request estimated at ``tokens`` or raises RateLimited naming the limit; a
        callable estimate is computed only when a token limit applies. ``requests=False`` leaves
        the request limits out (ingestion is charged to the token budgets only)."""
        await self.book.fresh()
        checks = self._checks(identity)
        if not requests:
            checks = [check for check in checks if check.unit != REQUESTS]
        if not checks:
            return FREE
        if callable(tokens):
            tokens = tokens() if any(check.unit != REQUESTS for check in checks) else 0
        now = self._clock()
        await self._maybe_prune(now)
        taken: list[tuple[Check, int, int]] = []
        for check in checks:
            cost = 1 if check.unit == REQUESTS else tokens
            start = window_start(check.window, now)
            refused = await self._spend(check, start, cost)
            if refused is not None:
                for done, done_start, done_cost in taken:
                    self._lease(done, done_start).left += done_cost
                raise self._refusal(check, start, now, refused)
            taken.append((check, start, cost))
        tokens_checks = [(check, start) for check, start, _ in taken if check.unit != REQUESTS]
        return Ticket(self, tokens_checks, tokens, headers=self._headers(taken, now))

    def _headers(self, taken: list[tuple[Check, int, int]], now: float) -> dict[str, str]:
        """x-ratelimit-* of an admitted request: per unit, the limit with the least left (what the
        shared counter had left when last seen, plus this replica's lease: an upper bound)."""
        tightest: dict[str, tuple[int, Check, int]] = {}
        for check, start, _ in taken:
            known = self._shared_left.get((check.subject_type, check.subject_id, check.counter, start))
            shared = known[1] if known is not None and known[0] == check.limit else check.limit
            left = max(0, shared) + self._lease(check, start).left
            suffix = "requests" if check.unit == REQUESTS else "tokens"
            if suffix not in tightest or left < tightest[suffix][0]:
                tightest[suffix] = (left, check, start)
        headers = {}
        for suffix, (left, check, start) in tightest.items():
            headers[f"x-ratelimit-limit-{suffix}"] = str(check.limit)
            headers[f"x-ratelimit-remaining-{suffix}"] = str(left)
            headers[f"x-ratelimit-reset-{suffix}"] = reset_text(window_end(check.window, start) - now)
        return headers

    def _lease(self, check: Check, start: int) -> _Lease:
        key = (check.subject_type, check.subject_id, check.counter, start)
        lease = self._leases.get(key)
        if lease is None:
            lease = self._leases[key] = _Lease()
        return lease

    async def _spend(self, check: Check, start: int, cost: int) -> int | None:
        """Spends ``cost`` from the local lease, topping it up from the shared counter when short;
        None when spent, else the shared counter's used value (for the refusal's headers)."""
        if cost <= 0:
            return None
        lease = self._lease(check, start)
        if lease.left >= cost:
            lease.left -= cost
            return None
        # One top-up per counter at a time: a burst that finds the lease empty waits for the one
        # round trip in flight instead of each taking a slice (which would strand allowance here).
        async with lease.lock:
            if lease.left >= cost:
                lease.left -= cost
                return None
            return await self._top_up(check, start, cost, lease)

    async def _top_up(self, check: Check, start: int, cost: int, lease: _Lease) -> int | None:
        key = (check.subject_type, check.subject_id, check.counter, start)
        known = self._shared_left.get(key)
        if known is not None and known[0] == check.limit and known[1] < cost:
            # The shared counter only grows within a window: what it had left last time is an
            # upper bound, so a refusal needs no round trip (a spent limit costs nothing to repeat).
            return check.limit - known[1]
        used, granted = await self._store.lease(
            (check.subject_type, check.subject_id),
            check.counter,
            start,
            cost,
            check.limit,
            self._settings.lease_divisor,
        )
        self._shared_left[key] = (check.limit, check.limit - used)
        if granted < cost:
            # Less than the cost remains: whatever the lease still holds may serve a cheaper request.
            return used
        lease.left += granted - cost
        return None

    def _refusal(self, check: Check, start: int, now: float, used: int) -> RateLimited:
        reset_s = window_end(check.window, start) - now
        remaining = max(0, check.limit - used) + self._lease(check, start).left
        suffix = "requests" if check.unit == REQUESTS else "tokens"
        headers = {
            "Retry-After": str(max(1, math.ceil(reset_s))),
            f"x-ratelimit-limit-{suffix}": str(check.limit),
            f"x-ratelimit-remaining-{suffix}": str(remaining),
            f"x-ratelimit-reset-{suffix}": reset_text(reset_s),
        }
        what = f"{check.name} ({check.limit} {check.unit} per {check.window})"
        detail = f"Rate limit reached for {check.subject_type} {check.subject_id}: {what}"
        limit = {
            "type": "rate_limit_exceeded",
            "subject_type": check.subject_type,
            "subject_id": check.subject_id,
            "limit": check.name,
            "value": check.limit,
            "window": check.window,
            "retry_after": int(headers["Retry-After"]),
        }
        return RateLimited(detail, limit, headers)

    async def adjust(self, ticket: Ticket, difference: int) -> None:
        """Charges (or gives back) the difference between a reply's actual tokens and its estimate."""
        for check, start in ticket.checks:
            lease = self._lease(check, start)
            if difference < 0:
                # Given back to this replica's lease: spent by its next requests in the same window.
                lease.left += -difference
            elif lease.left >= difference:
                lease.left -= difference
            else:
                short, lease.left = difference - lease.left, 0
                subject = (check.subject_type, check.subject_id)
                used = await self._store.charge(subject, check.counter, start, short)
                self._shared_left[(*subject, check.counter, start)] = (check.limit, check.limit - used)

    async def refuse_if_spent(self, identity: Identity) -> None:
        """Raises RateLimited when one of the caller's token limits has nothing left (an upload is
        refused before it is stored); otherwise costs nothing (the token taken is given back)."""
        ticket = await self.admit(identity, 1, requests=False)
        await ticket.settle(0)

    async def charge(self, identity: Identity, tokens: int) -> None:
        """Charges work already done (a file embedded) to the caller's token limits: from the local
        lease where it holds enough, else straight to the shared counter, past the limit if it must."""
        if tokens <= 0:
            return
        await self.book.fresh()
        now = self._clock()
        for check in self._checks(identity):
            if check.unit == REQUESTS:
                continue
            start = window_start(check.window, now)
            await self.adjust(Ticket(self, [(check, start)], 0), tokens)

    async def _maybe_prune(self, now: float) -> None:
        # Local leases of windows that ended are dropped; the shared rows too, once an hour.
        if now - self._pruned_at < 60:
            return
        self._pruned_at = now
        minute = int(now) - 60
        self._leases = {
            key: lease
            for key, lease in self._leases.items()
            if window_end(key[2].split(":", 1)[1], key[3]) > minute
        }
        self._shared_left = {
            key: known
            for key, known in self._shared_left.items()
            if window_end(key[2].split(":", 1)[1], key[3]) > minute
        }
        if now - self._db_pruned_at >= 3600:
            self._db_pruned_at = now
            await self._store.prune(int(now), window_start(MONTH, now))

    async def put_limits(self, limits: StoredLimits) -> StoredLimits:
        stored = await self._store.put_limits(limits)
        self.book.invalidate()
        return stored

    async def delete_limits(self, subject_type: str, subject_id: str) -> bool:
        deleted = await self._store.delete_limits(subject_type, subject_id)
        self.book.invalidate()
        return deleted

    async def list_limits(self) -> list[StoredLimits]:
        return await self._store.all_limits()
