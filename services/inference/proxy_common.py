"""What the Ollama and OpenAI pass-throughs share: the request, the route table, byte relaying."""

import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from services.common import messages
from services.common.errors import BadGateway, InvalidArgument, NotFound, Unimplemented
from services.inference.caller import Caller
from services.inference.dispatch import Dispatcher
from services.inference.ollama_convert import ollama_error_message
from services.inference.replies import Head, Part, detail_reply, json_reply, loads, relayed_headers
from services.inference.transport import Timeouts
from services.inference.upstreams import Kind, Upstream

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
    caller: Caller
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
    """Paths with an optional trailing ``/{url_idx}``, matched by method."""

    def __init__(self) -> None:
        self._routes: list[tuple[frozenset[str], re.Pattern[str], Handler]] = []

    def add(self, methods: str, path: str, handler: Handler, with_idx: bool = True) -> None:
        suffix = r"(?:/(?P<idx>\d+))?" if with_idx else ""
        self._routes.append(
            (frozenset(methods.split()), re.compile(f"^{re.escape(path)}{suffix}/?$"), handler)
        )

    def find(self, method: str, path: str) -> tuple[Handler, int | None]:
        for methods, pattern, handler in self._routes:
            match = pattern.match(path)
            if match and method in methods:
                idx = match.groupdict().get("idx")
                return handler, (int(idx) if idx is not None else None)
        raise NotFound("Not Found")


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


async def verify(
    dispatcher: Dispatcher, call: ProxyCall, kind: Kind, path: str, timeouts: Timeouts
) -> AsyncIterator[Part]:
    """``POST /verify`` ``{url, key?}``: an admin's connection test of a server not (yet) configured."""
    body = call.json_object()
    url = body.get("url")
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise InvalidArgument("url must be an http(s) URL")
    probe = Upstream(kind, -1, url.rstrip("/"), str(body.get("key") or ""))
    configured = {u.base_url for u in dispatcher.pool.upstreams}
    try:
        reply = await dispatcher.fetch_json(probe, path, timeouts)
    finally:
        if probe.base_url not in configured:
            await dispatcher.transport.discard(probe)
    if reply is None:
        raise BadGateway(messages.SERVER_CONNECTION_ERROR)
    for part in json_reply(reply):
        yield part
