"""OpenAPI tool servers without I/O: connections from the environment, spec → tool specs, call
building, results and error texts, access and listing."""

import json

import pytest

from services.common.errors import NotFound
from services.common.identity import Identity
from services.inference.settings import InferenceSettings
from services.inference.tools import mcp_tools, openapi_specs
from services.inference.tools.connections import parse_connections
from services.inference.tools.mcp_client import McpError, sse_messages
from services.inference.tools.openapi_specs import SpecError, operations, parse_spec, resolve
from services.inference.tools.server_calls import CallRefused, prepare, read_limited, result_text
from services.inference.tools.servers import ToolServerLimits, ToolServers, server_id
from tests.fakes.tool_server import SPEC

ADMIN = Identity("admin-1", role="admin")
ALICE = Identity("alice", name="Alice\r\nX-Evil: 1", email="alice@example.com", credential="alice-token")
BOB = Identity("bob")


def connection(**overrides: object) -> dict:
    entry: dict = {"url": "http://tools.internal:8000/", "key": "k", "info": {"id": "weather"}}
    entry.update(overrides)
    return entry


def one(**overrides: object):
    return parse_connections(json.dumps([connection(**overrides)]))[0]


def op(name: str):
    return next(o for o in operations(SPEC) if o.name == name)


# -- connections ------------------------------------------------------------------------------------


def test_connections_take_open_webui_defaults_and_ids() -> None:
    parsed = parse_connections(
        json.dumps([connection(), {"url": "https://b.example", "config": {"enable": False}}])
    )
    first, second = parsed
    assert (first.id, first.type, first.url, first.path, first.auth_type) == (
        "weather",
        "openapi",
        "http://tools.internal:8000",
        "openapi.json",
        "bearer",
    )
    assert first.spec_url == "http://tools.internal:8000/openapi.json"
    assert (second.id, second.enabled) == ("1", False)
    assert one(path="https://specs.example/x.yaml").spec_url == "https://specs.example/x.yaml"
    assert one(headers='{"X-Team": "{{USER_EMAIL}}"}').headers == {"X-Team": "{{USER_EMAIL}}"}
    filtered = one(config={"function_name_filter_list": " get_weather, fail ,"})
    assert filtered.function_names == {"get_weather", "fail"}


@pytest.mark.parametrize(
    "text",
    [
        "{",
        '{"url": "http://a"}',
        '["nope"]',
        '[{"url": "ftp://a"}]',
        '[{"path": "openapi.json"}]',
        '[{"url": "http://a", "info": {"id": "x"}}, {"url": "http://b", "info": {"id": "x"}}]',
        '[{"url": "http://a", "info": {"id": "a|b"}}]',
        '[{"url": "http://a", "headers": ["x"]}]',
    ],
)
def test_bad_connections_stop_the_service_at_start(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):
        parse_connections(text)
    monkeypatch.setenv("DATABASE_URL", "postgresql://unused")
    monkeypatch.setenv("TOOL_SERVER_CONNECTIONS", text)
    with pytest.raises(ValueError, match="TOOL_SERVER_CONNECTIONS"):
        InferenceSettings()


def test_settings_read_the_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://unused")
    monkeypatch.setenv("TOOL_SERVER_CONNECTIONS", json.dumps([connection()]))
    settings = InferenceSettings()
    assert settings.enable_tool_servers is True
    assert [c.id for c in settings.tool_server_connections] == ["weather"]
    assert "tools.internal" not in repr(settings)


# -- spec → tool specs ------------------------------------------------------------------------------


def test_operations_become_function_specs() -> None:
    names = [o.name for o in operations(SPEC)]
    assert names == ["get_weather", "create_note", "fail", "slow", "huge", "plain_text"]
    weather = op("get_weather")
    assert (weather.method, weather.path_params, weather.query_params) == ("get", ("city",), ("days", "unit"))
    params = weather.spec["parameters"]
    assert params["required"] == ["city"]
    # Header parameters are not the model's to set.
    assert set(params["properties"]) == {"city", "days", "unit"}
    assert (
        params["properties"]["unit"]["description"]
        == "Temperature unit. Possible values: celsius, fahrenheit"
    )
    assert params["properties"]["days"] == {"type": "integer", "description": "", "default": 1}
    assert weather.spec["description"] == "Get the weather for a city."


def test_request_body_refs_are_resolved_and_enums_described() -> None:
    note = op("create_note").spec
    assert note["description"] == "Store a note."
    assert note["parameters"]["required"] == ["title"]
    priority = note["parameters"]["properties"]["priority"]
    assert priority["enum"] == ["low", "high"]
    assert priority["description"] == "How urgent. Possible values: low, high"


def test_odd_shapes_in_a_spec_are_skipped() -> None:
    odd = {
        "paths": {
            "relative": {"get": {"operationId": "no_slash"}},
            "/list": ["not", "an", "item"],
            "/x": {
                "parameters": "nope",
                "post": {
                    "operationId": "x",
                    "parameters": [1, {"in": "query"}, {"name": "q", "in": "query", "schema": "str"}],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"properties": {"a": 1}, "required": True}}
                        }
                    },
                },
            },
        }
    }
    (only,) = operations(odd)
    assert only.name == "x" and only.query_params == ("q",)
    assert only.spec["parameters"]["properties"] == {"q": {"type": "string", "description": ""}, "a": {}}


def test_description_falls_back_and_filter_list_cuts_down() -> None:
    spec = {"paths": {"/a": {"get": {"operationId": "a"}}, "/b": {"post": {"operationId": "b"}}}}
    assert operations(spec)[0].spec["description"] == "No description available."
    assert [o.name for o in operations(spec, frozenset({"b", "missing"}))] == ["b"]


def test_ref_cycles_and_remote_refs_end_in_empty_schemas() -> None:
    spec = {
        "components": {
            "schemas": {
                "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
                "Far": {"$ref": "https://elsewhere.example/schema.json"},
            }
        }
    }
    node = resolve(spec, {"$ref": "#/components/schemas/Node"})
    depth = 0
    while node:
        node = node["properties"]["child"]
        depth += 1
    assert 1 < depth < 40
    assert resolve(spec, {"$ref": "#/components/schemas/Far"}) == {}
    assert resolve(spec, {"$ref": "#/components/schemas/Missing"}) == {}


def test_ref_fan_out_is_bounded() -> None:
    schemas = {
        f"L{i}": {
            "type": "object",
            "properties": {f"p{j}": {"$ref": f"#/components/schemas/L{i + 1}"} for j in range(10)},
        }
        for i in range(12)
    }
    schemas["L12"] = {"type": "string"}
    resolved = resolve({"components": {"schemas": schemas}}, {"$ref": "#/components/schemas/L0"})
    assert len(json.dumps(resolved)) < 5_000_000


def test_specs_parse_as_json_then_yaml() -> None:
    assert parse_spec(json.dumps(SPEC))["info"]["title"] == "Fake Tools"
    assert parse_spec("openapi: 3.1.0\npaths:\n  /a: {}\n")["paths"] == {"/a": {}}
    assert parse_spec("paths: {}", yaml_first=True) == {"paths": {}}
    for bad in ("[1, 2]", '{"openapi": "3"}', "a: [", "just text", "[" * 100_000):
        with pytest.raises(SpecError):
            parse_spec(bad)
    assert openapi_specs.title(SPEC) == "Fake Tools"


# -- call building -----------------------------------------------------------------------------------


def test_path_params_are_url_encoded_and_query_params_added() -> None:
    call = prepare(one(), op("get_weather"), {"city": "São/Paulo?x", "days": 3, "unit": ""}, ALICE)
    assert call.method == "GET"
    assert str(call.url) == "http://tools.internal:8000/weather/S%C3%A3o%2FPaulo%3Fx"
    assert call.query == (("days", "3"),)
    assert call.body is None
    assert call.headers == {"Authorization": "Bearer k"}


def test_missing_path_param_is_refused() -> None:
    with pytest.raises(CallRefused, match="city"):
        prepare(one(), op("get_weather"), {}, ALICE)


def test_post_sends_the_rest_as_json_with_auth_and_templated_headers() -> None:
    conn = one(auth_type="session", headers={"X-User": "{{USER_EMAIL}}", "X-Name": "{{USER_NAME}}"})
    call = prepare(conn, op("create_note"), {"title": "t", "priority": "low"}, ALICE)
    assert call.method == "POST" and json.loads(call.body) == {"title": "t", "priority": "low"}
    assert call.headers["Authorization"] == "Bearer alice-token"
    assert call.headers["X-User"] == "alice@example.com"
    assert "\n" not in call.headers["X-Name"] and "\r" not in call.headers["X-Name"]
    assert call.headers["Content-Type"] == "application/json"
    assert "Authorization" not in prepare(one(auth_type="none"), op("fail"), {}, ALICE).headers


def test_a_path_cannot_leave_the_configured_server() -> None:
    spec = {"paths": {"/@evil.example/x": {"get": {"operationId": "x"}}}}
    call = prepare(one(), operations(spec)[0], {}, ALICE)
    assert call.url.host == "tools.internal"
    under_a_path = prepare(one(url="http://tools.internal/api/"), op("get_weather"), {"city": "x"}, ALICE)
    assert str(under_a_path.url) == "http://tools.internal/api/weather/x"


def test_results_and_error_texts() -> None:
    assert result_text(200, "application/json", None, b'{"a": 1}') == '{"a": 1}'
    assert result_text(200, "application/json", None, b'"hello"') == "hello"
    assert result_text(200, "text/plain", "utf-8", "héllo".encode()) == "héllo"
    assert result_text(200, "image/png", None, b"\x89P") == "data:image/png;base64,iVA="
    assert json.loads(result_text(500, "text/plain", None, b"boom")) == {"error": "HTTP error 500: boom"}
    assert json.loads(result_text(302, "text/html", None, b"")) == {
        "error": "HTTP error 302: redirects are not followed"
    }
    assert result_text(200, "text/plain", "no-such-charset", b"ok") == "ok"


async def test_reading_stops_past_the_size_limit() -> None:
    read: list[int] = []

    async def chunks():
        for i in range(100):
            read.append(i)
            yield b"x" * 10

    assert await read_limited(chunks(), 1000) == b"x" * 1000
    read.clear()
    assert await read_limited(chunks(), 55) is None
    assert len(read) == 6


# -- resolving and listing ---------------------------------------------------------------------------


def servers(*entries: dict, enabled: bool = True) -> ToolServers:
    return ToolServers(parse_connections(json.dumps(list(entries))), ToolServerLimits(), enabled=enabled)


def inline(server: str, **overrides: object) -> dict:
    return connection(info={"id": server, "name": f"{server} api"}, spec_type="json", spec=SPEC, **overrides)


async def test_resolve_and_list_follow_the_grants() -> None:
    public = {"access_grants": [{"principal_type": "user", "principal_id": "*", "permission": "read"}]}
    only_bob = {"access_grants": [{"principal_type": "user", "principal_id": "bob", "permission": "read"}]}
    group = {"access_grants": [{"principal_type": "group", "principal_id": "g", "permission": "read"}]}
    tools = servers(
        inline("open", config=public),
        inline("private"),
        inline("bob", config=only_bob),
        inline("group", config=group),
        inline("off", config={**public, "enable": False}),
    )
    try:
        found = await tools.resolve(ALICE, ["server:open", "server:open|fail"])
        assert [t.name for t in found][:2] == ["get_weather", "create_note"]
        assert {t.tool_id for t in found} == {"server:open"}
        assert found[0].spec == op("get_weather").spec
        for hidden in (
            "server:private",
            "server:bob",
            "server:group",
            "server:off",
            "server:nope",
            "server:mcp:x",
        ):
            with pytest.raises(NotFound):
                await tools.resolve(ALICE, [hidden])
        assert len(await tools.resolve(BOB, ["server:bob"])) == 6
        assert len(await tools.resolve(ADMIN, ["server:private", "server:group"])) == 12
        listed = await tools.listed(ALICE)
        assert listed == [
            {
                "id": "server:open",
                "user_id": "server:open",
                "name": "Fake Tools",
                "meta": {"description": "Weather and notes for tests"},
            }
        ]
        assert {item["id"] for item in await tools.listed(ADMIN)} == {
            "server:open",
            "server:private",
            "server:bob",
            "server:group",
        }
    finally:
        await tools.close()


async def test_filter_list_and_the_master_switch() -> None:
    tools = servers(inline("w", config={"function_name_filter_list": "get_weather"}))
    try:
        assert [t.name for t in await tools.resolve(ADMIN, ["server:w|create_note"])] == ["get_weather"]
    finally:
        await tools.close()
    off = servers(inline("w"), enabled=False)
    with pytest.raises(NotFound):
        await off.resolve(ADMIN, ["server:w"])
    assert await off.listed(ADMIN) == []
    assert off.handles("server:w") and not off.handles("weather_tool")
    assert server_id("server:a|b,c") == "a"


async def test_a_bad_inline_spec_is_skipped_not_fatal() -> None:
    tools = servers(connection(info={"id": "bad"}, spec_type="json", spec="{not a spec"))
    try:
        assert await tools.resolve(ADMIN, ["server:bad"]) == []
        assert await tools.listed(ADMIN) == []
    finally:
        await tools.close()


async def test_unsupported_auth_is_not_served_and_ids_keep_their_kind() -> None:
    tools = servers(inline("oauth", auth_type="oauth_2.1"), {**inline("m"), "type": "mcp"})
    for tool_id in ("server:oauth", "server:m", "server:mcp:oauth"):
        with pytest.raises(NotFound):
            await tools.resolve(ADMIN, [tool_id])
    assert [item["id"] for item in await tools.listed(ADMIN)] == ["server:mcp:m"]
    assert server_id("server:mcp:m|x") == "m"


# -- MCP ---------------------------------------------------------------------------------------------


def test_mcp_tool_names_and_specs() -> None:
    assert mcp_tools.tool_name("srv", "search") == "srv_search"
    long = mcp_tools.tool_name("srv", "t" * 80)
    assert len(long) == 64 and long.startswith("srv_ttt") and long[55] == "_"
    assert long != mcp_tools.tool_name("srv", "t" * 81)
    assert mcp_tools.function_spec("srv", {"name": "a"}) == {
        "name": "srv_a",
        "description": "",
        "parameters": {"type": "object", "properties": {}},
    }
    assert mcp_tools.function_spec("srv", {"description": "no name"}) is None


def test_mcp_results_become_text() -> None:
    text = {"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}
    assert mcp_tools.result_text(text) == "a\nb"
    image = {"content": [{"type": "image", "data": "iVA=", "mimeType": "image/png"}]}
    assert mcp_tools.result_text(image) == "data:image/png;base64,iVA="
    assert mcp_tools.result_text({"content": [], "structuredContent": {"x": 1}}) == '{"x": 1}'
    failed = {"content": [{"type": "text", "text": "boom"}], "isError": True}
    assert json.loads(mcp_tools.result_text(failed)) == {"error": "boom"}


async def _chunks(parts: list[bytes]):
    for part in parts:
        yield part


async def test_sse_messages_are_joined_and_capped() -> None:
    # Lines split across chunks, CRLF endings, a last event without its blank line.
    stream = [b'event: message\r\ndata: {"a":', b"\ndata: 1}\r\n\r", b'\ndata: {"b": 2}']
    found = [m async for m in sse_messages(_chunks(stream), 1000)]
    assert found == [{"a": 1}, {"b": 2}]
    with pytest.raises(McpError, match="larger than 20 bytes"):
        [m async for m in sse_messages(_chunks([b"data: " + b"x" * 15, b"x" * 15]), 20)]
