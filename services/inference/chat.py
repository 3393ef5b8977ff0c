"""OpenAI chat completions routed by model: Ollama (translated both ways) or OpenAI-compatible
(forwarded, SSE relayed event by event), streamed as ``Head`` then a body or stream events."""

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable

from services.common import messages
from services.common.errors import BadGateway, InvalidArgument
from services.inference.dispatch import Dispatcher
from services.inference.model_registry import ModelRegistry, ModelRoute
from services.inference.ollama_convert import (
    OllamaStreamConverter,
    OllamaStreamError,
    ollama_error_message,
    ollama_to_openai,
    openai_to_ollama,
)
from services.inference.openai_compat import adapt_for_host
from services.inference.params import apply_params, merge_params_for_openai
from services.inference.replies import (
    SSE_TYPE,
    Head,
    Part,
    detail_reply,
    dumps,
    json_reply,
    loads,
    relayed_headers,
)
from services.inference.sse import ChatPart, Marker, Relayed, framed
from services.inference.upstreams import Kind

log = logging.getLogger(__name__)

# What tells an OpenAI-compatible stream is complete: its `[DONE]`, or a chunk's finish_reason (some
# servers send no `[DONE]`). A stream that closes with neither was cut short.
_STREAM_END = re.compile(rb'(?m)^data: ?\[DONE\]|"finish_reason"\s*:\s*"')

# Open WebUI's own request fields: they steer Open WebUI and are never sent upstream.
WEBUI_FIELDS = frozenset(
    (
        "files",
        "features",
        "variables",
        "tool_ids",
        "skill_ids",
        "terminal_id",
        "tool_servers",
        "filter_ids",
        "chat_id",
        "id",
        "session_id",
        "parent_id",
        "message_ids",
        "user_message",
        "assistant_message_id",
        "folder_id",
        "background_tasks",
        "model_item",
        "metadata",
        "params",
    )
)


def openai_payload(body: dict, sampling: dict, upstream_model: str) -> dict:
    payload = {k: v for k, v in merge_params_for_openai(body, sampling).items() if k not in WEBUI_FIELDS}
    payload["model"] = upstream_model
    return payload


class ChatService:
    """Chat completions for every upstream model."""

    def __init__(
        self,
        registry: ModelRegistry,
        dispatcher: Dispatcher,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._registry = registry
        self._dispatcher = dispatcher
        self._new_id = new_id
        self._clock = clock

    async def route_for(self, body: object) -> ModelRoute:
        """The model a request names, or 400 ``Model not found``."""
        if not isinstance(body, dict):
            raise InvalidArgument("The request body must be a JSON object")
        model_id = body.get("model")
        route = await self._registry.resolve(model_id) if isinstance(model_id, str) else None
        if route is None:
            raise InvalidArgument(messages.MODEL_NOT_FOUND_SHORT)
        return route

    async def complete(self, body: object) -> AsyncIterator[Part]:
        """A completion from the upstream serving ``body["model"]`` (the /openai proxy's path: no
        retrieval, no functions)."""
        route = await self.route_for(body)
        assert isinstance(body, dict)
        async for part in framed(self.dispatch(body, route)):
            yield part

    async def dispatch(self, body: dict, route: ModelRoute) -> AsyncIterator[ChatPart]:
        """``body`` (with Open WebUI's ``params``) sent to the upstream of ``route``."""
        body, sampling = apply_params(body)
        handler = self._ollama if route.kind is Kind.OLLAMA else self._openai
        async for part in handler(body, sampling, route):
            yield part

    async def _ollama(self, body: dict, sampling: dict, route: ModelRoute) -> AsyncIterator[ChatPart]:
        payload = openai_to_ollama(body, sampling)
        payload["model"] = route.upstream_model
        model = body["model"]
        started = False
        try:
            async with self._dispatcher.send(route.upstreams, "POST", "/api/chat", dumps(payload)) as (
                _,
                response,
            ):
                if response.status >= 400:
                    for part in detail_reply(response.status, ollama_error_message(await response.read())):
                        yield part
                    return
                created = int(self._clock())
                if not payload.get("stream"):
                    reply = loads(await response.read())
                    converted = ollama_to_openai(reply, model, f"{model}-{self._new_id()}", created)
                    for part in json_reply(converted):
                        yield part
                    return
                converter = OllamaStreamConverter(model, f"chatcmpl-{self._new_id()}", created)
                yield Head(200, {"Content-Type": SSE_TYPE}, streaming=True)
                started = True
                async for line in response.lines():
                    if line.strip():
                        yield converter.convert(loads(line))
                if not converter.finished:
                    raise OllamaStreamError("the stream ended before its done line")
                yield Marker.DONE
        except (BadGateway, OllamaStreamError, ValueError) as error:
            if not started:
                if isinstance(error, BadGateway):
                    raise
                raise BadGateway(messages.SERVER_CONNECTION_ERROR) from error
            log.warning("ollama stream for %s failed: %s", model, error)
            yield Marker.FAILED

    async def _openai(self, body: dict, sampling: dict, route: ModelRoute) -> AsyncIterator[ChatPart]:
        payload = openai_payload(body, sampling, route.upstream_model)
        started = False
        try:
            async with self._dispatcher.send(
                route.upstreams,
                "POST",
                "/chat/completions",
                lambda upstream: dumps(adapt_for_host(payload, upstream.base_url)),
            ) as (_, response):
                headers = relayed_headers(response.headers)
                is_sse = "text/event-stream" in response.headers.get("Content-Type", "")
                if response.status >= 400 or not is_sse:
                    # Errors pass through with the upstream's status, body and Retry-After.
                    raw = await response.read()
                    yield Head(response.status, headers)
                    yield raw
                    return
                yield Head(response.status, headers, streaming=True)
                started = True
                complete = False
                async for event in sse_events(response.lines()):
                    complete = complete or _STREAM_END.search(event) is not None
                    yield Relayed(event)
                if not complete:
                    log.warning("openai stream for %s ended before it finished", body.get("model"))
                    yield Marker.FAILED
        except BadGateway as error:
            if not started:
                raise
            log.warning("openai stream for %s failed: %s", body.get("model"), error)
            yield Marker.FAILED


async def sse_events(lines: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Whole server-sent events (the lines up to a blank one), however the upstream split them."""
    pending: list[bytes] = []
    async for line in lines:
        pending.append(line)
        if line in (b"\n", b"\r\n"):
            yield b"".join(pending)
            pending = []
    if pending:
        yield b"".join(pending)
