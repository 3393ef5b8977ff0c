"""The models every upstream serves, in Open WebUI's object shapes, cached for MODELS_CACHE_TTL."""

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.inference.dispatch import Dispatcher
from services.inference.transport import Timeouts
from services.inference.upstreams import Kind, Upstream

log = logging.getLogger(__name__)

# Open WebUI hides these from api.openai.com's list: they are not chat models.
_OPENAI_NON_CHAT = ("babbage", "dall-e", "davinci", "embedding", "tts", "whisper")
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class ModelRoute:
    """Where a model id is served: its kind, the upstreams that have it, the name they know it by."""

    id: str
    kind: Kind
    upstreams: tuple[Upstream, ...]
    upstream_model: str


@dataclass
class Catalog:
    """One snapshot of every upstream's models."""

    models: list[dict] = field(default_factory=list)
    routes: dict[str, ModelRoute] = field(default_factory=dict)
    # Merged Ollama /api/tags entries, each with "urls" (what GET /ollama/api/tags answers).
    ollama_tags: list[dict] = field(default_factory=list)
    fetched_at: float = 0.0
    _json: bytes | None = None

    @property
    def models_json(self) -> bytes:
        if self._json is None:
            self._json = json.dumps(self.models, separators=(",", ":"), ensure_ascii=False).encode()
        return self._json

    def of_kind(self, kind: Kind) -> list[dict]:
        return [m for m in self.models if self.routes[m["id"]].kind is kind]

    def route(self, model_id: str) -> ModelRoute | None:
        """The route of ``model_id``; an Ollama name without a tag means ``:latest``, as in Ollama."""
        found = self.routes.get(model_id)
        if found is None and model_id and ":" not in model_id:
            found = self.routes.get(f"{model_id}:latest")
        return found


def expires_epoch(value: object) -> int | None:
    """Ollama's RFC 3339 ``expires_at`` (nanosecond fractions included) as epoch seconds."""
    if not isinstance(value, str) or not value:
        return None
    text = _FRACTION.sub(r"\1", value.replace("Z", "+00:00"))
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:
        return None


def listed_models(reply: object) -> list[dict]:
    """The model entries of an Ollama ``{"models": [...]}`` reply; nothing when it is malformed."""
    models = reply.get("models") if isinstance(reply, dict) else None
    return [m for m in models if isinstance(m, dict)] if isinstance(models, list) else []


def _list_of(value: object) -> list:
    """``value`` when the upstream sent a list, else nothing (a malformed reply drops its models)."""
    return value if isinstance(value, list) else []


def _with_route_fields(model: dict) -> dict:
    # GET /api/models carries these on every model; the model directory fills `filters` with the
    # toggleable filter functions that apply; no route runs action functions, so `actions` stays empty.
    model.setdefault("tags", [])
    model["actions"] = []
    model["filters"] = []
    return model


def ollama_models(listings: list[tuple[Upstream, dict, dict]]) -> tuple[list[dict], dict[str, list]]:
    """Merged ``/api/tags`` entries (with ``urls``) and the upstreams serving each model id."""
    merged: dict[str, dict] = {}
    serving: dict[str, list[Upstream]] = {}
    for upstream, tags, ps in listings:
        loaded = {
            m.get("model") or m.get("name"): expires_epoch(m.get("expires_at")) for m in listed_models(ps)
        }
        for tag in listed_models(tags):
            if not (tag.get("model") or tag.get("name")):
                continue
            model_id = tag.get("model") or tag["name"]
            entry = merged.get(model_id)
            if entry is None:
                entry = merged[model_id] = {**tag, "connection_type": "local", "urls": []}
            entry["urls"].append(upstream.idx)
            expires = loaded.get(model_id)
            if expires is not None:
                entry["expires_at"] = expires
            serving.setdefault(model_id, []).append(upstream)
    return list(merged.values()), serving


def ollama_model_object(entry: dict) -> dict:
    model_id = entry.get("model") or entry["name"]
    return _with_route_fields(
        {
            "id": model_id,
            "name": entry.get("name", model_id),
            "object": "model",
            "created": 0,
            "owned_by": "ollama",
            "ollama": entry,
            "loaded": "expires_at" in entry,
            "connection_type": "local",
        }
    )


def openai_model_object(raw: dict, upstream: Upstream) -> dict:
    return _with_route_fields(
        {
            **raw,
            "name": raw.get("name", raw["id"]),
            "owned_by": "openai",
            "openai": raw,
            "connection_type": "external",
            "provider": "",
            "urlIdx": upstream.idx,
        }
    )


def openai_entries(upstream: Upstream, listing: object) -> list[dict]:
    """The model entries of an OpenAI-compatible ``/models`` reply (``{"data": [...]}`` or a list)."""
    data = listing.get("data") if isinstance(listing, dict) else listing
    entries = [m for m in _list_of(data) if isinstance(m, dict) and isinstance(m.get("id"), str)]
    if "api.openai.com" in upstream.base_url:
        entries = [m for m in entries if not any(word in m["id"] for word in _OPENAI_NON_CHAT)]
    return entries


class ModelRegistry:
    """Asks the enabled upstreams for their models when a listing finds the catalog older than
    ``ttl_s`` (single-flight, one fetch at a time); chats resolve from the last known catalog."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        enabled: dict[Kind, bool],
        ttl_s: float,
        timeouts: Timeouts,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._dispatcher = dispatcher
        self._enabled = enabled
        self._ttl_s = ttl_s
        self._timeouts = timeouts
        self._clock = clock
        self._current: Catalog | None = None
        self._refreshing: asyncio.Task[Catalog] | None = None
        # Fetches run one at a time: one queued after invalidate() waits for the one in flight.
        self._building = asyncio.Lock()
        # What each upstream last answered: one that is cooling down or fails to answer keeps its
        # models listed, so that its chats fail as the outage they are (502), not "Model not found".
        self._last_openai: dict[Upstream, object] = {}
        self._last_ollama: dict[Upstream, dict] = {}
        # Bumped by invalidate(): a fetch begun before it must not pass for fresh.
        self._generation = 0
        self._refreshing_generation = 0

    def enabled(self, kind: Kind) -> bool:
        return self._enabled.get(kind, False)

    def _fresh(self, catalog: Catalog | None) -> bool:
        return catalog is not None and self._clock() - catalog.fetched_at < self._ttl_s

    async def catalog(self, refresh: bool = False) -> Catalog:
        """The current catalog; a new one when it is older than the TTL or ``refresh`` is set."""
        if not refresh and self._fresh(self._current):
            assert self._current is not None
            return self._current
        return await self._refresh()

    async def resolve(self, model_id: str) -> ModelRoute | None:
        """The route for a chat or proxy request, from the last known catalog: a known model never
        waits for model lists nor sends one (some servers end a running stream when another request
        arrives). Only an unknown id, on a catalog older than the TTL, waits for one fresh catalog, in
        case the model has just appeared."""
        current = self._current
        fetched = current is None
        if current is None:
            current = await self._refresh()
        found = current.route(model_id)
        if found is None and not fetched and not self._fresh(current):
            found = (await self._refresh()).route(model_id)
        return found

    def model_object(self, model_id: str) -> dict | None:
        """The listed object of a model in the current catalog (never waits for a refresh)."""
        current = self._current
        if current is None:
            return None
        return next((m for m in current.models if m["id"] == model_id), None)

    def invalidate(self) -> None:
        """Forget the catalog (after a pull, copy or delete changed what an upstream serves)."""
        self._generation += 1
        if self._current is not None:
            self._current.fetched_at = float("-inf")

    def _start_refresh(self) -> asyncio.Task[Catalog]:
        stale_fetch = self._refreshing is not None and self._refreshing_generation != self._generation
        if self._refreshing is None or self._refreshing.done() or stale_fetch:
            self._refreshing_generation = self._generation
            self._refreshing = asyncio.create_task(self._build(self._generation))
        return self._refreshing

    async def _refresh(self) -> Catalog:
        # shield: one caller giving up must not cancel the fetch others are waiting for.
        return await asyncio.shield(self._start_refresh())

    def _listed(self, kind: Kind) -> tuple[list[Upstream], list[Upstream]]:
        """The enabled upstreams of ``kind``, and those of them to ask (the ones not cooling down)."""
        pool = self._dispatcher.pool
        listed = pool.of_kind(kind) if self.enabled(kind) else []
        return listed, [u for u in listed if not pool.is_cooling(u)]

    async def _build(self, generation: int) -> Catalog:
        async with self._building:
            return await self._fetch(generation)

    async def _fetch(self, generation: int) -> Catalog:
        ollama, ask_ollama = self._listed(Kind.OLLAMA)
        openai, ask_openai = self._listed(Kind.OPENAI)
        ollama_results, openai_results = await asyncio.gather(
            asyncio.gather(*(self._ollama_listing(u) for u in ask_ollama)),
            asyncio.gather(*(self._dispatcher.fetch_json(u, "/models", self._timeouts) for u in ask_openai)),
        )
        for upstream, answer in zip(ask_openai, openai_results, strict=True):
            if answer is not None:
                self._last_openai[upstream] = answer
        # Without an answer to /api/ps now, nothing is known to be loaded.
        ps_now = {u: ps for u, (tags, ps) in zip(ask_ollama, ollama_results, strict=True) if tags}
        for upstream, (tags, _) in zip(ask_ollama, ollama_results, strict=True):
            if tags is not None:
                self._last_ollama[upstream] = tags
        catalog = Catalog(fetched_at=self._clock())
        by_id: dict[str, dict] = {}
        for upstream in openai:
            listing = self._last_openai.get(upstream)
            if listing is None:
                continue
            for raw in openai_entries(upstream, listing):
                route = catalog.routes.get(raw["id"])
                if route is None:
                    by_id[raw["id"]] = openai_model_object(raw, upstream)
                    catalog.routes[raw["id"]] = ModelRoute(raw["id"], Kind.OPENAI, (upstream,), raw["id"])
                else:
                    catalog.routes[raw["id"]] = ModelRoute(
                        route.id, route.kind, (*route.upstreams, upstream), route.upstream_model
                    )
        listings = [(u, self._last_ollama[u], ps_now.get(u, {})) for u in ollama if self._last_ollama.get(u)]
        catalog.ollama_tags, serving = ollama_models(listings)
        for entry in catalog.ollama_tags:
            model = ollama_model_object(entry)
            by_id[model["id"]] = model
            catalog.routes[model["id"]] = ModelRoute(
                model["id"], Kind.OLLAMA, tuple(serving[model["id"]]), model["id"]
            )
        catalog.models = list(by_id.values())
        if generation != self._generation:
            # invalidate() ran while we fetched: what we saw may predate the change.
            catalog.fetched_at = float("-inf")
        self._current = catalog
        return catalog

    async def _ollama_listing(self, upstream: Upstream) -> tuple[dict | None, dict]:
        tags, ps = await asyncio.gather(
            self._dispatcher.fetch_json(upstream, "/api/tags", self._timeouts),
            self._dispatcher.fetch_json(upstream, "/api/ps", self._timeouts, counts=False),
        )
        return (tags if isinstance(tags, dict) else None), (ps if isinstance(ps, dict) else {})
