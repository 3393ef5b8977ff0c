"""The gateway's Prometheus metrics: HTTP requests by route and status, and backend errors.

Labels stay bounded: ``route`` is the matched resource's pattern (``/api/v1/files/{file_id}``, not
the path), ``unmatched`` for requests no route took; ``method`` is one of the standard methods or
``other``; ``backend`` and ``code`` name one of our three services and a gRPC status.
"""

import types

import grpc
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram

from services.common.metrics import LATENCY_BUCKETS

UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BACKENDS = ("auth", "inference", "ingest")


def route_label(request: web.Request) -> str:
    """The canonical pattern of the route that took ``request``, or ``unmatched``."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


def method_label(method: str) -> str:
    return method if method in _METHODS else "other"


def _package_backend(message_type: object) -> str | None:
    """``auth`` for a message of ``webui.auth.v1``, and so on."""
    descriptor = getattr(message_type, "DESCRIPTOR", None)
    parts = str(getattr(descriptor, "full_name", "")).split(".")
    if len(parts) > 2 and parts[0] == "webui" and parts[1] in BACKENDS:
        return parts[1]
    return None


def backend_of(error: grpc.aio.AioRpcError) -> str:
    """Which of our services a failed call went to, or ``unknown``.

    A failed RPC does not name its method, but the frames it was raised through hold the call
    object, and the call's response type belongs to one service's proto package. Only read for
    errors, so the walk costs nothing on the success path.
    """
    tb: types.TracebackType | None = error.__traceback__
    while tb is not None:
        call = tb.tb_frame.f_locals.get("self")
        if isinstance(call, grpc.aio.Call):
            deserializer = getattr(call, "_response_deserializer", None)
            backend = _package_backend(getattr(deserializer, "__self__", None))
            if backend is not None:
                return backend
        tb = tb.tb_next
    return "unknown"


class HttpMetrics:
    """``webui_http_requests_total{method,route,status}``,
    ``webui_http_request_duration_seconds{method,route}`` and ``webui_backend_errors_total{backend,code}``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "webui_http_requests_total",
            "HTTP requests answered, by method, route pattern and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "webui_http_request_duration_seconds",
            "Time to answer a request (to the end of the body for streamed replies).",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.backend_errors = Counter(
            "webui_backend_errors_total",
            "Failed calls to a backend service that became the HTTP error answered, by gRPC code.",
            ["backend", "code"],
            registry=registry,
        )
        # The labelled children by (method, route, status): ``labels()`` costs a lock and a few
        # conversions per call; the label set is bounded, so this dict is too.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, request: web.Request, status: int, seconds: float) -> None:
        key = (request.method, route_label(request), status)
        children = self._children.get(key)
        if children is None:
            method = method_label(key[0])
            children = (
                self.requests.labels(method, key[1], str(status)),
                self.duration.labels(method, key[1]),
            )
            if method == key[0]:
                self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def backend_error(self, error: grpc.aio.AioRpcError) -> None:
        self.backend_errors.labels(backend_of(error), error.code().name).inc()
