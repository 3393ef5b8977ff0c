"""The prompt rules (/api/v1/prompts) and their versions, over an in-memory store."""

import itertools

import pytest

from services.common import errors, messages
from services.common.identity import ROLE_ADMIN, Identity
from services.inference.prompts.history import PromptHistory
from services.inference.prompts.service import INITIAL_COMMIT, PromptService
from tests.unit.fake_prompt_store import FakePromptStore

ADMIN = Identity("admin-1", role=ROLE_ADMIN)
OWNER = Identity(
    "owner-1",
    permissions=frozenset(
        {"workspace.prompts", "sharing.prompts", "access_grants.allow_users", "access_grants.allow_groups"}
    ),
)
IMPORTER = Identity("importer-1", permissions=frozenset({"workspace.prompts_import"}))
OTHER = Identity("other-1")
MEMBER = Identity("member-1", group_ids=frozenset({"team"}))


def build(**kwargs) -> tuple[FakePromptStore, PromptService, PromptHistory]:
    store = FakePromptStore()
    ids = (f"id-{n}" for n in itertools.count())
    rules = PromptService(store, new_id=lambda: next(ids), clock=lambda: 1796224635, **kwargs)
    return store, rules, PromptHistory(store, rules)


def form(command: str = "summarize", name: str = "Summarize", **extra) -> dict:
    return {"command": command, "name": name, "content": "Summarize: {{CLIPBOARD}}", **extra}


def grant(kind: str, principal: str, permission: str) -> dict:
    return {"principal_type": kind, "principal_id": principal, "permission": permission}


async def test_create_needs_admin_or_a_workspace_prompts_permission():
    _, rules, _ = build()
    with pytest.raises(errors.Unauthenticated) as refused:
        await rules.create(OTHER, form())
    assert refused.value.detail == messages.UNAUTHORIZED
    assert (await rules.create(OWNER, form("a"))).record.user_id == OWNER.user_id
    assert (await rules.create(IMPORTER, form("b"))).record.user_id == IMPORTER.user_id
    assert (await rules.create(ADMIN, form("c"))).write_access


async def test_create_stores_the_first_version_live_and_refuses_a_taken_command():
    store, rules, _ = build()
    view = await rules.create(OWNER, form(tags=["a", None], data={"x": 1}))
    record = view.record
    assert record.tags == ["a"] and record.is_active and record.data == {"x": 1}
    (first,) = store.versions
    assert record.version_id == first.id and first.commit_message == INITIAL_COMMIT
    assert first.snapshot["command"] == "summarize" and first.snapshot["tags"] == ["a"]
    with pytest.raises(errors.InvalidArgument) as taken:
        await rules.create(ADMIN, form(name="Other"))
    assert taken.value.detail == messages.COMMAND_TAKEN


async def test_title_instead_of_name_is_refused():
    _, rules, _ = build()
    with pytest.raises(errors.InvalidArgument):
        await rules.create(ADMIN, {"command": "x", "title": "T", "content": "c"})


async def test_create_drops_grants_the_caller_may_not_give():
    _, rules, _ = build()
    wanted = [grant("user", "u2", "read"), grant("user", "*", "read"), grant("anyone", "*", "read")]
    # OWNER may share (sharing.prompts) but not publicly; nobody may share with anyone.
    kept = (await rules.create(OWNER, form("a", access_grants=wanted))).record.access_grants
    assert [(g["principal_type"], g["principal_id"]) for g in kept] == [("user", "u2")]
    assert kept[0]["resource_type"] == "prompt" and kept[0]["resource_id"]
    # Without sharing.prompts nothing is kept.
    assert (await rules.create(IMPORTER, form("b", access_grants=wanted))).record.access_grants == []
    admin_kept = (await rules.create(ADMIN, form("c", access_grants=wanted))).record.access_grants
    assert [(g["principal_type"], g["principal_id"]) for g in admin_kept] == [("user", "u2"), ("user", "*")]


async def test_access_update_refuses_a_disallowed_audience_with_403():
    _, rules, _ = build()
    prompt_id = (await rules.create(OWNER, form())).record.id
    with pytest.raises(errors.PermissionDenied) as refused:
        await rules.update_access(OWNER, prompt_id, [grant("user", "*", "read")])
    assert refused.value.detail == "You do not have permission to share with the requested audience"
    with pytest.raises(errors.PermissionDenied):
        await rules.update_access(ADMIN, prompt_id, [grant("anyone", "*", "read")])
    updated = await rules.update_access(OWNER, prompt_id, [grant("user", OTHER.user_id, "read")])
    assert [g["principal_id"] for g in updated.record.access_grants] == [OTHER.user_id]


class _Groups:
    def __init__(self, known: set[str]) -> None:
        self.known = known

    async def existing(self, identity, group_ids):
        return {g for g in group_ids if g in self.known}


async def test_grants_to_unknown_groups_are_refused_through_the_group_hook():
    _, rules, _ = build(groups=_Groups({"team"}))
    prompt_id = (await rules.create(ADMIN, form(access_grants=[grant("group", "team", "read")]))).record.id
    with pytest.raises(errors.InvalidArgument) as refused:
        await rules.update_access(ADMIN, prompt_id, [grant("group", "nope", "read")])
    assert "nope" in refused.value.detail
    with pytest.raises(errors.InvalidArgument):
        await rules.create(ADMIN, form("x", access_grants=[grant("group", "ghost", "read")]))


async def test_read_is_404_for_missing_and_for_no_access_write_is_401():
    _, rules, _ = build()
    prompt_id = (await rules.create(OWNER, form())).record.id
    for caller, missing in ((OTHER, prompt_id), (OWNER, "nope")):
        with pytest.raises(errors.NotFound) as hidden:
            await rules.get(caller, missing)
        assert hidden.value.detail == messages.NOT_FOUND
    with pytest.raises(errors.Unauthenticated) as refused:
        await rules.update(OTHER, prompt_id, form(name="X"))
    assert refused.value.detail == messages.ACCESS_PROHIBITED
    with pytest.raises(errors.NotFound):
        await rules.delete(OTHER, "nope")


async def test_user_and_group_grants_give_read_and_write_separately():
    _, rules, _ = build()
    prompt_id = (await rules.create(ADMIN, form())).record.id
    await rules.update_access(
        ADMIN, prompt_id, [grant("user", OTHER.user_id, "read"), grant("group", "team", "write")]
    )
    seen = await rules.get(OTHER, prompt_id)
    assert not seen.write_access
    # A write-only grant does not give read.
    with pytest.raises(errors.NotFound):
        await rules.get(MEMBER, prompt_id)
    renamed = await rules.update(MEMBER, prompt_id, form(name="Renamed"))
    assert renamed.record.name == "Renamed"
    with pytest.raises(errors.Unauthenticated):
        await rules.toggle(OTHER, prompt_id)


async def test_get_lists_active_readable_prompts_and_tags():
    _, rules, _ = build()
    mine = (await rules.create(OWNER, form("a", tags=["x", "b"]))).record.id
    await rules.create(ADMIN, form("b", tags=["secret"]))
    off = (await rules.create(OWNER, form("c", tags=["z"]))).record.id
    await rules.toggle(OWNER, off)
    assert [v.record.id for v in await rules.listed(OWNER)] == [mine]
    assert await rules.tags(OWNER) == ["b", "x"]
    assert len(await rules.listed(ADMIN)) == 2
    assert await rules.tags(ADMIN) == ["b", "secret", "x"]


async def test_search_filters_orders_and_pages():
    _, rules, _ = build()
    for n in range(35):
        await rules.create(OWNER, form(f"cmd{n:02}", f"Name {n:02}", tags=["even" if n % 2 == 0 else "odd"]))
    await rules.create(ADMIN, form("shared", "Zed", access_grants=[grant("user", OWNER.user_id, "read")]))
    page1, total = await rules.search(OWNER)
    assert total == 36 and len(page1) == 30
    page2, _ = await rules.search(OWNER, page=2)
    assert len(page2) == 6
    shared, total = await rules.search(OWNER, view_option="shared")
    assert total == 1 and shared[0].record.command == "shared" and not shared[0].write_access
    _, total = await rules.search(OWNER, view_option="created", tag="EVEN")
    assert total == 18
    by_name, _ = await rules.search(OWNER, order_by="name", ascending=True, query="name 0")
    assert [v.record.name for v in by_name] == [f"Name {n:02}" for n in range(10)]
    assert (await rules.search(OTHER))[1] == 0


async def test_update_stores_a_version_only_when_name_command_content_or_tags_change():
    store, rules, history = build()
    prompt_id = (await rules.create(OWNER, form(tags=["a"]))).record.id
    await rules.update(OWNER, prompt_id, form(tags=["a"], data={"k": 1}))
    assert len(store.versions) == 1
    updated = await rules.update(OWNER, prompt_id, form(content="New", commit_message="edit"))
    assert len(store.versions) == 2 and updated.record.version_id == store.versions[1].id
    assert store.versions[1].parent_id == store.versions[0].id
    assert updated.record.data == {"k": 1}, "an empty data keeps the stored one"
    listed = await history.listed(OWNER, prompt_id, 0)
    assert [v.commit_message for v in listed] == ["edit", INITIAL_COMMIT]


async def test_update_not_in_production_keeps_the_live_prompt_but_the_command():
    store, rules, _ = build()
    created = (await rules.create(OWNER, form())).record
    updated = (await rules.update(OWNER, created.id, form("renamed", "Draft", is_production=False))).record
    assert (updated.command, updated.name, updated.version_id) == ("renamed", "Summarize", created.version_id)
    assert store.versions[-1].snapshot["name"] == "Draft"


async def test_update_and_meta_refuse_another_prompts_command():
    store, rules, _ = build()
    await rules.create(OWNER, form("taken"))
    prompt_id = (await rules.create(OWNER, form("mine"))).record.id
    with pytest.raises(errors.InvalidArgument) as taken:
        await rules.update(OWNER, prompt_id, form("taken"))
    assert taken.value.detail == "Command '/taken' is already in use by another prompt"
    with pytest.raises(errors.InvalidArgument) as meta_taken:
        await rules.update_meta(OWNER, prompt_id, {"name": "n", "command": "taken"})
    assert meta_taken.value.detail == "Command '/taken' is already in use"
    versions = len(store.versions)
    meta = (await rules.update_meta(OWNER, prompt_id, {"name": "N", "command": "new", "tags": ["t"]})).record
    assert (meta.name, meta.command, meta.tags) == ("N", "new", ["t"]) and len(store.versions) == versions


async def test_set_version_restores_the_snapshot_but_not_the_command():
    _, rules, _ = build()
    created = (await rules.create(OWNER, form(tags=["one"]))).record
    await rules.update(OWNER, created.id, form("moved", "Two", content="two", tags=["two"]))
    restored = (await rules.set_version(OWNER, created.id, created.version_id)).record
    assert (restored.name, restored.content, restored.tags, restored.command) == (
        "Summarize",
        "Summarize: {{CLIPBOARD}}",
        ["one"],
        "moved",
    )
    assert restored.version_id == created.version_id
    with pytest.raises(errors.InvalidArgument) as bad:
        await rules.set_version(OWNER, created.id, "nope")
    assert bad.value.detail == messages.DEFAULT


async def test_history_pages_are_zero_based_and_readers_may_list_but_not_delete():
    store, rules, history = build()
    prompt_id = (await rules.create(OWNER, form())).record.id
    for n in range(22):
        await rules.update(OWNER, prompt_id, form(content=f"v{n}"))
    assert len(await history.listed(OWNER, prompt_id, 0)) == 20
    assert len(await history.listed(OWNER, prompt_id, 1)) == 3
    assert len(await history.listed(OWNER, prompt_id, -5)) == 20
    await rules.update_access(OWNER, prompt_id, [grant("user", OTHER.user_id, "read")])
    oldest = store.versions[0].id
    assert (await history.get(OTHER, prompt_id, oldest)).id == oldest
    with pytest.raises(errors.Unauthenticated):
        await history.delete(OTHER, prompt_id, oldest)
    with pytest.raises(errors.Unauthenticated):
        await history.listed(MEMBER, prompt_id, 0)


async def test_deleting_versions():
    store, rules, history = build()
    created = (await rules.create(OWNER, form())).record
    await rules.update(OWNER, created.id, form(content="v2"))
    await rules.update(OWNER, created.id, form(content="v3", is_production=True))
    live = (await rules.get(OWNER, created.id)).record.version_id
    with pytest.raises(errors.InvalidArgument) as refused:
        await history.delete(OWNER, created.id, live)
    assert refused.value.detail == "Cannot delete the active production version"
    middle = store.versions[1]
    assert await history.delete(OWNER, created.id, middle.id)
    assert store.versions[-1].parent_id == created.version_id
    with pytest.raises(errors.NotFound):
        await history.delete(OWNER, created.id, middle.id)
    with pytest.raises(errors.NotFound):
        await history.get(OWNER, created.id, middle.id)


async def test_diff_shape_and_unknown_versions():
    store, rules, history = build()
    created = (await rules.create(OWNER, form())).record
    await rules.update(OWNER, created.id, form(name="Renamed", content="Summarize: {{CLIPBOARD}}\nmore"))
    new = store.versions[-1].id
    diff = await history.diff(OWNER, created.id, created.version_id, new)
    assert diff["from_id"] == created.version_id and diff["to_id"] == new and diff["name_changed"]
    assert "+more" in diff["content_diff"]
    assert diff["from_snapshot"]["name"] == "Summarize" and diff["to_snapshot"]["name"] == "Renamed"
    other = (await rules.create(OWNER, form("other"))).record
    with pytest.raises(errors.NotFound) as missing:
        await history.diff(OWNER, created.id, other.version_id, new)
    assert missing.value.detail == messages.PROMPT_VERSIONS_NOT_FOUND


async def test_toggle_and_delete():
    store, rules, _ = build()
    prompt_id = (await rules.create(OWNER, form())).record.id
    assert not (await rules.toggle(OWNER, prompt_id)).record.is_active
    assert (await rules.toggle(ADMIN, prompt_id)).record.is_active
    assert await rules.delete(OWNER, prompt_id)
    assert store.versions == []
    with pytest.raises(errors.NotFound):
        await rules.get(OWNER, prompt_id)


async def test_nul_characters_are_refused():
    _, rules, _ = build()
    with pytest.raises(errors.InvalidArgument):
        await rules.create(ADMIN, form(content="a\x00b"))
    with pytest.raises(errors.InvalidArgument):
        await rules.create(ADMIN, form(meta={"k\x00": 1}))
