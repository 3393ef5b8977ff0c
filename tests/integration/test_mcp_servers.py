"""MCP tool servers (``server:mcp:<id>``) against the fake MCP server on loopback: tools listed per
request (cursor followed, filter list applied, long names cut), calls answered as JSON or as an
event stream, failures as error text, sessions ended."""

import json
from collections.abc import Iterator

import pytest

from services.common.errors import BadGateway, NotFound
from services.common.identity import Identity
from services.inference.tools.connections import parse_connections
from services.inference.tools.servers import ToolServerLimits, ToolServers
from services.inference.tools.types import ServerTool, ToolCallContext
from tests.fakes.mcp_server import MCP_FORECAST, FakeMcpServer

USER = Identity("user-1", credential="user-token")
LIMITS = ToolServerLimits(
    spec_timeout_s=5.0, call_timeout_s=1.0, connect_timeout_s=1.0, max_response_bytes=64 * 1024
)


PUBLIC = {"access_grants": [{"principal_type": "user", "principal_id": "*", "permission": "read"}]}


def context() -> ToolCallContext:
    return ToolCallContext(caller=USER, metadata={"chat_id": ""}, messages=[], model={})


@pytest.fixture(params=[False, True], ids=["json", "sse"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeMcpServer]:
    with FakeMcpServer(sse=request.param, slow_s=3.0) as server:
        yield server


def servers(*entries: dict) -> ToolServers:
    return ToolServers(parse_connections(json.dumps(list(entries))), LIMITS)


async def by_name(tools: ToolServers, tool_id: str = "server:mcp:fakemcp") -> dict[str, ServerTool]:
    return {tool.name: tool for tool in await tools.resolve(USER, [tool_id])}


async def test_tools_are_listed_and_called(fake: FakeMcpServer) -> None:
    tools = servers(fake.connection())
    try:
        found = await by_name(tools)
        long_name = next(name for name in found if name.startswith("fakemcp_xxx"))
        assert len(long_name) == 64 and long_name[55] == "_"
        assert {"fakemcp_get_weather", "fakemcp_fail", "fakemcp_slow"} <= set(found)
        weather = found["fakemcp_get_weather"]
        assert weather.tool_id == "server:mcp:fakemcp"
        assert weather.spec["parameters"]["required"] == ["city"]
        result = await weather.call({"city": "Oslo"}, context())
        assert json.loads(result) == {"city": "Oslo", "forecast": MCP_FORECAST}
        assert json.loads(await found["fakemcp_fail"].call({}, context())) == {"error": "it broke"}
        slow = json.loads(await found["fakemcp_slow"].call({}, context()))
        assert slow == {"error": "The MCP server did not answer within 1 s"}
        # Every session opened (one per listing, one per call) was ended.
        assert len(fake.closed_sessions) == 4
        listed = await tools.listed(USER)
        assert listed == [
            {
                "id": "server:mcp:fakemcp",
                "user_id": "server:mcp:fakemcp",
                "name": "Fake MCP",
                "meta": {"description": "MCP for tests"},
            }
        ]
    finally:
        await tools.close()


async def test_filter_list_access_and_failures(fake: FakeMcpServer) -> None:
    tools = servers(
        fake.connection(
            "only", config={**PUBLIC, "function_name_filter_list": "get_weather"}, info={"id": "only"}
        ),
        fake.connection("private", config={}, info={"id": "private"}),
        fake.connection("badkey", key="wrong", info={"id": "badkey"}),
    )
    try:
        assert list(await by_name(tools, "server:mcp:only|fail")) == ["only_get_weather"]
        with pytest.raises(NotFound):
            await tools.resolve(USER, ["server:mcp:private"])
        with pytest.raises(NotFound):
            await tools.resolve(USER, ["server:mcp:nope"])
        # An OpenAPI id does not reach an MCP server, nor the other way round.
        with pytest.raises(NotFound):
            await tools.resolve(USER, ["server:only"])
        assert len(await tools.resolve(Identity("a", role="admin"), ["server:mcp:private"])) == 4
        # Refused by the server: skipped, never fatal.
        assert await tools.resolve(USER, ["server:mcp:badkey"]) == []
        assert await tools.mcp_specs(USER, "server:mcp:only") == [
            {"name": "get_weather", "description": "Get the weather for a city."}
        ]
        with pytest.raises(BadGateway):
            await tools.mcp_specs(USER, "server:mcp:badkey")
        for hidden in ("server:mcp:private", "server:only", "server:mcp:nope"):
            with pytest.raises(NotFound):
                await tools.mcp_specs(USER, hidden)
        assert [item["id"] for item in await tools.listed(USER)] == ["server:mcp:only", "server:mcp:badkey"]
    finally:
        await tools.close()


async def test_an_unreachable_mcp_server_gives_no_tools_and_calls_give_error_text(
    fake: FakeMcpServer,
) -> None:
    tools = servers(fake.connection())
    try:
        weather = (await by_name(tools))["fakemcp_get_weather"]
        fake.stop()
        assert await tools.resolve(USER, ["server:mcp:fakemcp"]) == []
        error = json.loads(await weather.call({"city": "Oslo"}, context()))["error"]
        assert error.startswith("The MCP server could not be reached")
    finally:
        await tools.close()
