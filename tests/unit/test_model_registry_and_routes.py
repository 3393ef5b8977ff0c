"""The model catalog (assembly, TTL cache, single-flight, last known models), the proxy route
table and request body, version and key helpers, SSE event framing, OpenAI payloads and settings."""

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.common.errors import InvalidArgument, NotFound
from services.common.identity import Identity
from services.common.proxy_routes import Access, ProxyRoute
from services.inference.chat import WEBUI_FIELDS, openai_payload, sse_events
from services.inference.core import upstreams_from
from services.inference.dispatch import Dispatcher
from services.inference.model_registry import Catalog, ModelRegistry, expires_epoch
from services.inference.ollama_proxy import version_key
from services.inference.openai_proxy import mask_key
from services.inference.proxy_common import ProxyCall, RouteTable
from services.inference.settings import InferenceSettings
from services.inference.transport import ConnectFailed, Timeouts, UpstreamBroke
from services.inference.upstreams import Kind, Upstream, UpstreamPool
from tests.unit.fake_transport import Clock, FakeResponse, FakeTransport

TIMEOUTS = Timeouts(total_s=5.0, connect_s=1.0)
TTL = 10.0


NOT_FOUND = FakeResponse(404, b'{"error": "not found"}')


def reply(value: object, status: int = 200) -> FakeResponse:
    return FakeResponse(status, json.dumps(value).encode())


# -- the scripted upstreams --------------------------------------------------------------------

PS_EXPIRES = "2024-06-04T14:38:31.837531234Z"
PS_EPOCH = int(datetime(2024, 6, 4, 14, 38, 31, tzinfo=UTC).timestamp())


def tag(name: str) -> dict:
    return {"name": name, "model": name, "size": 1, "digest": f"sha-{name}", "details": {}}


def script() -> dict[tuple[str, str], FakeResponse | BaseException]:
    return {
        ("ollama[0]", "/api/tags"): reply({"models": [tag("llama3:latest"), tag("mistral:7b")]}),
        ("ollama[0]", "/api/ps"): reply({"models": [{"name": "llama3:latest", "expires_at": PS_EXPIRES}]}),
        ("ollama[1]", "/api/tags"): reply({"models": [tag("llama3:latest"), tag("qwen:0.5b")]}),
        ("ollama[1]", "/api/ps"): reply({"models": []}),
        ("openai[0]", "/models"): reply(
            {
                "object": "list",
                "data": [
                    {"id": "gpt-4o", "object": "model", "created": 1, "owned_by": "system"},
                    {"id": "gpt-shared", "object": "model", "created": 2, "owned_by": "system"},
                    {"id": "text-embedding-3-small", "object": "model"},
                    {"id": "dall-e-3", "object": "model"},
                    {"id": "whisper-1", "object": "model"},
                    {"id": "tts-1-hd", "object": "model"},
                    {"id": "davinci-002", "object": "model"},
                    {"id": "babbage-002", "object": "model"},
                    {"no": "id"},
                ],
            }
        ),
        # A bare list is accepted too; embeddings are only dropped on api.openai.com.
        ("openai[1]", "/models"): reply([{"id": "gpt-shared"}, {"id": "local-embedding"}]),
    }


def upstreams() -> list[Upstream]:
    return [
        Upstream(Kind.OLLAMA, 0, "http://ollama0:11434"),
        Upstream(Kind.OLLAMA, 1, "http://ollama1:11434"),
        Upstream(Kind.OPENAI, 0, "https://api.openai.com/v1", "sk-a"),
        Upstream(Kind.OPENAI, 1, "https://llm.example.com/v1", "sk-b"),
    ]


CALLS_PER_FETCH = 6  # tags and ps of two Ollama upstreams, /models of two OpenAI upstreams


def make_registry(
    scripted: dict | None = None,
    enabled: dict[Kind, bool] | None = None,
    ttl: float = TTL,
    clock: Clock | None = None,
) -> tuple[ModelRegistry, FakeTransport, UpstreamPool]:
    clock = clock or Clock()
    pool = UpstreamPool(upstreams(), 1, 30.0, clock=clock, rng=random.Random(3))
    transport = FakeTransport(script() if scripted is None else scripted, default=NOT_FOUND)
    dispatcher = Dispatcher(pool, transport, TIMEOUTS)
    enabled = {Kind.OLLAMA: True, Kind.OPENAI: True} if enabled is None else enabled
    return ModelRegistry(dispatcher, enabled, ttl, TIMEOUTS, clock=clock), transport, pool


def names(route) -> list[str]:
    return [u.name for u in route.upstreams]


# -- catalog assembly --------------------------------------------------------------------------


async def test_catalog_merges_both_kinds() -> None:
    registry, transport, _ = make_registry()
    catalog = await registry.catalog()
    assert len(transport.calls) == CALLS_PER_FETCH
    ids = [m["id"] for m in catalog.models]
    assert sorted(ids) == sorted(
        ["gpt-4o", "gpt-shared", "local-embedding", "llama3:latest", "mistral:7b", "qwen:0.5b"]
    )
    assert len(ids) == len(set(ids))
    assert json.loads(catalog.models_json) == catalog.models
    assert {m["id"] for m in catalog.of_kind(Kind.OLLAMA)} == {"llama3:latest", "mistral:7b", "qwen:0.5b"}
    assert {m["id"] for m in catalog.of_kind(Kind.OPENAI)} == {"gpt-4o", "gpt-shared", "local-embedding"}


async def test_catalog_ollama_model_on_both_upstreams() -> None:
    registry, _, _ = make_registry()
    catalog = await registry.catalog()
    tags = {entry["model"]: entry for entry in catalog.ollama_tags}
    assert tags["llama3:latest"]["urls"] == [0, 1]
    assert tags["mistral:7b"]["urls"] == [0]
    assert tags["qwen:0.5b"]["urls"] == [1]
    assert tags["llama3:latest"]["expires_at"] == PS_EPOCH
    assert "expires_at" not in tags["mistral:7b"]
    assert tags["llama3:latest"]["connection_type"] == "local"

    route = catalog.route("llama3:latest")
    assert route is not None
    assert route.kind is Kind.OLLAMA
    assert names(route) == ["ollama[0]", "ollama[1]"]
    assert route.upstream_model == "llama3:latest"
    assert names(catalog.route("qwen:0.5b")) == ["ollama[1]"]

    models = {m["id"]: m for m in catalog.models}
    llama = models["llama3:latest"]
    assert llama["loaded"] is True
    assert models["mistral:7b"]["loaded"] is False
    assert llama["owned_by"] == "ollama"
    assert llama["object"] == "model"
    assert llama["ollama"]["urls"] == [0, 1]
    assert llama["connection_type"] == "local"
    assert llama["actions"] == [] and llama["filters"] == [] and llama["tags"] == []


async def test_catalog_openai_models() -> None:
    registry, _, _ = make_registry()
    catalog = await registry.catalog()
    shared = catalog.route("gpt-shared")
    assert shared is not None and shared.kind is Kind.OPENAI
    assert names(shared) == ["openai[0]", "openai[1]"]
    assert shared.upstream_model == "gpt-shared"
    assert names(catalog.route("gpt-4o")) == ["openai[0]"]
    assert names(catalog.route("local-embedding")) == ["openai[1]"]
    for dropped in (
        "text-embedding-3-small",
        "dall-e-3",
        "whisper-1",
        "tts-1-hd",
        "davinci-002",
        "babbage-002",
    ):
        assert catalog.route(dropped) is None, dropped

    gpt4o = next(m for m in catalog.models if m["id"] == "gpt-4o")
    assert gpt4o["owned_by"] == "openai"
    assert gpt4o["connection_type"] == "external"
    assert gpt4o["urlIdx"] == 0
    assert gpt4o["name"] == "gpt-4o"
    assert gpt4o["created"] == 1
    assert gpt4o["openai"]["owned_by"] == "system"
    local = next(m for m in catalog.models if m["id"] == "local-embedding")
    assert local["urlIdx"] == 1


async def test_catalog_failed_upstreams_drop_their_models_only() -> None:
    scripted = script()
    scripted["ollama[1]", "/api/tags"] = ConnectFailed("refused")
    scripted["ollama[1]", "/api/ps"] = ConnectFailed("refused")
    scripted["ollama[0]", "/api/ps"] = UpstreamBroke("reset")
    scripted["openai[1]", "/models"] = reply({"error": "unauthorized"}, 401)
    registry, _, pool = make_registry(scripted)
    catalog = await registry.catalog()
    assert catalog.route("qwen:0.5b") is None
    assert catalog.route("local-embedding") is None
    assert names(catalog.route("llama3:latest")) == ["ollama[0]"]
    assert names(catalog.route("gpt-shared")) == ["openai[0]"]
    tags = {entry["model"]: entry for entry in catalog.ollama_tags}
    assert tags["llama3:latest"]["urls"] == [0]
    # Without /api/ps nothing is known to be loaded, but the models are still listed.
    assert "expires_at" not in tags["llama3:latest"]
    assert next(m for m in catalog.models if m["id"] == "llama3:latest")["loaded"] is False
    assert pool.get(Kind.OLLAMA, 1).failures >= 1


async def test_cooling_or_failing_upstreams_keep_their_last_known_models() -> None:
    # Their chats then fail as the outage they are (502), not as "Model not found".
    clock = Clock()
    scripted = script()
    registry, transport, pool = make_registry(scripted, clock=clock)
    before = await registry.catalog()
    pool.record_failure(pool.get(Kind.OPENAI, 1))  # threshold 1: cooling down
    scripted["ollama[1]", "/api/tags"] = ConnectFailed("refused")
    scripted["ollama[1]", "/api/ps"] = ConnectFailed("refused")
    transport.script = scripted
    clock.now += TTL + 1
    catalog = await registry.catalog()
    assert catalog is not before
    assert all(name != "openai[1]" for name, *_ in transport.calls[CALLS_PER_FETCH:])
    assert names(catalog.route("local-embedding")) == ["openai[1]"]
    assert names(catalog.route("gpt-shared")) == ["openai[0]", "openai[1]"]
    assert names(catalog.route("qwen:0.5b")) == ["ollama[1]"]
    assert names(catalog.route("llama3:latest")) == ["ollama[0]", "ollama[1]"]
    assert {m["id"] for m in catalog.models} == {m["id"] for m in before.models}
    # Once it answers again, what it lists now counts: a model it no longer has is gone.
    pool.record_success(pool.get(Kind.OPENAI, 1))
    pool.record_success(pool.get(Kind.OLLAMA, 1))
    scripted["ollama[1]", "/api/tags"] = reply({"models": [tag("llama3:latest")]})
    scripted["ollama[1]", "/api/ps"] = reply({"models": []})
    clock.now += TTL + 1
    catalog = await registry.catalog()
    assert catalog.route("qwen:0.5b") is None
    assert names(catalog.route("local-embedding")) == ["openai[1]"]


async def test_catalog_cooling_upstream_is_not_asked() -> None:
    registry, transport, pool = make_registry()
    cooling = pool.get(Kind.OPENAI, 1)
    pool.record_failure(cooling)  # threshold 1
    assert pool.is_cooling(cooling)
    catalog = await registry.catalog()
    assert all(name != "openai[1]" for name, *_ in transport.calls)
    assert names(catalog.route("gpt-shared")) == ["openai[0]"]


@pytest.mark.parametrize(
    ("enabled", "asked", "kinds"),
    [
        ({Kind.OLLAMA: False, Kind.OPENAI: True}, {"openai[0]", "openai[1]"}, {Kind.OPENAI}),
        ({Kind.OLLAMA: True, Kind.OPENAI: False}, {"ollama[0]", "ollama[1]"}, {Kind.OLLAMA}),
        ({Kind.OLLAMA: True}, {"ollama[0]", "ollama[1]"}, {Kind.OLLAMA}),
        ({}, set(), set()),
    ],
)
async def test_catalog_disabled_kinds_are_skipped(enabled, asked, kinds) -> None:
    registry, transport, _ = make_registry(enabled=enabled)
    catalog = await registry.catalog()
    assert {name for name, *_ in transport.calls} == asked
    assert {route.kind for route in catalog.routes.values()} == kinds
    assert registry.enabled(Kind.OPENAI) is enabled.get(Kind.OPENAI, False)


async def test_catalog_malformed_listing_drops_only_that_upstream() -> None:
    scripted = script()
    scripted["openai[1]", "/models"] = reply({"data": 1})
    scripted["ollama[1]", "/api/tags"] = reply({"models": 1})
    registry, _, _ = make_registry(scripted)
    catalog = await registry.catalog()
    assert catalog.route("gpt-4o") is not None
    assert catalog.route("mistral:7b") is not None


def test_expires_epoch() -> None:
    assert expires_epoch(PS_EXPIRES) == PS_EPOCH
    assert expires_epoch("2024-06-04T14:38:31Z") == PS_EPOCH
    assert expires_epoch("2024-06-04T07:38:31.83753-07:00") == PS_EPOCH
    assert expires_epoch("") is None
    assert expires_epoch(None) is None
    assert expires_epoch(5) is None
    assert expires_epoch("tomorrow") is None


# -- caching -----------------------------------------------------------------------------------


async def test_catalog_is_cached_for_the_ttl() -> None:
    clock = Clock()
    registry, transport, _ = make_registry(clock=clock)
    first = await registry.catalog()
    clock.now += TTL - 0.01
    assert await registry.catalog() is first
    assert len(transport.calls) == CALLS_PER_FETCH
    clock.now += 0.01
    second = await registry.catalog()
    assert second is not first
    assert len(transport.calls) == 2 * CALLS_PER_FETCH


async def test_catalog_refresh_forces_a_fetch() -> None:
    registry, transport, _ = make_registry()
    first = await registry.catalog()
    second = await registry.catalog(refresh=True)
    assert second is not first
    assert len(transport.calls) == 2 * CALLS_PER_FETCH


async def test_concurrent_catalog_calls_share_one_fetch() -> None:
    registry, transport, _ = make_registry()
    transport.gate = asyncio.Event()
    waiting = [asyncio.create_task(registry.catalog()) for _ in range(5)]
    for _ in range(5):
        await asyncio.sleep(0)
    transport.gate.set()
    results = await asyncio.gather(*waiting)
    assert all(result is results[0] for result in results)
    assert len(transport.calls) == CALLS_PER_FETCH


async def test_a_caller_giving_up_does_not_cancel_the_shared_fetch() -> None:
    registry, transport, _ = make_registry()
    transport.gate = asyncio.Event()
    quitter = asyncio.create_task(registry.catalog())
    stayer = asyncio.create_task(registry.catalog())
    await asyncio.sleep(0)
    quitter.cancel()
    transport.gate.set()
    catalog = await stayer
    assert catalog.route("gpt-4o") is not None
    assert len(transport.calls) == CALLS_PER_FETCH


async def test_resolve_of_a_known_model_never_waits_for_nor_sends_model_lists() -> None:
    # Some servers end a running stream when another request arrives: a chat must not bring a list.
    clock = Clock()
    registry, transport, _ = make_registry(clock=clock)
    old = await registry.catalog()
    transport.gate = asyncio.Event()  # a fetch could not finish
    for _ in range(5):
        clock.now += TTL + 1
        route = await asyncio.wait_for(registry.resolve("gpt-4o"), 1.0)
        assert route is old.route("gpt-4o")
        await asyncio.sleep(0)
    assert len(transport.calls) == CALLS_PER_FETCH
    transport.gate.set()
    # A listing still renews a stale catalog.
    assert await registry.catalog() is not old
    assert len(transport.calls) == 2 * CALLS_PER_FETCH


async def test_resolve_of_an_unknown_id_on_a_stale_catalog_waits_for_one_fetch() -> None:
    clock = Clock()
    scripted = script()
    registry, transport, _ = make_registry(scripted, clock=clock)
    await registry.catalog()
    scripted["ollama[0]", "/api/tags"] = reply({"models": [tag("llama3:latest"), tag("phi3:latest")]})
    transport.script = scripted
    assert await registry.resolve("phi3:latest") is None  # fresh catalog: no fetch for unknown ids
    assert len(transport.calls) == CALLS_PER_FETCH
    clock.now += TTL + 1
    route = await registry.resolve("phi3:latest")
    assert route is not None and names(route) == ["ollama[0]"]
    assert len(transport.calls) == 2 * CALLS_PER_FETCH
    clock.now += TTL + 1
    assert await registry.resolve("never-there") is None
    assert len(transport.calls) == 3 * CALLS_PER_FETCH


async def test_resolve_without_a_catalog_fetches_once() -> None:
    registry, transport, _ = make_registry()
    route = await registry.resolve("gpt-shared")
    assert route is not None and names(route) == ["openai[0]", "openai[1]"]
    assert await registry.resolve("no-such-model") is None
    assert len(transport.calls) == CALLS_PER_FETCH


async def test_resolve_name_without_tag_means_latest() -> None:
    registry, _, _ = make_registry()
    route = await registry.resolve("llama3")
    assert route is not None and route.id == "llama3:latest"
    assert await registry.resolve("mistral") is None  # only mistral:7b exists
    assert await registry.resolve("") is None
    assert Catalog().route("llama3") is None


async def test_invalidate_forces_the_next_fetch() -> None:
    registry, transport, _ = make_registry()
    registry.invalidate()  # nothing to forget yet
    first = await registry.catalog()
    registry.invalidate()
    second = await registry.catalog()
    assert second is not first
    assert len(transport.calls) == 2 * CALLS_PER_FETCH


async def test_fetches_never_overlap() -> None:
    registry, transport, _ = make_registry()
    transport.gate = asyncio.Event()
    first = asyncio.create_task(registry.catalog())
    for _ in range(5):
        await asyncio.sleep(0)
    registry.invalidate()
    second = asyncio.create_task(registry.catalog())
    for _ in range(5):
        await asyncio.sleep(0)
    # The fetch after invalidate() waits for the one in flight before it asks anything.
    assert len(transport.calls) == CALLS_PER_FETCH
    transport.gate.set()
    assert await second is not await first
    assert len(transport.calls) == 2 * CALLS_PER_FETCH


async def test_invalidate_during_a_fetch_in_flight_is_not_lost() -> None:
    clock = Clock()
    scripted = script()
    registry, transport, _ = make_registry(scripted, clock=clock)
    await registry.catalog()
    clock.now += TTL + 1
    transport.gate = asyncio.Event()
    in_flight = asyncio.create_task(registry.catalog())
    await asyncio.sleep(0)
    # A pull finishes on ollama[0] after it answered /api/tags for the fetch in flight.
    transport.script["ollama[0]", "/api/tags"] = reply({"models": [tag("llama3:latest"), tag("phi3:latest")]})
    registry.invalidate()
    transport.gate.set()
    await in_flight
    catalog = await registry.catalog()
    assert catalog.route("phi3:latest") is not None


# -- RouteTable and ProxyCall ------------------------------------------------------------------


async def _handler_a(call, idx):
    yield b"a"


async def _handler_b(call, idx):
    yield b"b"


async def _handler_c(call, idx):
    yield b"c"


USER = Identity(user_id="u1")


def test_route_table_matching() -> None:
    table = RouteTable()
    table.add(ProxyRoute(("GET",), "/api/tags", Access.VERIFIED, Access.VERIFIED), _handler_a)
    table.add(ProxyRoute(("POST", "DELETE"), "/api/pull", Access.VERIFIED, Access.VERIFIED), _handler_b)
    table.add(ProxyRoute(("GET",), "/api/ps", Access.VERIFIED, None), _handler_c)
    assert table.find("GET", "/api/tags", USER) == (_handler_a, None)
    assert table.find("GET", "/api/tags/", USER) == (_handler_a, None)
    assert table.find("GET", "/api/tags/3", USER) == (_handler_a, 3)
    assert table.find("GET", "/api/tags/12/", USER) == (_handler_a, 12)
    assert table.find("POST", "/api/pull/0", USER) == (_handler_b, 0)
    assert table.find("DELETE", "/api/pull", USER) == (_handler_b, None)
    assert table.find("GET", "/api/ps", USER) == (_handler_c, None)
    for method, path in [
        ("POST", "/api/tags"),  # method mismatch
        ("GET", "/api/pull"),
        ("GET", "/api/ps/1"),  # no idx on this route
        ("GET", "/api/tags/x"),
        ("GET", "/api/tagsx"),
        ("GET", "/api"),
        ("GET", "/prefix/api/tags"),
    ]:
        with pytest.raises(NotFound):
            table.find(method, path, USER)


def test_route_table_first_match_wins_per_method() -> None:
    table = RouteTable()
    table.add(ProxyRoute(("GET",), "/v1/models", Access.VERIFIED, Access.VERIFIED), _handler_a)
    table.add(ProxyRoute(("POST",), "/v1/models", Access.VERIFIED, Access.VERIFIED), _handler_b)
    assert table.find("POST", "/v1/models/1", USER) == (_handler_b, 1)
    assert table.find("GET", "/v1/models", USER) == (_handler_a, None)


def call_with(body: bytes) -> ProxyCall:
    return ProxyCall(Identity(user_id="u1"), "POST", "/api/chat", "", body)


def test_proxy_call_json_object() -> None:
    assert call_with(b"").json_object() == {}
    assert call_with(b"  \n").json_object() == {}
    assert call_with(b'{"model": "m"}').json_object() == {"model": "m"}
    for bad in (b"{", b"not json", b"\xff\xfe"):
        with pytest.raises(InvalidArgument, match="not valid JSON"):
            call_with(bad).json_object()
    for not_object in (b"[]", b"[1, 2]", b'"text"', b"3", b"null"):
        with pytest.raises(InvalidArgument, match="must be a JSON object"):
            call_with(not_object).json_object()


# -- small helpers -----------------------------------------------------------------------------


def test_version_key_ordering() -> None:
    assert version_key("0.12.10") > version_key("0.12.9")
    assert version_key("0.1.0-rc1") == (0, 1, 0)
    assert version_key("0.1.0-rc1") < version_key("0.1.1")
    assert version_key("1.0") < version_key("1.0.1")
    versions = ["0.12.10", "0.1.0-rc1", "0.12.9", "0.2.0"]
    assert sorted(versions, key=version_key) == ["0.1.0-rc1", "0.2.0", "0.12.9", "0.12.10"]
    assert min(["0.12.10", "0.12.9"], key=version_key) == "0.12.9"
    assert version_key("0.x.1") == (0, 0, 1)
    assert version_key("v1.2.3") == (1, 2, 3)


def test_mask_key() -> None:
    assert mask_key("sk-proj-abcdefghijkl1234") == "sk-…1234"
    assert mask_key("123456789") == "…"
    assert mask_key("12345678") == "…"
    assert mask_key("k") == "…"
    assert mask_key("") == ""


async def _lines(*items: bytes) -> AsyncIterator[bytes]:
    for item in items:
        await asyncio.sleep(0)
        yield item


async def test_sse_events_yields_whole_events() -> None:
    lines = _lines(
        b'data: {"a":1}\n',
        b"\n",
        b"event: ping\n",
        b": comment\n",
        b"data: two\n",
        b"\r\n",
        b"data: [DONE]\n",
        b"\n",
        b"data: unterminated\n",
    )
    events = [event async for event in sse_events(lines)]
    assert events == [
        b'data: {"a":1}\n\n',
        b"event: ping\n: comment\ndata: two\n\r\n",
        b"data: [DONE]\n\n",
        b"data: unterminated\n",
    ]


async def test_sse_events_from_a_body_split_anywhere() -> None:
    body = b'data: {"x": "first"}\n\ndata: {"x": "second"}\n\n'
    response = FakeResponse(body=body)
    events = [event async for event in sse_events(response.lines())]
    assert events == [b'data: {"x": "first"}\n\n', b'data: {"x": "second"}\n\n']
    assert [event async for event in sse_events(_lines())] == []


def test_openai_payload_drops_webui_fields_and_sets_the_upstream_model() -> None:
    body = {name: f"value-{name}" for name in WEBUI_FIELDS}
    body.update(
        model="alias",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        temperature=0.2,
    )
    original = dict(body)
    payload = openai_payload(body, {"temperature": 0.9, "top_p": 0.5}, "gpt-4o")
    assert payload == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "temperature": 0.2,  # the body's own value wins over params
        "top_p": 0.5,
    }
    assert body == original
    assert {"chat_id", "files", "metadata", "params", "tool_ids", "model_item"} <= WEBUI_FIELDS


# -- settings ----------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No InferenceSettings variable set, whatever the shell running the tests has."""
    for info in InferenceSettings.model_fields.values():
        if info.alias:
            monkeypatch.delenv(info.alias, raising=False)
            monkeypatch.delenv(info.alias.lower(), raising=False)
    # Required, but these tests only build settings: nothing connects to it.
    monkeypatch.setenv("DATABASE_URL", "postgresql://unused")
    return monkeypatch


def test_settings_defaults(clean_env) -> None:
    settings = InferenceSettings()
    assert settings.ollama_base_urls == ["http://localhost:11434"]
    assert settings.openai_api_base_urls == ["https://api.openai.com/v1"]
    assert settings.openai_api_keys == [""]
    assert settings.enable_ollama_api and settings.enable_openai_api
    assert not settings.enable_openai_api_passthrough
    assert settings.models_cache_ttl_s == 1.0


def test_settings_lists(clean_env) -> None:
    clean_env.setenv("OLLAMA_BASE_URL", "http://ignored:1")
    clean_env.setenv("OLLAMA_BASE_URLS", " http://a:11434/ ; http://b:11434;")
    clean_env.setenv("OPENAI_API_BASE_URL", "https://single.example.com/v1/")
    settings = InferenceSettings()
    assert settings.ollama_base_urls == ["http://a:11434", "http://b:11434"]
    assert settings.openai_api_base_urls == ["https://single.example.com/v1"]


def test_settings_keys_matched_by_index_and_padded(clean_env) -> None:
    clean_env.setenv("OPENAI_API_BASE_URLS", "https://x/v1;https://y/v1;https://z/v1")
    clean_env.setenv("OPENAI_API_KEYS", "k0; k1")
    assert InferenceSettings().openai_api_keys == ["k0", "k1", ""]
    clean_env.setenv("OPENAI_API_KEYS", "k0;;k2;k3")
    assert InferenceSettings().openai_api_keys == ["k0", "", "k2"]
    clean_env.setenv("OPENAI_API_KEYS", "")
    clean_env.setenv("OPENAI_API_KEY", "only")
    assert InferenceSettings().openai_api_keys == ["only", "", ""]
    clean_env.setenv("OPENAI_API_KEYS", "  ")
    assert InferenceSettings().openai_api_keys == ["only", "", ""]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OLLAMA_BASE_URLS", "http://ok:1;ftp://bad:2"),
        ("OLLAMA_BASE_URL", "localhost:11434"),
        ("OPENAI_API_BASE_URLS", "api.openai.com/v1"),
        ("OPENAI_API_BASE_URL", "ws://example.com/v1"),
    ],
)
def test_settings_bad_url(clean_env, name: str, value: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ValidationError, match="must start with http"):
        InferenceSettings()


def test_upstreams_from(clean_env) -> None:
    clean_env.setenv("OLLAMA_BASE_URLS", "http://a:11434;http://b:11434/")
    clean_env.setenv("OPENAI_API_BASE_URLS", "https://x/v1;https://y/v1")
    clean_env.setenv("OPENAI_API_KEYS", "kx")
    made = upstreams_from(InferenceSettings())
    assert [(u.kind, u.idx, u.base_url, u.api_key) for u in made] == [
        (Kind.OLLAMA, 0, "http://a:11434", ""),
        (Kind.OLLAMA, 1, "http://b:11434", ""),
        (Kind.OPENAI, 0, "https://x/v1", "kx"),
        (Kind.OPENAI, 1, "https://y/v1", ""),
    ]
    assert all(u.in_flight == 0 and u.failures == 0 and u.cooled_until == 0.0 for u in made)


def test_settings_empty_url_item_keeps_keys_aligned(clean_env) -> None:
    clean_env.setenv("OPENAI_API_BASE_URLS", "https://a/v1;;https://c/v1")
    clean_env.setenv("OPENAI_API_KEYS", "ka;;kc")
    by_url = {u.base_url: u.api_key for u in upstreams_from(InferenceSettings())}
    assert by_url["https://c/v1"] == "kc"
