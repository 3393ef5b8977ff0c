"""Admission control at the edge: past MAX_INFLIGHT_REQUESTS, a request gets 503 at once."""

from aiohttp import web

from services.common import messages
from services.common.admission import Admission
from services.gateway.http_errors import detail_response

# Probes and scrapes must answer while the gateway is saturated: that is when they matter most.
EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})
# A client that backs off a second finds a place again once a few requests have finished.
RETRY_AFTER_S = "1"


def admission_middleware(admission: Admission):
    """A middleware that admits at most ``admission.limit`` requests at a time. It runs before any
    route's handler (and so before the auth guard and any body read), so a refused request costs
    almost nothing; a streamed reply holds its place until its last byte, since the handler returns
    only then."""

    @web.middleware
    async def admit(request: web.Request, handler) -> web.StreamResponse:
        if request.path in EXEMPT_PATHS:
            return await handler(request)
        if not admission.try_enter():
            return detail_response(503, messages.SERVICE_UNAVAILABLE, {"Retry-After": RETRY_AFTER_S})
        try:
            return await handler(request)
        finally:
            admission.leave()

    return admit
