"""What the Ollama and OpenAI pass-throughs share: the request, the route table, byte relaying."""

import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from services.common import messages
from services.common.errors import BadGateway, InvalidArgument, NotFound, PermissionDenied, Unimplemented
from services.common.identity import Identity
from services.common.proxy_routes import Access, ProxyRoute
from services.inference.dispatch import Dispatcher
from services.inference.ollama_convert import ollama_error_message
from services.inference.replies import Head, Part, detail_reply, json_reply, loads, relayed_headers
from services.inference.transport import ConnectFailed, Timeouts, UpstreamBroke
from services.inference.upstreams import Kind, Upstream
from services.inference.verify_target import VerifyTargets

log = logging.getLogger(__name__)

_STREAM_TYPES = ("application/x-ndjson", "text/event-stream")
NOT_OFFERED = (
    "Not offered here: upstreams are configured through the environment (OLLAMA_BASE_URLS, "
    "OPENAI_API_BASE_URLS, OPENAI_API_KEYS), and models are not downloaded at run time."
)


# Client headers an upstream may see (the gateway sends no others; this keeps credentials out even
# if one did): they say how to read the body and what reply the client accepts.
PASSED_HEADERS = frozenset(("content-type", "accept", "openai-beta", "anthropic-version", "anthropic-beta"))


@dataclass(frozen=True)
class ProxyCall:
    caller: Identity
    method: str
    path: str
    query: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def passed_headers(self) -> dict[str, str]:
        return {k: v for k, v in self.headers.items() if k.lower() in PASSED_HEADERS}

    def json_object(self) -> dict:
        """The body as a JSON object (an empty body is ``{}``), or 400."""
        if not self.body.strip():
            return {}
        try:
            value = loads(self.body)
        except ValueError:
            raise InvalidArgument("The request body is not valid JSON") from None
        if not isinstance(value, dict):
            raise InvalidArgument("The request body must be a JSON object")
        return value


Handler = Callable[[ProxyCall, int | None], AsyncIterator[Part]]


class RouteTable:
    """Paths with an optional trailing ``/{url_idx}``, matched by method, each at its level.

    The gateway checks the same levels (services/common/proxy_routes.py) before it calls, but an
    internal service calls Proxy directly with its user's credential, so they are checked here too.
    """

    def __init__(self) -> None:
        self._routes: list[tuple[ProxyRoute, re.Pattern[str], Handler]] = []

    def add(self, route: ProxyRoute, handler: Handler) -> None:
        suffix = r"(?:/(?P<idx>\d+))?" if route.with_idx is not None else ""
        self._routes.append((route, re.compile(f"^{re.escape(route.path)}{suffix}/?$"), handler))

    def find(self, method: str, path: str, caller: Identity) -> tuple[Handler, int | None]:
        """The route's handler and ``url_idx``; 404 if none matches, 403 if the caller is below its level."""
        for route, pattern, handler in self._routes:
            match = pattern.match(path)
            if match and method in route.methods:
                idx = match.groupdict().get("idx")
                level = route.plain if idx is None else route.with_idx
                if level is Access.ADMIN and not caller.is_admin:
                    raise PermissionDenied(messages.ACCESS_PROHIBITED)
                return handler, (int(idx) if idx is not None else None)
        raise NotFound("Not Found")


def route_table(routes: Sequence[ProxyRoute], handlers: Mapping[str, Handler]) -> RouteTable:
    """Every route of a shared table, served by ``handlers[path]``; a route without a handler, or a
    handler without a route, fails at start rather than answering 404 (or at no level) later."""
    unmatched = {route.path for route in routes} ^ handlers.keys()
    if unmatched:
        raise ValueError(f"routes and handlers differ on {sorted(unmatched)}")
    table = RouteTable()
    for route in routes:
        table.add(route, handlers[route.path])
    return table


async def relay(
    dispatcher: Dispatcher,
    candidates: Sequence[Upstream],
    method: str,
    path: str,
    body: bytes | None,
    detail_errors: bool = True,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[Part]:
    """The upstream's reply as it arrives: NDJSON and SSE chunk by chunk, anything else whole.

    With ``detail_errors``, an error status becomes ``{"detail": <the upstream's error text>}`` as
    Open WebUI raises it; otherwise the upstream's error body passes through unchanged.
    """
    async with dispatcher.send(candidates, method, path, body, headers=headers) as (_, response):
        if response.status >= 400 and detail_errors:
            for part in detail_reply(response.status, ollama_error_message(await response.read())):
                yield part
            return
        content_type = response.headers.get("Content-Type", "")
        streaming = response.status < 400 and any(t in content_type for t in _STREAM_TYPES)
        if not streaming:
            raw = await response.read()
            yield Head(response.status, relayed_headers(response.headers))
            yield raw
            return
        yield Head(response.status, relayed_headers(response.headers), streaming=True)
        async for chunk in response.chunks():
            yield chunk


async def not_offered(call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
    """Routes of Open WebUI's proxies this deployment does not serve: upstreams come from the
    environment (every replica must agree), and nothing is downloaded at run time."""
    raise Unimplemented(NOT_OFFERED)
    yield  # an async generator, like every handler


def redirect_refused(status: int) -> str:
    return f"Unexpected error: HTTP Error: {status} (redirects are not followed: give the final URL)"


async def verify(
    dispatcher: Dispatcher,
    call: ProxyCall,
    kind: Kind,
    path: str,
    timeouts: Timeouts,
    targets: VerifyTargets,
) -> AsyncIterator[Part]:
    """``POST /verify`` ``{url, key?}``: an admin's connection test of a server not (yet) configured.

    The URL comes from a request, so it must not become a way into the service's network: its host
    is resolved and checked against ``VERIFY_ALLOWED_NETWORKS`` first (400 outside), the request
    goes to the checked addresses only, and a redirect is a failed test (502), never followed.
    """
    body = call.json_object()
    url = body.get("url")
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise InvalidArgument("url must be an http(s) URL")
    target = await targets.check(url)
    probe = Upstream(kind, -1, url.rstrip("/"), str(body.get("key") or ""))
    try:
        async with dispatcher.transport.request_once(probe, path, timeouts, target.addresses) as response:
            status = response.status
            raw = await response.read()
    except (ConnectFailed, UpstreamBroke) as error:
        log.warning("connection test of %s:%d failed: %s", target.host, target.port, error)
        raise BadGateway(messages.SERVER_CONNECTION_ERROR) from error
    if 300 <= status < 400:
        raise BadGateway(redirect_refused(status))
    try:
        reply = loads(raw) if status < 300 else None
    except ValueError:
        reply = None
    if reply is None:
        log.warning("connection test of %s:%d answered %d without JSON", target.host, target.port, status)
        raise BadGateway(messages.SERVER_CONNECTION_ERROR)
    for part in json_reply(reply):
        yield part
