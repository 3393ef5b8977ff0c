"""Python tools on real Postgres: the repository's SQL (grants, valves, user valves, cascades) and
the tool rules over it."""

from pathlib import Path

import asyncpg
import pytest

from services.common import errors
from services.common.identity import Identity
from services.inference.tools.modules import ToolModules
from services.inference.tools.python_tools import PythonToolResolver
from services.inference.tools.records import ToolRecord
from services.inference.tools.repository import ToolRepository
from services.inference.tools.service import ToolService
from services.inference.tools.types import ToolCallContext

SOURCES = Path(__file__).parent.parent / "functions"
ADMIN = Identity(user_id="admin-1", email="a@example.com", name="Admin", role="admin")
USER = Identity(user_id="user-1", email="u@example.com", name="User", role="user")
OTHER = Identity(user_id="user-2", email="o@example.com", name="Other", role="user")


def grant(
    tool_id: str, principal_id: str, permission: str, grant_id: str, principal_type: str = "user"
) -> dict:
    return {
        "id": grant_id,
        "resource_type": "tool",
        "resource_id": tool_id,
        "principal_type": principal_type,
        "principal_id": principal_id,
        "permission": permission,
        "created_at": 5,
    }


def record(tool_id: str, *, user_id: str = "user-1", updated_at: int = 100, grants=()) -> ToolRecord:
    return ToolRecord(
        id=tool_id,
        user_id=user_id,
        name=f"{tool_id} name",
        content="class Tools:\n    pass\n",
        specs=[{"name": "f", "description": "", "parameters": {"type": "object", "properties": {}}}],
        meta={"description": "d", "manifest": {"title": "T"}, "has_user_valves": False},
        valves=None,
        created_at=100,
        updated_at=updated_at,
        access_grants=list(grants),
    )


@pytest.fixture
def repo(inference_pool: asyncpg.Pool) -> ToolRepository:
    return ToolRepository(inference_pool)


async def test_insert_get_list_with_grants(repo) -> None:
    shared = record("shared", user_id="user-9", updated_at=300, grants=[grant("shared", "*", "read", "g1")])
    assert await repo.insert(record("own", updated_at=200))
    assert await repo.insert(record("private", user_id="user-9", updated_at=250))
    assert await repo.insert(shared)
    assert not await repo.insert(record("own"))
    assert await repo.get("shared") == shared
    assert await repo.get("missing") is None
    assert await repo.get("nul\x00id") is None
    assert [r.id for r in await repo.list_visible(None)] == ["shared", "private", "own"]
    assert [r.id for r in await repo.list_visible("user-1")] == ["shared", "own"]
    assert sorted(r.id for r in await repo.get_many(["own", "shared", "missing"])) == ["own", "shared"]
    # A group grant lists the tool for the group's members (the rules then check the permission).
    team = record(
        "team", user_id="user-9", updated_at=400, grants=[grant("team", "g-team", "read", "g2", "group")]
    )
    assert await repo.insert(team)
    assert [r.id for r in await repo.list_visible("user-1", ["g-other", "g-team"])] == [
        "team",
        "shared",
        "own",
    ]
    assert [r.id for r in await repo.list_visible("user-1", ["g-other"])] == ["shared", "own"]


async def test_update_grants_valves_and_delete_cascades(repo, inference_pool) -> None:
    assert await repo.insert(record("t", grants=[grant("t", "user-2", "read", "g1")]))
    updated = await repo.update_code(
        "t", name="New", content="class Tools: pass\n", specs=[], meta={"description": None}
    )
    assert updated.name == "New" and updated.specs == [] and len(updated.access_grants) == 1
    assert await repo.update_code("missing", name="x", content="", specs=[], meta={}) is None
    regranted = await repo.set_grants(
        "t", [grant("t", "user-3", "write", "g2"), grant("t", "*", "read", "g3")]
    )
    assert [(g["principal_id"], g["permission"]) for g in regranted.access_grants] == [
        ("user-3", "write"),
        ("*", "read"),
    ]
    assert await repo.set_grants("missing", []) is None
    assert (await repo.set_valves("t", {"a": 1})).valves == {"a": 1}
    assert await repo.get_user_valves("t", "user-1") is None
    assert await repo.set_user_valves("t", "user-1", {"u": True})
    assert await repo.set_user_valves("t", "user-1", {"u": False})
    assert await repo.get_user_valves("t", "user-1") == {"u": False}
    assert not await repo.set_user_valves("missing", "user-1", {})
    assert await repo.delete("t")
    assert not await repo.delete("t")
    left = await inference_pool.fetchval(
        "SELECT (SELECT count(*) FROM inference_tool_access_grant WHERE tool_id = 't') + "
        "(SELECT count(*) FROM inference_tool_user_valves WHERE tool_id = 't')"
    )
    assert left == 0


async def test_rules_and_resolver_over_postgres(repo) -> None:
    modules = ToolModules(5.0)
    rules = ToolService(repo, modules)
    resolver = PythonToolResolver(repo, modules, rules, 5.0)
    content = (SOURCES / "weather_tool.py").read_text()
    form = {"id": "weather_tool", "name": "Weather", "content": content, "meta": {"description": "w"}}
    await rules.create(ADMIN, form)
    with pytest.raises(errors.Unauthenticated):
        await rules.get(USER, "weather_tool")
    await rules.update_access(
        ADMIN,
        "weather_tool",
        [{"principal_type": "user", "principal_id": USER.user_id, "permission": "read"}],
    )
    view = await rules.get(USER, "weather_tool")
    assert view.record.specs[0]["parameters"]["required"] == ["city"] and not view.write_access
    assert [v.record.id for v in (await rules.listed(USER)).tools] == ["weather_tool"]
    assert (await rules.listed(OTHER)).tools == []
    (tool,) = await resolver.resolve(USER, ["weather_tool"])
    ctx = ToolCallContext(USER, {"chat_id": ""}, [], {"id": "m"})
    assert await tool.call({"city": "Oslo"}, ctx) == "Weather in Oslo for 1 day(s): sunny, 21 C"
    with pytest.raises(errors.NotFound):
        await resolver.resolve(OTHER, ["weather_tool"])
    assert await rules.update_valves(ADMIN, "weather_tool", "admin", {"api_base": "https://x.invalid"}) == {
        "api_base": "https://x.invalid"
    }
    assert await rules.delete(ADMIN, "weather_tool")
    with pytest.raises(errors.NotFound):
        await resolver.resolve(ADMIN, ["weather_tool"])
