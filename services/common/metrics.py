"""Prometheus metrics of a gRPC service: the server interceptor and the ``/metrics`` endpoint.

Each process makes its own ``CollectorRegistry`` (no module globals) and hands it to what records
into it. The endpoint is a small aiohttp app on the service's own event loop, not prometheus_client's
HTTP thread: collectors then read loop-owned state (FAISS copies, say) without racing the loop, a
scrape may first ``await`` fresh readings (the job queue's depth) under a deadline, and stopping it
is one awaited clean-up.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import grpc
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from services.common.grpc_handlers import rewrap_handler

log = logging.getLogger(__name__)

# Seconds; from a health check (sub-millisecond) to a long stream (minutes).
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
)

# How long a scrape waits for the readings refreshed before it (e.g. the queue depth).
REFRESH_DEADLINE_S = 2.0


def new_registry() -> CollectorRegistry:
    """A registry of its own for one process (or one app), with the standard process, Python and
    GC metrics (``process_resident_memory_bytes``, ``process_cpu_seconds_total``, ...)."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


class GrpcMetrics:
    """``webui_grpc_requests_total{method,code}`` and ``webui_grpc_request_duration_seconds{method}``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "webui_grpc_requests_total",
            "gRPC calls handled, by full method name and status code.",
            ["method", "code"],
            registry=registry,
        )
        self.duration = Histogram(
            "webui_grpc_request_duration_seconds",
            "Time from a call's start to its end (the end of the stream for streaming replies).",
            ["method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

        # Labelled children by (method, code), so a call skips ``labels()``; methods are the
        # registered ones and codes a fixed set, so this stays small.
        self._children: dict[tuple[str, grpc.StatusCode], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        children = self._children.get((method, code))
        if children is None:
            children = (self.requests.labels(method, code.name), self.duration.labels(method))
            self._children[(method, code)] = children
        children[0].inc()
        children[1].observe(seconds)


def final_code(context: grpc.aio.ServicerContext, error: BaseException | None) -> grpc.StatusCode:
    """The status a call ended with: what the handler set or aborted with; CANCELLED or
    DEADLINE_EXCEEDED for a call cancelled under it; UNKNOWN for an exception nothing mapped."""
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    if error is None:
        return grpc.StatusCode.OK
    if isinstance(error, asyncio.CancelledError):
        remaining = context.time_remaining()
        expired = remaining is not None and remaining <= 0
        return grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED
    return grpc.StatusCode.UNKNOWN


class GrpcMetricsInterceptor(grpc.aio.ServerInterceptor):
    """Counts and times every call of a registered method.

    Put it first in the server's list (outermost), so that it sees the status the interceptors
    inside it (``ServiceInterceptor``'s aborts) gave the call. Unknown methods are not recorded:
    their names come from clients, and would make the label set unbounded.
    """

    def __init__(self, metrics: GrpcMetrics, clock: Callable[[], float] = time.perf_counter) -> None:
        self._metrics = metrics
        self._clock = clock

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        return rewrap_handler(
            handler,
            lambda inner: self._wrap_unary(inner, method),
            lambda inner: self._wrap_stream(inner, method),
        )

    def _wrap_unary(self, inner: Callable[..., Awaitable[Any]], method: str) -> Callable[..., Awaitable[Any]]:
        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = self._clock()
            error: BaseException | None = None
            try:
                return await inner(request, context)
            except BaseException as caught:
                error = caught
                raise
            finally:
                self._metrics.observe(method, final_code(context, error), self._clock() - started)

        return unary

    def _wrap_stream(
        self, inner: Callable[..., AsyncIterator[Any]], method: str
    ) -> Callable[..., AsyncIterator[Any]]:
        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            started = self._clock()
            error: BaseException | None = None
            try:
                async for item in inner(request, context):
                    yield item
            except BaseException as caught:
                error = caught
                raise
            finally:
                self._metrics.observe(method, final_code(context, error), self._clock() - started)

        return stream


Refresh = Callable[[], Awaitable[None]]


class MetricsEndpoint:
    """``GET /metrics`` of one registry on ``host:port``; ``refreshers`` run (under a deadline)
    before each scrape, for readings that need I/O."""

    def __init__(self, registry: CollectorRegistry, refreshers: Sequence[Refresh] = ()) -> None:
        self.registry = registry
        self.refreshers = list(refreshers)
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def _scrape(self, _: web.Request) -> web.Response:
        if self.refreshers:
            try:
                await asyncio.wait_for(
                    asyncio.gather(*(refresh() for refresh in self.refreshers)), REFRESH_DEADLINE_S
                )
            except Exception as error:
                log.warning("refreshing metrics before a scrape failed: %s", type(error).__name__)
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self, listen: str) -> None:
        host, port = split_listen(listen)
        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_port=False)
        await site.start()
        # The port really bound (``:0`` picks a free one).
        self.port = self._runner.addresses[0][1]
        log.info("metrics on http://%s:%d/metrics", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def split_listen(listen: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9090`` too) as a host and a port."""
    host, sep, port = listen.strip().rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected host:port, got {listen!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


class ServiceMetrics:
    """A service process's registry, its gRPC server metrics, and where ``/metrics`` is served
    (``listen`` empty: not served)."""

    def __init__(self, registry: CollectorRegistry, listen: str = "") -> None:
        self.registry = registry
        self.listen = listen
        self.grpc = GrpcMetrics(registry)
        self.endpoint = MetricsEndpoint(registry)

    def interceptor(self) -> GrpcMetricsInterceptor:
        return GrpcMetricsInterceptor(self.grpc)

    def add_refresher(self, refresh: Refresh) -> None:
        self.endpoint.refreshers.append(refresh)

    async def serve(self) -> None:
        if self.listen:
            await self.endpoint.start(self.listen)

    async def stop(self) -> None:
        await self.endpoint.stop()
