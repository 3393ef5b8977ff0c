"""``/ollama/*``: Ollama's own API passed through to the upstream that serves the model.

Auth levels are services/common/proxy_routes.py's, as at the gateway; here are the routing rules:
the model picks the upstream (least busy), ``/{url_idx}`` pins one (non-admins only where it
serves the model), lists are merged.
"""

import asyncio
import time
from collections.abc import AsyncIterator

from services.common import messages, proxy_routes
from services.common.errors import BadGateway, InvalidArgument, NotFound, PermissionDenied, ServiceDisabled
from services.inference.dispatch import Dispatcher
from services.inference.model_registry import ModelRegistry, ModelRoute, listed_models
from services.inference.ollama_convert import ollama_error_message
from services.inference.proxy_common import Handler, ProxyCall, not_offered, relay, route_table, verify
from services.inference.replies import Part, detail_reply, dumps, json_reply
from services.inference.transport import Timeouts
from services.inference.upstreams import Kind, Upstream
from services.inference.verify_target import VerifyTargets

# Routes that take a model and go to an upstream serving it: (our path, the upstream's path).
_MODEL_ROUTES = (
    ("/api/chat", "/api/chat"),
    ("/api/generate", "/api/generate"),
    ("/api/embed", "/api/embed"),
    ("/api/embeddings", "/api/embeddings"),
    ("/v1/completions", "/v1/completions"),
    ("/v1/chat/completions", "/v1/chat/completions"),
    ("/v1/embeddings", "/v1/embeddings"),
    ("/v1/messages", "/v1/messages"),
    ("/v1/responses", "/v1/responses"),
)


def version_key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.strip().lstrip("vV").split("-")[0].split("."):
        parts.append(int(piece) if piece.isdigit() else 0)
    return tuple(parts)


class OllamaProxy:
    def __init__(
        self,
        registry: ModelRegistry,
        dispatcher: Dispatcher,
        enabled: bool,
        list_timeouts: Timeouts,
        verify_targets: VerifyTargets,
    ) -> None:
        self._registry = registry
        self._dispatcher = dispatcher
        self._enabled = enabled
        self._list_timeouts = list_timeouts
        self._verify_targets = verify_targets
        # Paths, methods and levels are proxy_routes.OLLAMA's, shared with the gateway.
        handlers: dict[str, Handler] = {
            "/api/tags": self._tags,
            "/api/ps": self._ps,
            "/api/version": self._version,
            "/api/unload": self._unload,
            "/api/pull": self._pull,
            "/api/push": self._admin_relay("/api/push"),
            "/api/create": self._admin_relay("/api/create"),
            "/api/copy": self._copy,
            "/api/delete": self._delete,
            "/api/show": self._show,
            "/v1/models": self._v1_models,
            "/config": self._config,
            "/verify": self._verify,
            "/config/update": not_offered,
            "/models/download": not_offered,
            "/models/upload": not_offered,
        }
        for ours, theirs in _MODEL_ROUTES:
            handlers[ours] = self._model_relay(theirs, detail_errors=not ours.startswith("/v1/"))
        self._table = route_table(proxy_routes.OLLAMA, handlers)

    @property
    def _upstreams(self) -> list[Upstream]:
        return self._dispatcher.pool.of_kind(Kind.OLLAMA)

    async def handle(self, call: ProxyCall) -> AsyncIterator[Part]:
        handler, idx = self._table.find(call.method, call.path, call.caller)
        if not self._enabled and handler not in (self._version, self._config, not_offered):
            raise ServiceDisabled(messages.OLLAMA_API_DISABLED)
        async for part in handler(call, idx):
            yield part

    def _upstream(self, idx: int) -> Upstream:
        found = self._dispatcher.pool.get(Kind.OLLAMA, idx)
        if found is None:
            raise NotFound(messages.NOT_FOUND)
        return found

    async def _route(self, model: object, listed: bool = False) -> ModelRoute:
        """The model's route: from the last known catalog for requests that run it; from a catalog
        no older than the TTL (``listed``) for copy, delete and unload, which act on what the
        upstreams hold now, as Open WebUI's do (they list the models first)."""
        name = model if isinstance(model, str) else ""
        if not name:
            route = None
        elif listed:
            route = (await self._registry.catalog()).route(name)
        else:
            route = await self._registry.resolve(name)
        if route is None or route.kind is not Kind.OLLAMA:
            raise InvalidArgument(messages.model_not_found(name))
        return route

    def _pinned(self, call: ProxyCall, route: ModelRoute, idx: int | None) -> list[Upstream]:
        if idx is None:
            return list(route.upstreams)
        upstream = self._upstream(idx)
        if upstream not in route.upstreams and not call.caller.is_admin:
            raise PermissionDenied(messages.ACCESS_PROHIBITED)
        return [upstream]

    def _model_relay(self, upstream_path: str, detail_errors: bool):
        async def handler(call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
            body = call.json_object()
            route = await self._route(body.get("model") or body.get("name"))
            raw = call.body
            if body.get("model") != route.upstream_model and "model" in body:
                body["model"] = route.upstream_model
                raw = dumps(body)
            upstreams = self._pinned(call, route, idx)
            async for part in relay(
                self._dispatcher, upstreams, "POST", upstream_path, raw, detail_errors, call.passed_headers
            ):
                yield part

        return handler

    async def _show(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        handler = self._model_relay("/api/show", detail_errors=True)
        async for part in handler(call, None):
            yield part

    async def _tags(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        if idx is None:
            catalog = await self._registry.catalog()
            reply: object = {"models": catalog.ollama_tags}
        else:
            reply = await self._dispatcher.fetch_json(self._upstream(idx), "/api/tags", self._list_timeouts)
            if reply is None:
                raise BadGateway(messages.SERVER_CONNECTION_ERROR)
        for part in json_reply(reply):
            yield part

    async def _ps(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        upstreams = self._upstreams
        replies = await asyncio.gather(
            *(self._dispatcher.fetch_json(u, "/api/ps", self._list_timeouts) for u in upstreams)
        )
        merged: dict[str, dict] = {}
        for upstream, reply in zip(upstreams, replies, strict=True):
            for model in listed_models(reply):
                key = model.get("model") or model.get("name")
                entry = merged.setdefault(key, {**model, "urls": []})
                entry["urls"].append(upstream.idx)
        for part in json_reply({"models": list(merged.values())}):
            yield part

    async def _version(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        if not self._enabled:
            for part in json_reply({"version": False}):
                yield part
            return
        upstreams = [self._upstream(idx)] if idx is not None else self._upstreams
        replies = await asyncio.gather(
            *(self._dispatcher.fetch_json(u, "/api/version", self._list_timeouts) for u in upstreams)
        )
        versions = [
            r["version"] for r in replies if isinstance(r, dict) and isinstance(r.get("version"), str)
        ]
        # Open WebUI answers 500 (not 502) when no upstream told its version.
        answer = (
            detail_reply(500, messages.OLLAMA_NOT_FOUND)
            if not versions
            else json_reply({"version": min(versions, key=version_key)})
        )
        for part in answer:
            yield part

    async def _unload(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        body = call.json_object()
        name = body.get("model") or body.get("name")
        if not name:
            raise InvalidArgument(messages.MISSING_MODEL_TO_UNLOAD)
        route = await self._route(name, listed=True)
        payload = dumps({"model": route.upstream_model, "keep_alive": 0, "prompt": ""})

        async def unload(upstream: Upstream) -> None:
            async with self._dispatcher.send([upstream], "POST", "/api/generate", payload) as (_, response):
                await response.read()

        await asyncio.gather(*(unload(u) for u in route.upstreams))
        for part in json_reply({"status": True}):
            yield part

    async def _pull(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        body = {**call.json_object(), "insecure": True}
        async for part in self._changing_models(
            relay(self._dispatcher, [self._upstream(idx or 0)], "POST", "/api/pull", dumps(body))
        ):
            yield part

    def _admin_relay(self, upstream_path: str):
        async def handler(call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
            call.json_object()
            async for part in self._changing_models(
                relay(self._dispatcher, [self._upstream(idx or 0)], "POST", upstream_path, call.body)
            ):
                yield part

        return handler

    async def _changing_models(self, replies: AsyncIterator[Part]) -> AsyncIterator[Part]:
        """A reply during which an upstream's models change (pull, push, create): the catalog is
        forgotten as it starts and again when it ends, however it ends."""
        self._registry.invalidate()
        try:
            async for part in replies:
                yield part
        finally:
            self._registry.invalidate()

    async def _on_model_upstream(
        self, call: ProxyCall, idx: int | None, key: str, method: str, path: str
    ) -> AsyncIterator[Part]:
        """Copy and delete: the model's first upstream unless ``/{url_idx}`` names one; ``true``."""
        body = call.json_object()
        if idx is None:
            upstream = (await self._route(body.get(key) or body.get("name"), listed=True)).upstreams[0]
        else:
            upstream = self._upstream(idx)
        async with self._dispatcher.send([upstream], method, path, call.body) as (_, response):
            raw = await response.read()
            status = response.status
        self._registry.invalidate()
        replies = detail_reply(status, ollama_error_message(raw)) if status >= 400 else json_reply(True)
        for part in replies:
            yield part

    async def _copy(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        async for part in self._on_model_upstream(call, idx, "source", "POST", "/api/copy"):
            yield part

    async def _delete(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        async for part in self._on_model_upstream(call, idx, "model", "DELETE", "/api/delete"):
            yield part

    async def _v1_models(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        if idx is None:
            ids = [
                entry.get("model") or entry.get("name")
                for entry in (await self._registry.catalog()).ollama_tags
            ]
        else:
            reply = await self._dispatcher.fetch_json(self._upstream(idx), "/api/tags", self._list_timeouts)
            if not isinstance(reply, dict):
                raise BadGateway(messages.SERVER_CONNECTION_ERROR)
            ids = [m.get("model") or m.get("name") for m in listed_models(reply)]
        now = int(time.time())
        data = [{"id": i, "object": "model", "created": now, "owned_by": "openai"} for i in ids]
        for part in json_reply({"data": data, "object": "list"}):
            yield part

    async def _config(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        reply = {
            "ENABLE_OLLAMA_API": self._enabled,
            "OLLAMA_BASE_URLS": [u.base_url for u in self._upstreams],
            "OLLAMA_API_CONFIGS": {},
        }
        for part in json_reply(reply):
            yield part

    async def _verify(self, call: ProxyCall, idx: int | None) -> AsyncIterator[Part]:
        async for part in verify(
            self._dispatcher, call, Kind.OLLAMA, "/api/version", self._list_timeouts, self._verify_targets
        ):
            yield part
