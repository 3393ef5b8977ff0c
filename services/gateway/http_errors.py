"""The gateway's one mapping from failures (ours and gRPC's) to HTTP responses."""

import json

import grpc
from aiohttp import web

from services.common import messages
from services.common.grpc_errors import pinned_status
from services.common.usage.rate_limited import headers_from_trailers

HTTP_BY_GRPC_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}

# Texts of our own choosing where gRPC's would leak transport details.
_FIXED_DETAIL = {
    504: messages.DEADLINE_EXCEEDED,
}
# Seconds a client is told to wait before retrying a 503 from an unavailable backend.
RETRY_AFTER_S = "2"


class ApiError(Exception):
    """An HTTP error the gateway answers with ``{"detail": ...}``."""

    def __init__(self, status: int, detail: object, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def dumps(value: object) -> str:
    """Compact JSON, as Open WebUI emits it (orjson)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_response(value: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(value, status=status, headers=headers, dumps=dumps)


def raw_json_response(body: bytes) -> web.Response:
    """JSON a service produced, passed on as it is (not decoded and encoded again)."""
    return web.Response(body=body, content_type="application/json")


def detail_response(status: int, detail: object, headers: dict[str, str] | None = None) -> web.Response:
    return json_response({"detail": detail}, status=status, headers=headers)


def error_from_rpc(error: grpc.aio.AioRpcError) -> ApiError:
    """The HTTP error for a failed RPC: status by code (or as the service pinned it, e.g. 502 for a
    failed upstream), the service's own text as detail."""
    pinned = pinned_status(error)
    if pinned is not None:
        return ApiError(pinned, error.details() or messages.DEFAULT)
    status = HTTP_BY_GRPC_STATUS.get(error.code(), 500)
    if status == 503:
        # A backend, or the database or broker behind it, is down: most outages (a restart, a
        # failover) pass within seconds.
        return ApiError(503, messages.SERVICE_UNAVAILABLE, {"Retry-After": RETRY_AFTER_S})
    if status == 429:
        # Over a usage limit: the service sent the x-ratelimit-* headers and which limit it was.
        headers, limit_detail = headers_from_trailers(error.trailing_metadata())
        if limit_detail is not None:
            return ApiError(429, limit_detail, {"Retry-After": RETRY_AFTER_S, **headers})
        # A bound on what a caller may have in flight (uploads arriving): one finishes soon.
        return ApiError(429, error.details() or messages.DEFAULT, {"Retry-After": RETRY_AFTER_S})
    if status in _FIXED_DETAIL:
        return ApiError(status, _FIXED_DETAIL[status])
    if status == 500:
        return ApiError(500, messages.DEFAULT)
    return ApiError(status, error.details() or messages.DEFAULT)
