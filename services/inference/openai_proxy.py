"""``/openai/*``: the OpenAI-compatible upstreams' models and chat completions, and the opt-in
catch-all pass-through (``ENABLE_OPENAI_API_PASSTHROUGH``)."""

from collections.abc import AsyncIterator

from services.common import messages, proxy_routes
from services.common.errors import BadGateway, NotFound, PermissionDenied, ServiceDisabled
from services.inference.chat import ChatService
from services.inference.dispatch import Dispatcher
from services.inference.model_registry import ModelRegistry, ModelRoute
from services.inference.proxy_common import Handler, ProxyCall, not_offered, relay, route_table, verify
from services.inference.replies import Part, dumps, json_reply, loads
from services.inference.transport import Timeouts
from services.inference.upstreams import Kind
from services.inference.verify_target import VerifyTargets


def mask_key(key: str) -> str:
    """Upstream keys are shown to admins as a prefix of three and the last four characters, and
    only when they are long enough for that to hide most of them."""
    return f"{key[:3]}…{key[-4:]}" if len(key) >= 20 else ("…" if key else "")


class OpenAIProxy:
    def __init__(
        self,
        registry: ModelRegistry,
        dispatcher: Dispatcher,
        chat: ChatService,
        enabled: bool,
        passthrough: bool,
        list_timeouts: Timeouts,
        verify_targets: VerifyTargets,
    ) -> None:
        self._registry = registry
        self._dispatcher = dispatcher
        self._chat = chat
        self._enabled = enabled
        self._passthrough = passthrough
        self._list_timeouts = list_timeouts
        self._verify_targets = verify_targets
        # Paths, methods and levels are proxy_routes.OPENAI's, shared with the gateway.
        handlers: dict[str, Handler] = {
            "/models": self._models,
            "/chat/completions": self._chat_completions,
            "/config": self._config,
            "/config/update": not_offered,
            "/verify": self._verify,
            "/responses": self._model_relay("/responses"),
            "/audio/speech": self._model_relay("/audio/speech"),
        }
        self._table = route_table(proxy_routes.OPENAI, handlers)

    async def handle(self, call: ProxyCall) -> AsyncIterator[Part]:
        try:
            handler, idx = self._table.find(call.method, call.path, call.caller)
        except NotFound:
            handler, idx = self._catch_all, None
        if not self._enabled and handler not in (self._config, not_offered):
            raise ServiceDisabled(messages.OPENAI_API_DISABLED)
        async for part in handler(call, idx):
            yield part

    async def _models(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        if idx is None:
            reply: object = {"data": (await self._registry.catalog()).of_kind(Kind.OPENAI)}
        else:
            upstream = self._dispatcher.pool.get(Kind.OPENAI, idx)
            if upstream is None:
                raise NotFound(messages.NOT_FOUND)
            reply = await self._dispatcher.fetch_json(upstream, "/models", self._list_timeouts)
            if reply is None:
                raise BadGateway(messages.SERVER_CONNECTION_ERROR)
        for part in json_reply(reply):
            yield part

    async def _openai_route(self, call: ProxyCall) -> tuple[dict, ModelRoute]:
        try:
            body = loads(call.body)
        except ValueError:
            body = None
        model_id = body.get("model") if isinstance(body, dict) else None
        route = await self._registry.resolve(model_id) if isinstance(model_id, str) else None
        if route is None or route.kind is not Kind.OPENAI:
            # Open WebUI: 404 MODEL_NOT_FOUND() (no name) for any id that is not an OpenAI model.
            raise NotFound(messages.model_not_found(""))
        assert isinstance(body, dict)
        return body, route

    async def _chat_completions(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        body, _ = await self._openai_route(call)
        async for part in self._chat.complete(body):
            yield part

    def _model_relay(self, upstream_path: str):
        """Responses API, speech: to an upstream serving the body's model, replies as they come."""

        async def handler(call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
            body, route = await self._openai_route(call)
            payload = dumps({**body, "model": route.upstream_model})
            async for part in relay(
                self._dispatcher,
                route.upstreams,
                "POST",
                upstream_path,
                payload,
                detail_errors=False,
                headers=call.passed_headers,
            ):
                yield part

        return handler

    async def _verify(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        async for part in verify(
            self._dispatcher, call, Kind.OPENAI, "/models", self._list_timeouts, self._verify_targets
        ):
            yield part

    async def _config(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        upstreams = self._dispatcher.pool.of_kind(Kind.OPENAI)
        reply = {
            "ENABLE_OPENAI_API": self._enabled,
            "OPENAI_API_BASE_URLS": [u.base_url for u in upstreams],
            "OPENAI_API_KEYS": [mask_key(u.api_key) for u in upstreams],
            "OPENAI_API_CONFIGS": {},
        }
        for part in json_reply(reply):
            yield part

    async def _catch_all(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        if not self._passthrough:
            raise PermissionDenied(messages.OPENAI_PASSTHROUGH_DISABLED)
        upstreams = self._dispatcher.pool.of_kind(Kind.OPENAI)[:1]
        if not upstreams:
            raise NotFound(messages.NOT_FOUND)
        path = call.path + (f"?{call.query}" if call.query else "")
        async for part in relay(
            self._dispatcher,
            upstreams,
            call.method,
            path,
            call.body or None,
            detail_errors=False,
            headers=call.passed_headers,
        ):
            yield part
