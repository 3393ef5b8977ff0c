"""Prompts on real Postgres: the repository's SQL (visibility through user, `user:*` and group
grants, search, tags, the unique command, versions) under the prompt rules."""

import asyncio

import asyncpg
import pytest

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.prompts.history import PromptHistory
from services.inference.prompts.repository import PromptRepository
from services.inference.prompts.service import PromptService

ADMIN = Identity(user_id="admin-1", role="admin")
OWNER = Identity(user_id="owner-1")
MEMBER = Identity(user_id="member-1", group_ids=frozenset({"team", "parent"}))
STRANGER = Identity(user_id="stranger-1")
OWNER_ADMIN = Identity(user_id="owner-admin", role="admin")


def form(command: str, name: str = "Name", **extra: object) -> dict:
    return {"command": command, "name": name, "content": f"content of {command}", **extra}


def grant(kind: str, principal: str, permission: str = "read") -> dict:
    return {"principal_type": kind, "principal_id": principal, "permission": permission}


@pytest.fixture
async def rules(inference_pool: asyncpg.Pool) -> PromptService:
    return PromptService(PromptRepository(inference_pool))


async def test_group_and_public_grants_decide_visibility_in_sql(rules: PromptService) -> None:
    team = (
        await rules.create(ADMIN, form("team", tags=["T"], access_grants=[grant("group", "team")]))
    ).record
    public = (
        await rules.create(ADMIN, form("public", tags=["p"], access_grants=[grant("user", "*")]))
    ).record
    writer = (
        await rules.create(ADMIN, form("writer", access_grants=[grant("group", "team", "write")]))
    ).record
    await rules.create(ADMIN, form("private", tags=["hidden"]))
    seen = {v.record.id for v in await rules.listed(MEMBER)}
    assert seen == {team.id, public.id}, "a write-only grant does not list a prompt"
    assert {v.record.id for v in await rules.listed(STRANGER)} == {public.id}
    assert await rules.tags(MEMBER) == ["T", "p"]
    assert len(await rules.listed(ADMIN)) == 4
    items, total = await rules.search(MEMBER, tag="t")
    assert total == 1 and items[0].record.id == team.id and not items[0].write_access
    with pytest.raises(errors.NotFound):
        await rules.get(MEMBER, writer.id)
    assert rules.may_write(MEMBER, writer)


async def test_search_pages_orders_and_counts(rules: PromptService) -> None:
    for n in range(33):
        await rules.create(
            ADMIN, form(f"cmd-{n:02}", f"Name {n:02}", access_grants=[grant("user", OWNER.user_id)])
        )
    items, total = await rules.search(OWNER, order_by="name", ascending=True)
    assert total == 33 and [v.record.name for v in items[:2]] == ["Name 00", "Name 01"]
    rest, _ = await rules.search(OWNER, order_by="name", ascending=True, page=2)
    assert [v.record.name for v in rest] == ["Name 30", "Name 31", "Name 32"]
    assert (await rules.search(OWNER, query="NAME 1"))[1] == 10
    assert (await rules.search(OWNER, query="100%_"))[1] == 0
    assert (await rules.search(OWNER, view_option="created"))[1] == 0
    assert (await rules.search(OWNER, view_option="shared"))[1] == 33


async def test_the_command_is_unique_even_under_a_race(rules: PromptService) -> None:
    results = await asyncio.gather(
        *(rules.create(ADMIN, form("same", f"n{i}")) for i in range(5)), return_exceptions=True
    )
    created = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, errors.InvalidArgument)]
    assert len(created) == 1 and len(refused) == 4
    assert {r.detail for r in refused} == {messages.COMMAND_TAKEN}


async def test_versions_apply_delete_and_cascade(rules: PromptService, inference_pool: asyncpg.Pool) -> None:
    history = PromptHistory(PromptRepository(inference_pool), rules)
    created = (await rules.create(OWNER_ADMIN, form("v", tags=["one"], data={"d": 1}))).record
    second = (await rules.update(OWNER_ADMIN, created.id, form("v2", "Two", tags=["two"]))).record
    third = (await rules.update(OWNER_ADMIN, created.id, form("v3", "Three", tags=["three"]))).record
    restored = (await rules.set_version(OWNER_ADMIN, created.id, created.version_id)).record
    assert (restored.name, restored.tags, restored.data, restored.command) == (
        "Name",
        ["one"],
        {"d": 1},
        "v3",
    )
    assert await history.delete(OWNER_ADMIN, created.id, second.version_id)
    listed = await history.listed(OWNER_ADMIN, created.id, 0)
    assert [v.id for v in listed] == [third.version_id, created.version_id]
    assert listed[0].parent_id == created.version_id
    assert listed[0].snapshot["tags"] == ["three"] and listed[0].snapshot["command"] == "v3"
    assert await rules.delete(OWNER_ADMIN, created.id)
    left = await inference_pool.fetchval("SELECT count(*) FROM inference_prompt_history")
    assert left == 0
