"""A tool's versions (history, diff, delete, re-apply) and the pure parts of /load/url."""

import pytest

from services.common import errors, messages
from services.common.networks import parse_networks
from services.inference.tools.history import PAGE_SIZE, ToolHistory
from services.inference.tools.load_url import ToolUrlLoader, github_raw_url, tool_name
from services.inference.verify_target import VerifyTargets
from tests.unit.test_tool_rules import ADMIN, OTHER, OWNER, build, form, source


def history_of(store, rules) -> ToolHistory:
    return ToolHistory(store, rules._modules, rules)


def grant(user_id: str, permission: str) -> list[dict]:
    return [{"principal_type": "user", "principal_id": user_id, "permission": permission}]


async def test_create_and_update_store_versions_with_their_commit_messages():
    store, rules, _ = build()
    created = await rules.create(ADMIN, form("weather_tool", "Weather", commit_message="first"))
    first = store.versions[0]
    assert created.record.version_id == first.id
    assert (first.parent_id, first.user_id, first.commit_message, first.name) == (
        None,
        ADMIN.user_id,
        "first",
        "Weather",
    )
    changed = source("weather_tool") + "\n# changed\n"
    updated = await rules.update(ADMIN, "weather_tool", form("weather_tool", "Weather 2", content=changed))
    second = store.versions[1]
    assert updated.record.version_id == second.id and second.parent_id == first.id
    assert second.commit_message is None and second.content == changed
    history = history_of(store, rules)
    assert [v.id for v in await history.listed(ADMIN, "weather_tool", 1)] == [second.id, first.id]
    assert await history.listed(ADMIN, "weather_tool", 2) == []
    assert [v.id for v in await history.listed(ADMIN, "weather_tool", 0)] == [second.id, first.id]


async def test_history_pages():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool"))
    for i in range(PAGE_SIZE):
        await rules.update(ADMIN, "weather_tool", form("weather_tool", f"v{i}"))
    history = history_of(store, rules)
    assert len(await history.listed(ADMIN, "weather_tool", 1)) == PAGE_SIZE
    assert len(await history.listed(ADMIN, "weather_tool", 2)) == 1
    assert await history.listed(ADMIN, "weather_tool", 2**31 - 1) == []


async def test_history_is_for_writers_with_open_webui_s_answers():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool", access_grants=grant(OTHER.user_id, "read")))
    history = history_of(store, rules)
    with pytest.raises(errors.NotFound) as missing:
        await history.listed(ADMIN, "missing", 1)
    assert missing.value.detail == "Not found"
    for call in (
        history.listed(OTHER, "weather_tool", 1),
        history.get(OTHER, "weather_tool", store.versions[0].id),
        history.diff(OTHER, "weather_tool", "", ""),
        history.delete(OWNER, "weather_tool", store.versions[0].id),
        history.restore(OTHER, "weather_tool", store.versions[0].id),
    ):
        with pytest.raises(errors.Unauthenticated) as denied:
            await call
        assert denied.value.detail == messages.ACCESS_PROHIBITED
    for call in (
        history.get(ADMIN, "weather_tool", "nope"),
        history.diff(ADMIN, "weather_tool", "nope", ""),
        history.delete(ADMIN, "weather_tool", "nope"),
        history.restore(ADMIN, "weather_tool", ""),
    ):
        with pytest.raises(errors.NotFound) as gone:
            await call
        assert gone.value.detail == "Version not found"


async def test_a_version_of_another_tool_is_not_found():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool"))
    await rules.create(ADMIN, form("dict_tool"))
    other = store.tools["dict_tool"].version_id
    with pytest.raises(errors.NotFound):
        await history_of(store, rules).get(ADMIN, "weather_tool", other)


async def test_diff_defaults_to_the_current_version_and_its_parent():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool", "Weather", meta={"description": "old"}))
    changed = source("weather_tool") + "# changed\n"
    await rules.update(
        ADMIN, "weather_tool", form("weather_tool", "Weather", content=changed, meta={"description": "new"})
    )
    first, second = store.versions
    diff = await history_of(store, rules).diff(ADMIN, "weather_tool", "", "")
    assert (diff["from_id"], diff["to_id"]) == (first.id, second.id)
    assert diff["name"] == {"from": "Weather", "to": "Weather"}
    assert "+# changed\n" in diff["content"] and diff["content"].startswith(f"--- {first.id}/content")
    assert '-  "description": "old",' in diff["meta"] and '+  "description": "new",' in diff["meta"]
    same = await history_of(store, rules).diff(ADMIN, "weather_tool", second.id, second.id)
    assert (same["content"], same["meta"]) == ("", "")
    with pytest.raises(errors.NotFound):
        # The first version has no parent to diff against.
        await history_of(store, rules).diff(ADMIN, "weather_tool", "", first.id)


async def test_delete_keeps_the_current_version_and_relinks_children():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool"))
    await rules.update(ADMIN, "weather_tool", form("weather_tool", "v2"))
    await rules.update(ADMIN, "weather_tool", form("weather_tool", "v3"))
    first, second, third = store.versions
    history = history_of(store, rules)
    with pytest.raises(errors.InvalidArgument, match="current version"):
        await history.delete(ADMIN, "weather_tool", third.id)
    assert await history.delete(ADMIN, "weather_tool", second.id) is True
    assert [(v.id, v.parent_id) for v in store.versions] == [(first.id, None), (third.id, first.id)]


async def test_restore_re_applies_a_snapshot_without_a_new_version():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool", "Weather", access_grants=grant(OTHER.user_id, "write")))
    changed = source("weather_tool") + "# changed\n"
    await rules.update(ADMIN, "weather_tool", form("weather_tool", "Weather 2", content=changed))
    first = store.versions[0]
    history = history_of(store, rules)
    # A writer who may not create tools may not bring other code back.
    with pytest.raises(errors.Unauthenticated) as refused:
        await history.restore(OTHER, "weather_tool", first.id)
    assert refused.value.detail == messages.UNAUTHORIZED
    view = await history.restore(ADMIN, "weather_tool", first.id)
    assert (view.record.name, view.record.content, view.record.version_id) == (
        "Weather",
        first.content,
        first.id,
    )
    assert store.tools["weather_tool"].content == source("weather_tool") and len(store.versions) == 2
    # The same code again is no code change.
    assert (await history.restore(OTHER, "weather_tool", first.id)).record.version_id == first.id
    # An update after a restore descends from the restored version.
    await rules.update(ADMIN, "weather_tool", form("weather_tool", "Weather 3"))
    assert store.versions[-1].parent_id == first.id


async def test_restore_refuses_code_that_no_longer_loads():
    store, rules, _ = build()
    await rules.create(ADMIN, form("weather_tool"))
    version = store.versions[0]
    store.versions[0] = type(version)(**{**version.__dict__, "content": "x = 1\n"})
    with pytest.raises(errors.InvalidArgument, match=r"\[ERROR: Error loading tool: No Tools class"):
        await history_of(store, rules).restore(ADMIN, "weather_tool", version.id)


def test_github_urls_are_read_raw():
    assert github_raw_url("https://github.com/o/r/blob/main/tools/weather.py") == (
        "https://raw.githubusercontent.com/o/r/refs/heads/main/tools/weather.py"
    )
    assert github_raw_url("https://github.com/o/r/tree/dev/tools/weather/") == (
        "https://raw.githubusercontent.com/o/r/refs/heads/dev/tools/weather/main.py"
    )
    assert github_raw_url("https://example.com/x.py") == "https://example.com/x.py"


def test_names_follow_open_webui():
    assert tool_name("https://example.com/tools/weather.py") == "weather"
    assert tool_name("https://example.com/tools/weather/main.py") == "weather"
    assert tool_name("https://example.com/tools/weather/__init__.py") == "weather"
    assert tool_name("https://example.com/tools/weather.txt") == "tools"


async def test_load_url_is_for_admins_and_allowed_networks_only():
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    targets = VerifyTargets(parse_networks("10.0.0.0/8"), 1.0, resolve)
    loader = ToolUrlLoader(targets, timeout_s=1.0, max_bytes=100)
    with pytest.raises(errors.Unauthenticated) as denied:
        await loader.load(OWNER, "https://example.com/x.py")
    assert denied.value.detail == messages.ACCESS_PROHIBITED
    with pytest.raises(errors.InvalidArgument, match="VERIFY_ALLOWED_NETWORKS"):
        await loader.load(ADMIN, "https://example.com/x.py")
    with pytest.raises(errors.InvalidArgument, match="http"):
        await loader.load(ADMIN, "file:///etc/passwd")
