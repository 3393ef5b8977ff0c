"""OpenAPI tool servers against the fake tool server on loopback: specs fetched (JSON and YAML) with
the key, operations called with their parameters, and every failure of the server as error text."""

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from services.common.identity import Identity
from services.inference.tools.connections import parse_connections
from services.inference.tools.servers import ToolServerLimits, ToolServers
from services.inference.tools.types import ServerTool, ToolCallContext
from tests.fakes.tool_server import FAIL_TEXT, FORECAST, TOOL_SERVER_KEY, TOOL_SERVER_TITLE, FakeToolServer

USER = Identity("user-1", email="u@example.com", credential="user-token")
LIMITS = ToolServerLimits(
    spec_timeout_s=5.0, call_timeout_s=1.0, connect_timeout_s=1.0, max_response_bytes=64 * 1024
)


def context() -> ToolCallContext:
    return ToolCallContext(caller=USER, metadata={"chat_id": ""}, messages=[], model={})


@pytest.fixture
def fake() -> Iterator[FakeToolServer]:
    with FakeToolServer(slow_s=3.0) as server:
        yield server


@pytest.fixture
async def tools(fake: FakeToolServer) -> AsyncIterator[ToolServers]:
    connections = [
        fake.connection("fake", headers={"X-User": "{{USER_EMAIL}}"}),
        fake.connection("yaml", path="/openapi.yaml"),
        fake.connection("badkey", key="wrong"),
    ]
    servers = ToolServers(parse_connections(json.dumps(connections)), LIMITS)
    servers.start()
    try:
        yield servers
    finally:
        await servers.close()


async def by_name(servers: ToolServers, tool_id: str = "server:fake") -> dict[str, ServerTool]:
    return {tool.name: tool for tool in await servers.resolve(USER, [tool_id])}


async def test_specs_are_fetched_with_the_key_as_json_and_yaml(
    tools: ToolServers, fake: FakeToolServer
) -> None:
    listed = await tools.listed(USER)
    assert [item["id"] for item in listed] == ["server:fake", "server:yaml"]
    assert listed[0]["name"] == TOOL_SERVER_TITLE
    assert set(await by_name(tools, "server:yaml")) == set(await by_name(tools))
    # The server refused the wrong key: logged and skipped, never fatal.
    assert await tools.resolve(USER, ["server:badkey"]) == []
    spec_requests = [r for r in fake.requests if r.path == "/openapi.json"]
    assert spec_requests and all(r.headers["Accept"] == "application/json" for r in spec_requests)


async def test_get_with_path_and_query_params(tools: ToolServers, fake: FakeToolServer) -> None:
    weather = (await by_name(tools))["get_weather"]
    result = await weather.call({"city": "New York", "days": 2, "unit": "fahrenheit"}, context())
    assert json.loads(result) == {"city": "New York", "days": 2, "unit": "fahrenheit", "forecast": FORECAST}
    request = fake.requests[-1]
    assert request.path == "/weather/New York" and request.query == {"days": "2", "unit": "fahrenheit"}
    assert request.headers["Authorization"] == f"Bearer {TOOL_SERVER_KEY}"
    assert request.headers["X-User"] == "u@example.com"


async def test_post_with_a_json_body(tools: ToolServers) -> None:
    note = (await by_name(tools))["create_note"]
    result = await note.call({"title": "hi", "priority": "high"}, context())
    assert json.loads(result) == {"stored": {"title": "hi", "priority": "high"}}


async def test_failures_come_back_as_error_text(tools: ToolServers) -> None:
    found = await by_name(tools)
    assert json.loads(await found["fail"].call({}, context())) == {"error": f"HTTP error 500: {FAIL_TEXT}"}
    slow = json.loads(await found["slow"].call({}, context()))
    assert slow == {"error": "The tool server did not answer within 1 s"}
    huge = json.loads(await found["huge"].call({}, context()))
    assert huge == {"error": "The tool server's response is larger than 65536 bytes"}
    assert await found["plain_text"].call({}, context()) == "just text"
    assert json.loads(await found["get_weather"].call({}, context())) == {
        "error": "Missing path parameter: city"
    }


async def test_session_auth_forwards_the_callers_credential_and_redirects_are_not_followed(
    fake: FakeToolServer,
) -> None:
    fake.api_key = USER.credential
    spec = json.dumps(
        {
            "paths": {
                "/redirect/weather/{city}": {
                    "get": {"operationId": "moved", "parameters": [{"name": "city", "in": "path"}]}
                },
                "/weather/{city}": {
                    "get": {"operationId": "weather", "parameters": [{"name": "city", "in": "path"}]}
                },
            }
        }
    )
    entry = fake.connection("s", auth_type="session", spec_type="json", spec=spec)
    servers = ToolServers(parse_connections(json.dumps([entry])), LIMITS)
    try:
        found = await by_name(servers, "server:s")
        assert json.loads(await found["weather"].call({"city": "Oslo"}, context()))["city"] == "Oslo"
        moved = json.loads(await found["moved"].call({"city": "Oslo"}, context()))
        assert moved == {"error": "HTTP error 302: redirects are not followed"}
        assert [r.path for r in fake.requests] == ["/weather/Oslo", "/redirect/weather/Oslo"]
    finally:
        await servers.close()


async def test_an_unreachable_server_is_skipped(fake: FakeToolServer) -> None:
    entry = fake.connection("gone")
    fake.stop()
    servers = ToolServers(parse_connections(json.dumps([entry])), LIMITS)
    try:
        assert await servers.resolve(USER, ["server:gone"]) == []
        assert await servers.listed(USER) == []
    finally:
        await servers.close()
