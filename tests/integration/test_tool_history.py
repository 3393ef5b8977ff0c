"""Tool versions on real Postgres: the history rows every create and update stores, paging,
delete with relinking, re-applying a version, the migration's backfill and the cascade."""

from pathlib import Path

import asyncpg
import pytest

from services.common import errors
from services.common.identity import Identity
from services.inference.tools.history import ToolHistory
from services.inference.tools.modules import ToolModules
from services.inference.tools.repository import ToolRepository
from services.inference.tools.service import ToolService

SOURCES = Path(__file__).parent.parent / "functions"
ADMIN = Identity(user_id="admin-1", email="a@example.com", name="Admin", role="admin")
USER = Identity(user_id="user-1", email="u@example.com", name="User", role="user")


def form(name: str, content: str, message: str | None = None) -> dict:
    return {
        "id": "weather_tool",
        "name": name,
        "content": content,
        "meta": {"description": name},
        "commit_message": message,
    }


@pytest.fixture
def parts(inference_pool: asyncpg.Pool) -> tuple[ToolRepository, ToolService, ToolHistory]:
    repo = ToolRepository(inference_pool)
    modules = ToolModules(5.0)
    rules = ToolService(repo, modules)
    return repo, rules, ToolHistory(repo, modules, rules)


async def test_versions_over_postgres(parts, inference_pool) -> None:
    repo, rules, history = parts
    code = (SOURCES / "weather_tool.py").read_text()
    changed = code + "# changed\n"
    created = await rules.create(ADMIN, form("Weather", code, "first"))
    await rules.update(ADMIN, "weather_tool", form("Weather 2", changed, "second"))
    await rules.update(ADMIN, "weather_tool", form("Weather 3", changed))
    third, second, first = await history.listed(ADMIN, "weather_tool", 1)
    assert created.record.version_id == first.id
    assert (await repo.get("weather_tool")).version_id == third.id
    assert [(v.parent_id, v.commit_message, v.user_id) for v in (first, second, third)] == [
        (None, "first", ADMIN.user_id),
        (first.id, "second", ADMIN.user_id),
        (second.id, None, ADMIN.user_id),
    ]
    assert (second.name, second.content, second.meta["description"]) == ("Weather 2", changed, "Weather 2")
    assert second.specs[0]["name"] == "get_weather"
    assert [v.id for v in await repo.list_versions("weather_tool", 1, 1)] == [second.id]
    assert await repo.list_versions("weather_tool\x00", 0, 10) == []
    assert await repo.get_version("weather_tool", "x\x00") is None

    diff = await history.diff(ADMIN, "weather_tool", first.id, second.id)
    assert "+# changed\n" in diff["content"]

    with pytest.raises(errors.InvalidArgument):
        await history.delete(ADMIN, "weather_tool", third.id)
    assert await history.delete(ADMIN, "weather_tool", second.id)
    assert [(v.id, v.parent_id) for v in await history.listed(ADMIN, "weather_tool", 1)] == [
        (third.id, first.id),
        (first.id, None),
    ]

    restored = await history.restore(ADMIN, "weather_tool", first.id)
    assert (restored.record.name, restored.record.content, restored.record.version_id) == (
        "Weather",
        code,
        first.id,
    )
    stored = await repo.get("weather_tool")
    assert (stored.meta["description"], stored.version_id) == ("Weather", first.id)
    assert await repo.apply_version("weather_tool", third.id.upper() + "-none") is None

    with pytest.raises(errors.Unauthenticated):
        await history.listed(USER, "weather_tool", 1)
    assert await rules.delete(ADMIN, "weather_tool")
    left = await inference_pool.fetchval(
        "SELECT count(*) FROM inference_tool_history WHERE tool_id = 'weather_tool'"
    )
    assert left == 0
