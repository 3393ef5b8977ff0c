"""The edge middleware: request id, timing header, and every error rendered as JSON."""

import logging
import re
import time

import grpc
from aiohttp import web

from services.common import messages
from services.common.request_context import REQUEST_ID_HEADER, new_request_id, request_id_var
from services.gateway.http_errors import ApiError, detail_response, error_from_rpc
from services.gateway.metrics import HttpMetrics
from services.gateway.state import METRICS

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _request_id(request: web.Request) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if _SAFE_ID.match(incoming) else new_request_id()


_STARTED = "edge_started"


async def stamp_response(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the request id and timing headers, streamed responses included."""
    started = request.get(_STARTED)
    if started is None:
        return
    response.headers[REQUEST_ID_HEADER] = request[REQUEST_ID_HEADER]
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"


@web.middleware
async def edge_middleware(request: web.Request, handler) -> web.StreamResponse:
    rid = _request_id(request)
    request_id_var.set(rid)
    request[REQUEST_ID_HEADER] = rid
    request[_STARTED] = started = time.perf_counter()
    metrics = request.app.get(METRICS)
    # A client that left before the answer counts as 499 (nginx's "client closed request").
    status = 499
    try:
        response = await _answer(request, handler, metrics)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        # After the handler returned: a streamed reply is timed to its end.
        if metrics is not None:
            metrics.observe(request, status, time.perf_counter() - started)


async def _answer(request: web.Request, handler, metrics: HttpMetrics | None) -> web.StreamResponse:
    try:
        response = await handler(request)
    except ApiError as error:
        response = detail_response(error.status, error.detail, error.headers)
    except grpc.aio.AioRpcError as error:
        if metrics is not None:
            metrics.backend_error(error)
        api_error = error_from_rpc(error)
        if api_error.status >= 500:
            log.warning("backend call failed: %s", error.code().name)
        response = detail_response(api_error.status, api_error.detail, api_error.headers)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        headers = {k: v for k, v in error.headers.items() if k.lower() in ("allow",)}
        response = detail_response(error.status, error.reason, headers)
    except web.RequestPayloadError:
        # A body that is not what its headers say (a false Content-Encoding, a broken chunked
        # stream), on any route, the pass-through proxies included.
        response = detail_response(400, messages.BODY_PARSE_ERROR)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = detail_response(500, messages.DEFAULT)
    return response
