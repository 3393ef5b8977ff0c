"""The pass-through handler both proxies share: authenticate at the route's level, forward the
request to InferenceService, relay the reply."""

import re
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from services.common.proxy_routes import Access, ProxyRoute
from services.gateway.auth_guard import Level
from services.gateway.body import check_json_values, read_body
from services.gateway.relay import relay
from services.gateway.state import GUARD, INFERENCE, SETTINGS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# A body that opens a JSON array or object (matched without copying it, as `lstrip` would).
_JSON_CONTAINER = re.compile(rb"[ \t\r\n]*[\[{]")

# What the upstream needs to read the body and shape its reply; credentials are never passed on.
FORWARDED_HEADERS = ("content-type", "accept", "openai-beta", "anthropic-version", "anthropic-beta")


def _is_text(value: str) -> bool:
    # aiohttp keeps header bytes that are not UTF-8 as lone surrogates, which gRPC cannot carry.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def forwarded_headers(request: web.Request) -> dict[str, str]:
    """The describing headers the client sent (a value that is not text is left out)."""
    return {
        name: request.headers[name]
        for name in FORWARDED_HEADERS
        if name in request.headers and _is_text(request.headers[name])
    }


def proxy_handler(backend: str, prefix: str, level: Level) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        principal = await request.app[GUARD].require(request, level)
        settings = request.app[SETTINGS]
        body = await read_body(request, settings.inference_max_body_bytes)
        if _JSON_CONTAINER.match(body):
            # Inference parses JSON bodies whatever their Content-Type; other bodies pass as bytes.
            check_json_values(body, settings.json_max_values)
        call = request.app[INFERENCE].proxy(
            principal,
            backend,
            request.method,
            request.path[len(prefix) :],
            request.query_string,
            body,
            forwarded_headers(request),
        )
        return await relay(request, call)

    return handler


# The gateway level that enforces each shared level.
LEVELS = {Access.VERIFIED: Level.VERIFIED, Access.ADMIN: Level.ADMIN}


def passthrough_routes(backend: str, prefix: str, table: Iterable[ProxyRoute]) -> list[web.RouteDef]:
    """A route per method of each shared route, and of its ``/{url_idx}`` form, each checking its
    level here so that a caller below it is answered before any gRPC call."""
    defs = []
    for route in table:
        for method in route.methods:
            defs.append(
                web.route(method, prefix + route.path, proxy_handler(backend, prefix, LEVELS[route.plain]))
            )
            if route.with_idx is not None:
                handler = proxy_handler(backend, prefix, LEVELS[route.with_idx])
                defs.append(web.route(method, prefix + route.path + r"/{url_idx:\d+}", handler))
    return defs
