"""Sends a request to one of the upstreams serving it: least busy first, one retry elsewhere when
connecting failed, health bookkeeping, and the probes that bring cooled-down upstreams back."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from prometheus_client import CollectorRegistry

from services.common import messages
from services.common.errors import BadGateway
from services.inference.metrics import UpstreamMetrics, failure_reason
from services.inference.transport import ConnectFailed, Timeouts, Transport, UpstreamBroke, UpstreamResponse
from services.inference.upstreams import Kind, Upstream, UpstreamPool

log = logging.getLogger(__name__)

# The path each kind answers cheaply: a probe only needs to see that the server is up.
PROBE_PATHS = {Kind.OLLAMA: "/api/version", Kind.OPENAI: "/models"}


class Dispatcher:
    """Failover and accounting around ``Transport``; the one way the service calls an upstream."""

    def __init__(
        self,
        pool: UpstreamPool,
        transport: Transport,
        timeouts: Timeouts,
        metrics: UpstreamMetrics | None = None,
    ) -> None:
        self.pool = pool
        self.transport = transport
        self.timeouts = timeouts
        # Counted per attempt; without a registry given, into one nobody reads.
        self.metrics = metrics or UpstreamMetrics(CollectorRegistry())

    @asynccontextmanager
    async def send(
        self,
        candidates: Sequence[Upstream],
        method: str,
        path: str,
        body: bytes | Callable[[Upstream], bytes] | None = None,
        timeouts: Timeouts | None = None,
        headers: Mapping[str, str] | None = None,
        unreachable: str = messages.SERVER_CONNECTION_ERROR,
    ) -> AsyncIterator[tuple[Upstream, UpstreamResponse]]:
        """Opens the request on the best candidate; when connecting fails, once more on another.

        ``body`` may be a function of the chosen upstream (hosts that want the body shaped their
        way). Yields the upstream and its response (status and headers read, body not yet). Raises
        ``BadGateway(unreachable)`` when no candidate could be reached, and when the upstream broke
        while the caller read the body (which counts as a failure of that upstream).
        """
        tried: list[Upstream] = []
        async with AsyncExitStack() as stack:
            while True:
                upstream = self.pool.choose(candidates, exclude=tried)
                if upstream is None or len(tried) == 2:
                    raise BadGateway(unreachable)
                tried.append(upstream)
                self.pool.begin(upstream)
                try:
                    payload = body(upstream) if callable(body) else body
                    response = await stack.enter_async_context(
                        self.transport.request(
                            upstream, method, path, payload, timeouts or self.timeouts, headers
                        )
                    )
                except ConnectFailed as error:
                    log.warning("%s unreachable: %s", upstream.name, error)
                    self.pool.end(upstream, ok=False)
                    self.metrics.error(upstream.kind.value, failure_reason(error, "connect"))
                    continue
                except UpstreamBroke as error:
                    log.warning("%s failed: %s", upstream.name, error)
                    self.pool.end(upstream, ok=False)
                    self.metrics.error(upstream.kind.value, failure_reason(error, "broken"))
                    raise BadGateway(unreachable) from error
                except BaseException:
                    self.pool.end(upstream, ok=None)
                    self.metrics.cancelled(upstream.kind.value)
                    raise
                break
            outcome: bool | None = None
            try:
                yield upstream, response
                outcome = True
            except UpstreamBroke as error:
                log.warning("%s failed mid-reply: %s", upstream.name, error)
                outcome = False
                self.metrics.error(upstream.kind.value, failure_reason(error, "broken"))
                raise BadGateway(unreachable) from error
            finally:
                self.pool.end(upstream, ok=outcome)
                if outcome is True:
                    self._count_answer(upstream, response.status)
                elif outcome is None:
                    self.metrics.cancelled(upstream.kind.value)

    def _count_answer(self, upstream: Upstream, status: int) -> None:
        if status >= 500:
            self.metrics.error(upstream.kind.value, "status")
        else:
            self.metrics.ok(upstream.kind.value)

    async def probe(self, upstream: Upstream) -> bool:
        """True when the upstream answers HTTP at all (any status: it is up)."""
        timeouts = Timeouts(total_s=self.timeouts.connect_s * 2, connect_s=self.timeouts.connect_s)
        try:
            async with self.transport.request(
                upstream, "GET", PROBE_PATHS[upstream.kind], None, timeouts
            ) as response:
                await response.read()
            return True
        except (ConnectFailed, UpstreamBroke):
            return False

    async def run_probes(self, interval_s: float) -> None:
        """Forever: probe every upstream whose cool-down is over; success puts it back in rotation."""
        while True:
            await asyncio.sleep(interval_s)
            for upstream in self.pool.due_for_probe():
                if await self.probe(upstream):
                    log.info("%s is back in rotation", upstream.name)
                    self.pool.record_success(upstream)
                else:
                    self.pool.probe_failed(upstream)

    async def fetch_json(
        self, upstream: Upstream, path: str, timeouts: Timeouts, counts: bool = True
    ) -> object | None:
        """GET ``path`` from this one upstream as JSON; None (logged) when it fails. With
        ``counts``, the outcome counts for the upstream's health (leave it off for a second call
        made together with a counted one, so that one outage is not counted twice)."""
        try:
            async with self.transport.request(upstream, "GET", path, None, timeouts) as response:
                raw = await response.read()
                status = response.status
        except (ConnectFailed, UpstreamBroke) as error:
            log.warning("%s GET %s failed: %s", upstream.name, path, error)
            reason = "connect" if isinstance(error, ConnectFailed) else "broken"
            self.metrics.error(upstream.kind.value, failure_reason(error, reason))
            if counts:
                self.pool.record_failure(upstream)
            return None
        self._count_answer(upstream, status)
        if counts:
            self.pool.record_success(upstream)
        if status >= 400:
            log.warning("%s GET %s answered %d", upstream.name, path, status)
            return None
        try:
            return json.loads(raw)
        except ValueError:
            log.warning("%s GET %s answered invalid JSON", upstream.name, path)
            return None
