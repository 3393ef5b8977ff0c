"""Metrics bookkeeping without I/O: route labels, the gRPC interceptor, upstream, job and FAISS
counts, each read back from its own registry."""

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from prometheus_client import CollectorRegistry, generate_latest

from services.common.errors import BadGateway
from services.common.metrics import GrpcMetrics, GrpcMetricsInterceptor, final_code, split_listen
from services.gateway.metrics import UNMATCHED, HttpMetrics, backend_of, method_label, route_label
from services.inference.dispatch import Dispatcher
from services.inference.metrics import UpstreamMetrics
from services.inference.transport import ConnectFailed, Timeouts
from services.inference.upstreams import Kind, Upstream, UpstreamPool
from services.ingest.metrics import IngestMetrics
from services.ingest.worker import JobWorkers
from tests.unit.fake_transport import FakeResponse, FakeTransport
from tests.unit.test_ingest_worker import FakeMessage, FakeProcessor, FakeRepo, _Metadata
from webui.auth.v1 import auth_pb2
from webui.ingest.v1 import ingest_pb2


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


# -- gateway: route labels ----------------------------------------------------------------------


async def _handler(request: web.Request) -> web.Response:
    return web.Response()


async def resolved(app: web.Application, method: str, path: str) -> web.Request:
    request = make_mocked_request(method, path, app=app)
    match_info = await app.router.resolve(request)
    match_info.add_app(app)
    request._match_info = match_info
    return request


async def test_route_label_is_the_pattern_and_unmatched_paths_share_one_label() -> None:
    app = web.Application()
    app.router.add_get("/api/v1/files/{file_id}", _handler)
    app.router.add_get("/health", _handler)
    assert route_label(await resolved(app, "GET", "/api/v1/files/abc")) == "/api/v1/files/{file_id}"
    assert route_label(await resolved(app, "GET", "/health")) == "/health"
    assert route_label(await resolved(app, "GET", "/no/such/path/123")) == UNMATCHED
    # A known path with a method it does not serve (405) has no route either.
    assert route_label(await resolved(app, "DELETE", "/health")) == UNMATCHED


def test_method_label_bounds_unknown_methods() -> None:
    assert method_label("GET") == "GET"
    assert method_label("PROPFIND") == "other"


async def test_http_metrics_count_and_time_by_route_and_status() -> None:
    app = web.Application()
    app.router.add_get("/api/v1/files/{file_id}", _handler)
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry)
    for file_id, status in (("a", 200), ("b", 200), ("c", 404)):
        metrics.observe(await resolved(app, "GET", f"/api/v1/files/{file_id}"), status, 0.01)
    route = "/api/v1/files/{file_id}"
    assert sample(registry, "webui_http_requests_total", method="GET", route=route, status="200") == 2
    assert sample(registry, "webui_http_requests_total", method="GET", route=route, status="404") == 1
    assert sample(registry, "webui_http_request_duration_seconds_count", method="GET", route=route) == 3


# -- gateway: which backend a failed call went to --------------------------------------------------


class FakeCall(grpc.aio.Call):
    """Stands in for the call object grpc's frames hold while the error is raised."""

    def __init__(self, response_type: type) -> None:
        self._response_deserializer = response_type.FromString

    def fail(self, code: grpc.StatusCode) -> None:
        raise grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), "failed")


FakeCall.__abstractmethods__ = frozenset()


def caught(call: FakeCall, code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        call.fail(code)
    return info.value


def test_backend_of_names_the_service_by_the_reply_type() -> None:
    auth_error = caught(FakeCall(auth_pb2.AuthenticateResponse), grpc.StatusCode.UNAVAILABLE)
    ingest_error = caught(FakeCall(ingest_pb2.SearchResponse), grpc.StatusCode.NOT_FOUND)
    assert backend_of(auth_error) == "auth"
    assert backend_of(ingest_error) == "ingest"
    bare = grpc.aio.AioRpcError(grpc.StatusCode.INTERNAL, grpc.aio.Metadata(), grpc.aio.Metadata())
    assert backend_of(bare) == "unknown"

    registry = CollectorRegistry()
    HttpMetrics(registry).backend_error(auth_error)
    assert sample(registry, "webui_backend_errors_total", backend="auth", code="UNAVAILABLE") == 1


# -- gRPC server interceptor ------------------------------------------------------------------------


class FakeContext:
    def __init__(self, remaining: float | None = 5.0) -> None:
        self._code: grpc.StatusCode | None = None
        self._remaining = remaining

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def time_remaining(self) -> float | None:
        return self._remaining

    async def abort(self, code: grpc.StatusCode, details: str) -> None:
        self._code = code
        raise grpc.aio.AbortError()


class FakeDetails:
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


class Ticks:
    """A clock that advances one second per reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


async def intercepted(handler: grpc.RpcMethodHandler | None, method: str = "/svc/Method"):
    registry = CollectorRegistry()
    interceptor = GrpcMetricsInterceptor(GrpcMetrics(registry), clock=Ticks())

    async def continuation(_: object) -> grpc.RpcMethodHandler | None:
        return handler

    return registry, await interceptor.intercept_service(continuation, FakeDetails(method))


async def test_interceptor_counts_unary_calls_by_final_code() -> None:
    async def behave(request: str, context: FakeContext) -> str:
        if request == "missing":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no")
        if request == "slow":
            raise asyncio.CancelledError
        return request

    registry, handler = await intercepted(grpc.unary_unary_rpc_method_handler(behave))
    assert await handler.unary_unary("hello", FakeContext()) == "hello"
    with pytest.raises(grpc.aio.AbortError):
        await handler.unary_unary("missing", FakeContext())
    with pytest.raises(asyncio.CancelledError):
        await handler.unary_unary("slow", FakeContext(remaining=0.0))
    with pytest.raises(asyncio.CancelledError):
        await handler.unary_unary("slow", FakeContext(remaining=3.0))
    for code in ("OK", "NOT_FOUND", "DEADLINE_EXCEEDED", "CANCELLED"):
        assert sample(registry, "webui_grpc_requests_total", method="/svc/Method", code=code) == 1
    assert sample(registry, "webui_grpc_request_duration_seconds_count", method="/svc/Method") == 4
    assert sample(registry, "webui_grpc_request_duration_seconds_sum", method="/svc/Method") == 4.0


async def test_interceptor_times_a_server_stream_to_its_end() -> None:
    async def numbers(request: int, context: FakeContext) -> AsyncIterator[int]:
        for n in range(request):
            yield n

    registry, handler = await intercepted(grpc.unary_stream_rpc_method_handler(numbers), "/svc/Stream")
    received = [item async for item in handler.unary_stream(3, FakeContext())]
    assert received == [0, 1, 2]
    assert sample(registry, "webui_grpc_requests_total", method="/svc/Stream", code="OK") == 1
    # Started at tick 1, ended at tick 2: one observation of one second, made once the stream ended.
    assert sample(registry, "webui_grpc_request_duration_seconds_sum", method="/svc/Stream") == 1.0


async def test_interceptor_leaves_unknown_methods_alone() -> None:
    registry, handler = await intercepted(None, "/made.Up/ByAClient")
    assert handler is None
    assert b"made.Up" not in generate_latest(registry)


def test_final_code_of_an_unmapped_exception_is_unknown() -> None:
    assert final_code(FakeContext(), RuntimeError("boom")) is grpc.StatusCode.UNKNOWN
    assert final_code(FakeContext(), None) is grpc.StatusCode.OK


def test_split_listen() -> None:
    assert split_listen("0.0.0.0:9090") == ("0.0.0.0", 9090)
    assert split_listen("[::1]:9100") == ("::1", 9100)
    assert split_listen(":9090") == ("0.0.0.0", 9090)
    with pytest.raises(ValueError):
        split_listen("9090")


# -- inference: upstream requests and errors --------------------------------------------------------

TIMEOUTS = Timeouts(total_s=5, connect_s=1)


def dispatcher_with(script: dict) -> tuple[Dispatcher, CollectorRegistry, list[Upstream]]:
    upstreams = [Upstream(Kind.OLLAMA, 0, "http://a"), Upstream(Kind.OLLAMA, 1, "http://b")]
    upstreams[1].in_flight = 1  # so that the first is chosen first
    registry = CollectorRegistry()
    pool = UpstreamPool(upstreams, failure_threshold=3, cooldown_s=10)
    return Dispatcher(pool, FakeTransport(script), TIMEOUTS, UpstreamMetrics(registry)), registry, upstreams


async def test_dispatcher_counts_each_attempt_and_why_it_failed() -> None:
    timeout = ConnectFailed("connect timeout")
    timeout.__cause__ = TimeoutError()
    dispatcher, registry, (a, b) = dispatcher_with({"ollama[0]": timeout, "ollama[1]": FakeResponse(200)})
    async with dispatcher.send([a, b], "POST", "/api/chat") as (_, response):
        await response.read()
    assert sample(registry, "webui_upstream_errors_total", kind="ollama", reason="timeout") == 1
    assert sample(registry, "webui_upstream_requests_total", kind="ollama", outcome="error") == 1
    assert sample(registry, "webui_upstream_requests_total", kind="ollama", outcome="ok") == 1


async def test_dispatcher_counts_refusals_server_errors_and_broken_replies() -> None:
    dispatcher, registry, (a, b) = dispatcher_with(
        {"ollama[0]": FakeResponse(503), "ollama[1]": ConnectFailed("refused")}
    )
    async with dispatcher.send([a], "POST", "/api/chat"):
        pass
    with pytest.raises(BadGateway):
        async with dispatcher.send([b], "POST", "/api/chat"):
            pass
    broken, registry_b, (c, _) = dispatcher_with({"ollama[0]": FakeResponse(200, break_on_read=True)})
    with pytest.raises(BadGateway):
        async with broken.send([c], "POST", "/api/chat") as (_, response):
            await response.read()
    assert sample(registry, "webui_upstream_errors_total", kind="ollama", reason="status") == 1
    assert sample(registry, "webui_upstream_errors_total", kind="ollama", reason="connect") == 1
    assert sample(registry_b, "webui_upstream_errors_total", kind="ollama", reason="broken") == 1


# -- ingest: job durations and FAISS copies ------------------------------------------------------------


async def test_job_durations_by_outcome() -> None:
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry)

    def workers(processor: FakeProcessor) -> JobWorkers:
        return JobWorkers(
            None,  # type: ignore[arg-type]
            processor,  # type: ignore[arg-type]
            FakeRepo(),  # type: ignore[arg-type]
            count=1,
            max_deliver=3,
            ack_wait_s=30,
            nak_delay_s=2.0,
            requeue_after_s=60,
            metrics=metrics,
        )

    await workers(FakeProcessor()).handle(FakeMessage(b"f1", _Metadata(1)))
    await workers(FakeProcessor(error=RuntimeError("bug"))).handle(FakeMessage(b"f2", _Metadata(1)))
    await workers(FakeProcessor(error=RuntimeError("bug"))).handle(FakeMessage(b"f3", _Metadata(3)))
    for outcome in ("completed", "retried", "failed"):
        assert sample(registry, "webui_ingest_job_duration_seconds_count", outcome=outcome) == 1


async def test_faiss_gauges_follow_the_copies_held_and_queue_depth_is_refreshed() -> None:
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry)
    held: dict[str, int] = {}
    metrics.watch_indexes(lambda: held)
    assert sample(registry, "webui_faiss_collections") == 0
    held.update({"file-a": 3, "knowledge-b": 10})
    assert sample(registry, "webui_faiss_collections") == 2
    assert sample(registry, "webui_faiss_vectors") == 13

    async def depth() -> int:
        return 7

    await metrics.queue_refresher(depth)()
    assert sample(registry, "webui_ingest_queue_depth") == 7
