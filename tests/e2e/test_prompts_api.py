"""/api/v1/prompts end to end: create, list, search, read, update (with versions), meta, version
switch, toggle, access grants to a second user, history (list, entry, diff, delete) and delete,
with Open WebUI's answers. Every test removes the prompts it made: the stack is shared. Group
grants are tested with the groups (tests/e2e/test_group_access*.py)."""

import uuid
from collections.abc import Iterator

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running

BASE = "/api/v1/prompts"
PROMPT_KEYS = [
    "id",
    "command",
    "user_id",
    "name",
    "content",
    "data",
    "meta",
    "tags",
    "is_active",
    "version_id",
    "created_at",
    "updated_at",
    "access_grants",
]


def call(
    running: Running,
    method: str,
    path: str,
    account: Account | None,
    body: object = None,
    params: dict | None = None,
) -> requests.Response:
    headers = account.headers if account is not None else {}
    return requests.request(
        method, f"{running.url}{BASE}{path}", headers=headers, json=body, params=params, timeout=30
    )


def form(command: str, name: str = "Summarize", **extra: object) -> dict:
    return {"command": command, "name": name, "content": "Summarize: {{CLIPBOARD}}", **extra}


def grant(account: Account, permission: str = "read") -> dict:
    return {"principal_type": "user", "principal_id": account.id, "permission": permission}


@pytest.fixture
def made(running: Running) -> Iterator[list[str]]:
    """Ids of prompts a test creates; deleted afterwards."""
    ids: list[str] = []
    try:
        yield ids
    finally:
        for prompt_id in ids:
            call(running, "DELETE", f"/id/{prompt_id}/delete", running.admin)


def create(running: Running, made: list[str], account: Account | None = None, **extra: object) -> dict:
    command = extra.pop("command", None) or f"cmd-{uuid.uuid4().hex[:10]}"
    reply = call(running, "POST", "/create", account or running.admin, form(command, **extra))
    assert reply.status_code == 200, reply.text
    made.append(reply.json()["id"])
    return reply.json()


def test_lifecycle(running: Running, made: list[str]) -> None:
    tag = f"tag-{uuid.uuid4().hex[:6]}"
    created = create(running, made, tags=[tag], data={"x": 1}, commit_message=None)
    assert list(created) == PROMPT_KEYS
    assert (created["user_id"], created["is_active"], created["tags"], created["data"]) == (
        running.admin.id,
        True,
        [tag],
        {"x": 1},
    )
    assert created["access_grants"] == [] and created["version_id"]
    prompt_id = created["id"]

    got = call(running, "GET", f"/id/{prompt_id}", running.admin).json()
    assert got["write_access"] is True and got["user"]["id"] == running.admin.id
    assert set(got["user"]) == {"id", "name", "role", "email"}
    assert prompt_id in [p["id"] for p in call(running, "GET", "/", running.admin).json()]
    assert tag in call(running, "GET", "/tags", running.admin).json()

    listed = call(running, "GET", "/list", running.admin, params={"tag": tag.upper()}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == prompt_id
    assert listed["items"][0]["write_access"] is True and listed["items"][0]["user"]["id"] == running.admin.id

    # Same name/command/content/tags: no new version.
    same = call(
        running, "POST", f"/id/{prompt_id}/update", running.admin, form(created["command"], tags=[tag])
    )
    assert same.status_code == 200, same.text
    history = call(running, "GET", f"/id/{prompt_id}/history", running.admin).json()
    assert len(history) == 1 and history[0]["commit_message"] == "Initial version"
    assert history[0]["user"]["id"] == running.admin.id
    assert set(history[0]["snapshot"]) == {
        "name",
        "content",
        "command",
        "data",
        "meta",
        "tags",
        "access_grants",
    }

    changed = form(created["command"], "Renamed", content="New content", tags=[tag], commit_message="edit")
    updated = call(running, "POST", f"/id/{prompt_id}/update", running.admin, changed).json()
    assert (updated["name"], updated["content"]) == ("Renamed", "New content")
    assert updated["version_id"] != created["version_id"] and updated["data"] == {"x": 1}
    history = call(running, "GET", f"/id/{prompt_id}/history", running.admin, params={"page": 0}).json()
    assert [h["commit_message"] for h in history] == ["edit", "Initial version"]
    assert history[0]["parent_id"] == created["version_id"]
    assert call(running, "GET", f"/id/{prompt_id}/history", running.admin, params={"page": 1}).json() == []

    # is_production false: the version is stored, the live prompt stays.
    draft = form(created["command"], "Draft", content="Draft content", is_production=False)
    kept = call(running, "POST", f"/id/{prompt_id}/update", running.admin, draft).json()
    assert (kept["name"], kept["version_id"]) == ("Renamed", updated["version_id"])
    draft_id = call(running, "GET", f"/id/{prompt_id}/history", running.admin).json()[0]["id"]

    entry = call(running, "GET", f"/id/{prompt_id}/history/{draft_id}", running.admin).json()
    assert entry["snapshot"]["name"] == "Draft" and entry["prompt_id"] == prompt_id
    diff = call(
        running,
        "GET",
        f"/id/{prompt_id}/history/diff",
        running.admin,
        params={"from_id": created["version_id"], "to_id": draft_id},
    ).json()
    assert diff["name_changed"] is True and "+Draft content" in diff["content_diff"]
    assert diff["from_snapshot"]["name"] == "Summarize" and diff["to_snapshot"]["name"] == "Draft"

    live = call(running, "POST", f"/id/{prompt_id}/update/version", running.admin, {"version_id": draft_id})
    assert live.status_code == 200 and (live.json()["name"], live.json()["version_id"]) == ("Draft", draft_id)

    refused = call(running, "DELETE", f"/id/{prompt_id}/history/{draft_id}", running.admin)
    assert (refused.status_code, refused.json()["detail"]) == (
        400,
        "Cannot delete the active production version",
    )
    gone = call(running, "DELETE", f"/id/{prompt_id}/history/{updated['version_id']}", running.admin)
    assert (gone.status_code, gone.json()) == (200, True)
    missing = call(running, "GET", f"/id/{prompt_id}/history/{updated['version_id']}", running.admin)
    assert (missing.status_code, missing.json()["detail"]) == (404, messages.NOT_FOUND)

    new_command = f"cmd-{uuid.uuid4().hex[:10]}"
    meta = call(
        running,
        "POST",
        f"/id/{prompt_id}/update/meta",
        running.admin,
        {"name": "Meta", "command": new_command, "tags": ["m"]},
    ).json()
    assert (meta["name"], meta["command"], meta["tags"]) == ("Meta", new_command, ["m"])
    assert len(call(running, "GET", f"/id/{prompt_id}/history", running.admin).json()) == 2

    off = call(running, "POST", f"/id/{prompt_id}/toggle", running.admin).json()
    assert off["is_active"] is False
    assert prompt_id not in [p["id"] for p in call(running, "GET", "/", running.admin).json()]
    search = call(running, "GET", "/list", running.admin, params={"query": new_command}).json()
    assert [p["id"] for p in search["items"]] == [prompt_id], "/list shows inactive prompts"

    deleted = call(running, "DELETE", f"/id/{prompt_id}/delete", running.admin)
    assert (deleted.status_code, deleted.json()) == (200, True)
    after = call(running, "GET", f"/id/{prompt_id}", running.admin)
    assert (after.status_code, after.json()["detail"]) == (404, messages.NOT_FOUND)


def test_errors(running: Running, user: Account, made: list[str]) -> None:
    created = create(running, made)
    prompt_id = created["id"]
    title = {"command": f"cmd-{uuid.uuid4().hex}", "title": "Old", "content": "c"}
    assert call(running, "POST", "/create", running.admin, title).status_code == 422
    taken = call(running, "POST", "/create", running.admin, form(created["command"]))
    assert (taken.status_code, taken.json()["detail"]) == (400, messages.COMMAND_TAKEN)
    refused = call(running, "POST", "/create", user, form(f"cmd-{uuid.uuid4().hex}"))
    assert (refused.status_code, refused.json()["detail"]) == (401, messages.UNAUTHORIZED)
    assert call(running, "GET", "/", None).status_code == 401

    other = create(running, made)
    clash = call(running, "POST", f"/id/{prompt_id}/update", running.admin, form(other["command"]))
    assert clash.status_code == 400
    assert clash.json()["detail"] == f"Command '/{other['command']}' is already in use by another prompt"
    meta_clash = call(
        running,
        "POST",
        f"/id/{prompt_id}/update/meta",
        running.admin,
        {"name": "n", "command": other["command"]},
    )
    assert (meta_clash.status_code, meta_clash.json()["detail"]) == (
        400,
        f"Command '/{other['command']}' is already in use",
    )
    bad_version = call(
        running, "POST", f"/id/{prompt_id}/update/version", running.admin, {"version_id": "nope"}
    )
    assert (bad_version.status_code, bad_version.json()["detail"]) == (400, messages.DEFAULT)
    foreign = call(
        running, "POST", f"/id/{prompt_id}/update/version", running.admin, {"version_id": other["version_id"]}
    )
    assert foreign.status_code == 400
    no_params = call(running, "GET", f"/id/{prompt_id}/history/diff", running.admin)
    assert no_params.status_code == 422
    unknown = call(
        running,
        "GET",
        f"/id/{prompt_id}/history/diff",
        running.admin,
        params={"from_id": created["version_id"], "to_id": other["version_id"]},
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "One or both history entries not found")
    anyone = {"access_grants": [{"principal_type": "anyone", "principal_id": "*", "permission": "read"}]}
    audience = call(running, "POST", f"/id/{prompt_id}/access/update", running.admin, anyone)
    assert (audience.status_code, audience.json()["detail"]) == (
        403,
        "You do not have permission to share with the requested audience",
    )
    assert call(running, "GET", "/list", running.admin, params={"page": "x"}).status_code == 422

    missing = "00000000-0000-0000-0000-000000000000"
    for method, path, body in (
        ("GET", f"/id/{missing}", None),
        ("POST", f"/id/{missing}/update", form("x")),
        ("POST", f"/id/{missing}/update/meta", {"name": "n", "command": "c"}),
        ("POST", f"/id/{missing}/update/version", {"version_id": "v"}),
        ("POST", f"/id/{missing}/access/update", {"access_grants": []}),
        ("POST", f"/id/{missing}/toggle", None),
        ("DELETE", f"/id/{missing}/delete", None),
        ("GET", f"/id/{missing}/history", None),
        ("GET", f"/id/{missing}/history/v", None),
        ("DELETE", f"/id/{missing}/history/v", None),
    ):
        reply = call(running, method, path, running.admin, body)
        assert (reply.status_code, reply.json()["detail"]) == (404, messages.NOT_FOUND), (method, path)


def test_a_user_grant_gives_a_second_user_read_then_write(
    running: Running, user: Account, other_user: Account, made: list[str]
) -> None:
    created = create(running, made, access_grants=[grant(user)])
    prompt_id = created["id"]
    assert [(g["principal_id"], g["permission"]) for g in created["access_grants"]] == [(user.id, "read")]

    seen = call(running, "GET", f"/id/{prompt_id}", user)
    assert seen.status_code == 200 and seen.json()["write_access"] is False
    assert seen.json()["user"]["id"] == running.admin.id
    assert prompt_id in [p["id"] for p in call(running, "GET", "/", user).json()]
    shared = call(running, "GET", "/list", user, params={"view_option": "shared"}).json()
    assert prompt_id in [p["id"] for p in shared["items"]]
    created_view = call(running, "GET", "/list", user, params={"view_option": "created"}).json()
    assert prompt_id not in [p["id"] for p in created_view["items"]]
    history = call(running, "GET", f"/id/{prompt_id}/history", user)
    assert history.status_code == 200 and len(history.json()) == 1
    for method, path, body in (
        ("POST", f"/id/{prompt_id}/update", form(created["command"], "Mine")),
        ("POST", f"/id/{prompt_id}/toggle", None),
        ("DELETE", f"/id/{prompt_id}/delete", None),
        ("DELETE", f"/id/{prompt_id}/history/{created['version_id']}", None),
        ("POST", f"/id/{prompt_id}/access/update", {"access_grants": []}),
    ):
        reply = call(running, method, path, user, body)
        assert (reply.status_code, reply.json()["detail"]) == (401, messages.ACCESS_PROHIBITED), path

    # Someone without a grant sees nothing of it.
    hidden = call(running, "GET", f"/id/{prompt_id}", other_user)
    assert (hidden.status_code, hidden.json()["detail"]) == (404, messages.NOT_FOUND)
    assert prompt_id not in [p["id"] for p in call(running, "GET", "/", other_user).json()]
    assert call(running, "GET", f"/id/{prompt_id}/history", other_user).status_code == 401

    both = {"access_grants": [grant(user), grant(user, "write")]}
    assert call(running, "POST", f"/id/{prompt_id}/access/update", running.admin, both).status_code == 200
    writer = call(running, "GET", f"/id/{prompt_id}", user).json()
    assert writer["write_access"] is True
    changed = call(running, "POST", f"/id/{prompt_id}/update", user, form(created["command"], "By user"))
    assert changed.status_code == 200 and changed.json()["name"] == "By user"
    latest = call(running, "GET", f"/id/{prompt_id}/history", running.admin).json()[0]
    assert latest["user_id"] == user.id
    # A writer without sharing permissions may not widen the audience.
    widen = call(
        running, "POST", f"/id/{prompt_id}/access/update", user, {"access_grants": [grant(other_user)]}
    )
    assert widen.status_code == 403
    assert call(running, "POST", f"/id/{prompt_id}/toggle", user).json()["is_active"] is False
    # Revoking the grant takes it away again.
    assert (
        call(
            running, "POST", f"/id/{prompt_id}/access/update", running.admin, {"access_grants": []}
        ).status_code
        == 200
    )
    assert call(running, "GET", f"/id/{prompt_id}", user).status_code == 404


def test_list_pages_and_orders(running: Running, user: Account, made: list[str]) -> None:
    marker = uuid.uuid4().hex[:8]
    for n in range(32):
        create(running, made, command=f"{marker}-{n:02}", name=f"{marker} {n:02}")
    first = call(running, "GET", "/list", running.admin, params={"query": marker.upper()}).json()
    assert first["total"] == 32 and len(first["items"]) == 30
    second = call(running, "GET", "/list", running.admin, params={"query": marker, "page": 2}).json()
    assert len(second["items"]) == 2
    ascending = call(
        running,
        "GET",
        "/list",
        running.admin,
        params={"query": marker, "order_by": "name", "direction": "asc"},
    ).json()
    assert [p["name"] for p in ascending["items"][:3]] == [f"{marker} 00", f"{marker} 01", f"{marker} 02"]
    assert call(running, "GET", "/list", user, params={"query": marker}).json() == {"items": [], "total": 0}
