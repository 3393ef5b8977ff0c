"""The tool routes' rules (who may do what, Open WebUI's answers) and the Python tool resolver."""

import asyncio
import json
from pathlib import Path

import pytest

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.tools.modules import ToolModules
from services.inference.tools.python_tools import PythonToolResolver, result_text
from services.inference.tools.service import ToolService
from services.inference.tools.types import ToolCallContext
from tests.unit.fake_tool_store import FakeToolStore

SOURCES = Path(__file__).parent.parent / "functions"
ADMIN = Identity("admin-1", "admin", name="Ada", email="ada@example.com")
OWNER = Identity("user-1", "user", name="Olga", email="olga@example.com")
OTHER = Identity("user-2", "user", name="Otto", email="otto@example.com")
# The owner holding ``workspace.tools``: users create tools with it.
CREATOR = Identity(
    "user-1", "user", name="Olga", email="olga@example.com", permissions=frozenset({"workspace.tools"})
)


def source(name: str) -> str:
    return (SOURCES / f"{name}.py").read_text()


def form(tool_id: str, name: str = "Tool", content: str | None = None, **extra: object) -> dict:
    return {"id": tool_id, "name": name, "content": content or source(tool_id), "meta": {}, **extra}


def build(*, timeout_s: float = 5.0, servers=None):
    store = FakeToolStore()
    modules = ToolModules(timeout_s)
    rules = ToolService(store, modules, servers=servers)
    return store, rules, PythonToolResolver(store, modules, rules, timeout_s)


def context(caller: Identity = ADMIN, emit=None) -> ToolCallContext:
    return ToolCallContext(caller, {"chat_id": "", "message_id": "m1"}, [], {"id": "model"}, emit)


async def test_admin_creates_and_specs_come_from_the_code():
    store, rules, _ = build()
    view = await rules.create(ADMIN, form("weather_tool", "Weather"))
    record = store.tools["weather_tool"]
    assert record.user_id == ADMIN.user_id and view.write_access
    assert record.specs[0]["name"] == "get_weather"
    assert record.meta["manifest"]["title"] == "Weather Tool"
    assert record.meta["has_user_valves"] is False


async def test_create_refusals():
    _, rules, _ = build()
    with pytest.raises(errors.Unauthenticated) as refused:
        await rules.create(OWNER, form("weather_tool"))
    assert refused.value.detail == messages.UNAUTHORIZED
    with pytest.raises(errors.InvalidArgument, match="alphanumeric"):
        await rules.create(ADMIN, form("bad-id", content=source("weather_tool")))
    with pytest.raises(errors.InvalidArgument, match=r"\[ERROR: Error creating tool: No Tools class"):
        await rules.create(ADMIN, form("nothing", content="x = 1\n"))
    await rules.create(ADMIN, form("Weather_Tool", content=source("weather_tool")))
    with pytest.raises(errors.InvalidArgument, match="already registered"):
        await rules.create(ADMIN, form("weather_tool"))


async def test_users_create_with_the_permission_and_grants_are_dropped():
    store, rules, _ = build()
    grants = [{"principal_type": "user", "principal_id": OTHER.user_id, "permission": "read"}]
    await rules.create(CREATOR, form("weather_tool", access_grants=grants))
    assert store.tools["weather_tool"].access_grants == []


async def test_read_and_write_rules():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool", "Weather"))
    with pytest.raises(errors.NotFound):
        await rules.get(OTHER, "missing")
    with pytest.raises(errors.Unauthenticated) as denied:
        await rules.get(OTHER, "weather_tool")
    assert denied.value.detail == messages.ACCESS_PROHIBITED
    assert (await rules.listed(OTHER)).tools == []
    grants = [
        {"principal_type": "user", "principal_id": OTHER.user_id, "permission": "read"},
        {"principal_type": "group", "principal_id": "g1", "permission": "write"},
    ]
    await rules.update_access(ADMIN, "weather_tool", grants)
    view = await rules.get(OTHER, "weather_tool")
    assert not view.write_access and not view.show_content
    assert [v.record.id for v in (await rules.listed(OTHER, query="WEATH")).tools] == ["weather_tool"]
    assert (await rules.listed(OTHER, query="nope")).tools == []
    # A reader may not change or delete it.
    with pytest.raises(errors.Unauthenticated):
        await rules.update(OTHER, "weather_tool", form("weather_tool"))
    with pytest.raises(errors.Unauthenticated):
        await rules.delete(OTHER, "weather_tool")
    # A missing tool on update/delete is Open WebUI's 401.
    with pytest.raises(errors.NotFound) as missing:
        await rules.delete(ADMIN, "missing")
    assert missing.value.http_status == 401
    # A write-only grant gives write, not read.
    await rules.update_access(
        ADMIN,
        "weather_tool",
        [{"principal_type": "user", "principal_id": OTHER.user_id, "permission": "write"}],
    )
    assert rules.may_write(OTHER, store.tools["weather_tool"])
    assert not rules.may_read(OTHER, store.tools["weather_tool"])


async def test_access_update_audience():
    store, rules, _ = build()
    await rules.create(CREATOR, form("weather_tool"))
    with pytest.raises(errors.PermissionDenied):
        await rules.update_access(
            OWNER, "weather_tool", [{"principal_type": "user", "principal_id": "*", "permission": "read"}]
        )
    with pytest.raises(errors.PermissionDenied):
        await rules.update_access(
            ADMIN, "weather_tool", [{"principal_type": "anyone", "principal_id": "*", "permission": "read"}]
        )
    view = await rules.update_access(
        ADMIN, "weather_tool", [{"principal_type": "user", "principal_id": "*", "permission": "read"}]
    )
    (grant,) = view.record.access_grants
    assert grant["resource_type"] == "tool" and grant["resource_id"] == "weather_tool"
    assert rules.may_read(OTHER, store.tools["weather_tool"])
    # The owner may always clear them.
    assert (await rules.update_access(OWNER, "weather_tool", [])).record.access_grants == []
    with pytest.raises(errors.NotFound):
        await rules.update_access(ADMIN, "missing", [])


async def test_changing_code_needs_the_create_right():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool"))
    await rules.update_access(
        ADMIN,
        "weather_tool",
        [{"principal_type": "user", "principal_id": OTHER.user_id, "permission": "write"}],
    )
    # A writer may rename it while the code stays.
    await rules.update(OTHER, "weather_tool", form("weather_tool", "Renamed"))
    assert store.tools["weather_tool"].name == "Renamed"
    with pytest.raises(errors.Unauthenticated):
        await rules.update(OTHER, "weather_tool", form("weather_tool", content=source("dict_tool")))
    view = await rules.update(ADMIN, "weather_tool", form("weather_tool", content=source("dict_tool")))
    assert view.record.specs[0]["name"] == "lookup"
    with pytest.raises(errors.InvalidArgument, match="SyntaxError"):
        await rules.update(ADMIN, "weather_tool", form("weather_tool", content="def ("))


async def test_valves_and_user_valves():
    _, rules, _ = build()
    await rules.create(ADMIN, form("user_valves_tool"))
    assert await rules.valves(ADMIN, "user_valves_tool", "admin", spec=False) == {}
    spec = await rules.valves(ADMIN, "user_valves_tool", "user", spec=True)
    assert spec["title"] == "UserValves" and "unit" in spec["properties"]
    assert await rules.update_valves(ADMIN, "user_valves_tool", "admin", {"prefix": "p", "x": None}) == {
        "prefix": "p"
    }
    assert await rules.valves(ADMIN, "user_valves_tool", "admin", spec=False) == {"prefix": "p"}
    with pytest.raises(errors.InvalidArgument, match=r"Error updating tool valves"):
        await rules.update_valves(ADMIN, "user_valves_tool", "admin", {"prefix": {"no": 1}})
    # Readers: their own user valves only.
    with pytest.raises(errors.Unauthenticated):
        await rules.valves(OTHER, "user_valves_tool", "user", spec=False)
    await rules.update_access(
        ADMIN,
        "user_valves_tool",
        [{"principal_type": "user", "principal_id": OTHER.user_id, "permission": "read"}],
    )
    assert await rules.update_valves(OTHER, "user_valves_tool", "user", {"unit": "F"}) == {"unit": "F"}
    assert await rules.valves(OTHER, "user_valves_tool", "user", spec=False) == {"unit": "F"}
    assert await rules.valves(ADMIN, "user_valves_tool", "user", spec=False) == {}
    with pytest.raises(errors.InvalidArgument) as reader:
        await rules.update_valves(OTHER, "user_valves_tool", "admin", {"prefix": "x"})
    assert reader.value.detail == messages.ACCESS_PROHIBITED
    # No such class: Open WebUI's 401 NOT_FOUND; no spec: null.
    await rules.create(ADMIN, form("raising_tool"))
    assert await rules.valves(ADMIN, "raising_tool", "admin", spec=True) is None
    with pytest.raises(errors.NotFound) as missing:
        await rules.update_valves(ADMIN, "raising_tool", "user", {"a": 1})
    assert missing.value.http_status == 401


async def test_list_includes_tool_servers_from_the_hook():
    class Servers:
        async def listed(self, caller):
            return [{"id": "server:w", "user_id": "server:w", "name": "Weather API", "meta": {}}]

    _, rules, _ = build(servers=Servers())
    assert (await rules.listed(ADMIN, include_servers=True)).servers[0]["id"] == "server:w"
    assert (await rules.listed(ADMIN)).servers == []
    assert (await rules.listed(ADMIN, query="none", include_servers=True)).servers == []


async def test_server_specs_come_from_the_mcp_servers_with_open_webui_s_errors():
    class Servers:
        async def listed(self, caller):
            return []

        async def mcp_specs(self, caller, tool_id):
            if tool_id == "server:mcp:slow":
                raise errors.Timeout("Tool discovery timed out")
            return [{"name": "get_weather", "description": "Weather."}]

    _, rules, _ = build(servers=Servers())
    specs = await rules.server_specs(OWNER, "server:mcp:m")
    assert specs == [{"name": "get_weather", "description": "Weather."}]
    with pytest.raises(errors.Timeout) as slow:
        await rules.server_specs(OWNER, "server:mcp:slow")
    # Pinned: the gateway keeps the service's text instead of its generic deadline text.
    assert (slow.value.http_status, slow.value.detail) == (504, "Tool discovery timed out")
    _, without, _ = build()
    with pytest.raises(errors.NotFound) as missing:
        await without.server_specs(ADMIN, "server:mcp:m")
    assert missing.value.detail == "Tool not found"


async def test_export_is_for_admins():
    _, rules, _ = build()
    await rules.create(CREATOR, form("weather_tool"))
    with pytest.raises(errors.Unauthenticated):
        await rules.export(OWNER)
    assert [r.id for r in await rules.export(ADMIN)] == ["weather_tool"]


async def test_resolver_refuses_unknown_and_unreadable_ids():
    _, rules, resolver = build()
    await rules.create(ADMIN, form("weather_tool"))
    assert resolver.handles("weather_tool") and not resolver.handles("server:x")
    assert await resolver.resolve(ADMIN, ["server:x"]) == []
    with pytest.raises(errors.NotFound, match="missing"):
        await resolver.resolve(ADMIN, ["weather_tool", "missing"])
    with pytest.raises(errors.NotFound, match="weather_tool"):
        await resolver.resolve(OTHER, ["weather_tool"])


async def test_resolver_runs_tools_with_coerced_arguments():
    _, rules, resolver = build()
    await rules.create(ADMIN, form("weather_tool"))
    await rules.create(ADMIN, form("dict_tool"))
    tools = await resolver.resolve(ADMIN, ["weather_tool", "dict_tool", "weather_tool"])
    assert [t.name for t in tools] == ["get_weather", "lookup"]
    weather, lookup = tools
    assert weather.tool_id == "weather_tool" and weather.spec["parameters"]["required"] == ["city"]
    assert (
        await weather.call({"city": "Paris", "days": "2"}, context())
        == "Weather in Paris for 2 day(s): sunny, 21 C"
    )
    assert json.loads(await lookup.call({"key": "k", "limit": "3"}, context())) == {
        "key": "k",
        "values": [0, 1, 2],
    }


async def test_resolver_renames_colliding_functions():
    _, rules, resolver = build()
    await rules.create(ADMIN, form("weather_tool"))
    await rules.create(ADMIN, form("weather_two", content=source("weather_tool")))
    names = [t.name for t in await resolver.resolve(ADMIN, ["weather_tool", "weather_two"])]
    assert names == ["get_weather", "weather_two_get_weather"]


async def test_errors_and_timeouts_become_error_results():
    _, rules, resolver = build(timeout_s=0.3)
    await rules.create(ADMIN, form("raising_tool"))
    await rules.create(ADMIN, form("sleeping_tool"))
    (explode,) = await resolver.resolve(ADMIN, ["raising_tool"])
    assert json.loads(await explode.call({"reason": "x"}, context())) == {"error": "tool failed: x"}
    for tool in await resolver.resolve(ADMIN, ["sleeping_tool"]):
        result = json.loads(await asyncio.wait_for(tool.call({"seconds": 5}, context()), 3))
        assert "timed out after 0.3 s" in result["error"]


async def test_injected_arguments_and_valves():
    _, rules, resolver = build()
    await rules.create(ADMIN, form("user_valves_tool"))
    await rules.update_valves(ADMIN, "user_valves_tool", "admin", {"prefix": "stored"})
    await rules.update_valves(ADMIN, "user_valves_tool", "user", {"unit": "K"})
    events = []

    async def emit(event: dict) -> None:
        events.append(event)

    (whoami,) = await resolver.resolve(ADMIN, ["user_valves_tool"])
    answer = json.loads(await whoami.call({"__user__": "forged"}, context(ADMIN, emit)))
    assert answer == {
        "prefix": "stored",
        "unit": "K",
        "user_id": ADMIN.user_id,
        "tool_id": "user_valves_tool",
        "chat_id": "",
    }
    assert events[0]["type"] == "status"
    # Without an emitter the tool's events are dropped.
    assert json.loads(await whoami.call({}, context(ADMIN)))["unit"] == "K"


def test_result_text():
    assert result_text("x") == "x"
    assert result_text({"a": [1]}) == '{"a":[1]}'
    assert result_text([1, "b"]) == '[1,"b"]'
    assert result_text(None) == ""
    assert result_text(3) == "3"


async def test_tools_switched_off_list_nothing_and_resolve_nothing():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool"))
    off = ToolService(store, ToolModules(5.0), enabled=False)
    assert (await off.listed(ADMIN)).tools == []
    assert await off.export(ADMIN) == []
    resolver = PythonToolResolver(store, ToolModules(5.0), off, 5.0)
    with pytest.raises(errors.NotFound):
        await resolver.resolve(ADMIN, ["weather_tool"])
