"""A server's named gRPC health follows what it cannot serve without (database, broker, must-run
loops), so that readiness probes and balancers send it no calls it would fail."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from grpc_health.v1 import health, health_pb2

from services.common.supervised import Supervised

if TYPE_CHECKING:
    # Types only: every gRPC server imports this module, and nats (with the aiohttp it imports)
    # costs a service that never connects to NATS 0.15-0.2 s of its start.
    import asyncpg
    from nats.aio.client import Client as Nats

log = logging.getLogger(__name__)

# Answers whether one dependency is usable now; raising or running past the timeout counts as no.
Check = Callable[[], Awaitable[bool]]

_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def pool_check(pool: "asyncpg.Pool") -> Check:
    """PostgreSQL answers a query through the pool the service's calls use."""

    async def check() -> bool:
        return await pool.fetchval("SELECT 1") == 1

    return check


def nats_check(nc: "Nats") -> Check:
    """The NATS connection is up (not reconnecting)."""

    async def check() -> bool:
        return nc.is_connected

    return check


def flag_check(healthy: Callable[[], bool]) -> Check:
    """A condition the service tracks itself (its must-run loops are running)."""

    async def check() -> bool:
        return healthy()

    return check


class DependencyHealth:
    """Checks every ``interval_s``; after ``down_after`` rounds in a row with a failed check the
    named services answer NOT_SERVING (so ``/ready`` and readiness probes turn away traffic), and
    SERVING again after the first round that passes. The whole-server status ("") is left SERVING:
    it is what liveness probes ask, and restarting a process does not bring its database back."""

    def __init__(
        self,
        health_servicer: health.aio.HealthServicer,
        service_names: Sequence[str],
        checks: Mapping[str, Check],
        *,
        interval_s: float = 1.0,
        timeout_s: float = 2.0,
        down_after: int = 2,
    ) -> None:
        self._health = health_servicer
        self._names = tuple(service_names)
        self._checks = dict(checks)
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._down_after = down_after
        self._serving = True
        self._loop = Supervised("dependency-health", self._watch)

    @property
    def serving(self) -> bool:
        return self._serving

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def failing(self) -> list[str]:
        """The names of the checks that fail now."""
        names = list(self._checks)
        results = await asyncio.gather(*(self._passes(name) for name in names))
        return [name for name, passed in zip(names, results, strict=True) if not passed]

    async def _passes(self, name: str) -> bool:
        try:
            return await asyncio.wait_for(self._checks[name](), self._timeout_s)
        except Exception as error:
            # Any failure of a check means "not usable now"; the reason is logged on the transition.
            log.debug("health check %s failed: %s", name, type(error).__name__)
            return False

    async def _watch(self) -> None:
        failed_rounds = 0
        while True:
            failing = await self.failing()
            failed_rounds = failed_rounds + 1 if failing else 0
            if self._serving and failed_rounds >= self._down_after:
                log.warning("health NOT_SERVING: %s unavailable", ", ".join(failing))
                await self._set(_NOT_SERVING)
            elif not self._serving and not failing:
                log.info("health SERVING: dependencies are back")
                await self._set(_SERVING)
            await asyncio.sleep(self._interval_s)

    async def _set(self, status: int) -> None:
        self._serving = status == _SERVING
        for name in self._names:
            # Ignored once the server is shutting down, which stays NOT_SERVING.
            await self._health.set(name, status)
