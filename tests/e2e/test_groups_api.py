"""/api/v1/groups (§6.1), the user shapes of §7.1 and the permission routes (§6.4), through the
gateway with requests: groups nest, members count, and a group's permissions reach its members."""

import time
import uuid

import requests

from services.common import messages
from tests.e2e.conftest import Account, Running, verified_user

# The observed key order of GET /api/v1/users/{id} (api-contract-2.md §7.1).
USER_DETAIL_KEYS = [
    "status_emoji",
    "status_message",
    "status_expires_at",
    "name",
    "profile_image_url",
    "groups",
    "is_active",
    "id",
    "email",
    "username",
    "role",
    "profile_banner_image_url",
    "bio",
    "gender",
    "date_of_birth",
    "timezone",
    "presence_state",
    "info",
    "settings",
    "oauth",
    "scim",
    "last_active_at",
    "updated_at",
    "created_at",
]
GROUP_KEYS = [
    "parent_group_id",
    "id",
    "user_id",
    "name",
    "description",
    "data",
    "meta",
    "permissions",
    "created_at",
    "updated_at",
    "member_count",
]


def call(running: Running, method: str, path: str, who: Account, **kwargs) -> requests.Response:
    return requests.request(method, f"{running.url}{path}", headers=who.headers, timeout=10, **kwargs)


def create(running: Running, name: str, **fields) -> dict:
    reply = call(
        running,
        "POST",
        "/api/v1/groups/create",
        running.admin,
        json={"name": name, "description": "", **fields},
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_group_crud_members_and_nesting(running: Running) -> None:
    member = verified_user(running, f"{_unique('grp')}@example.com", name="Group Member")
    parent = create(running, _unique("Parent"), permissions={"workspace": {"knowledge": True}})
    assert list(parent) == GROUP_KEYS
    assert parent["data"] == {"config": {"share": "members"}} and parent["member_count"] == 0
    child = create(running, _unique("Child"), parent_group_id=parent["id"])
    assert child["parent_group_id"] == parent["id"]

    # description is required (422), as Open WebUI's form.
    missing = call(running, "POST", "/api/v1/groups/create", running.admin, json={"name": "x"})
    assert missing.status_code == 422
    # Only admins administer groups.
    denied = call(running, "POST", "/api/v1/groups/create", member, json={"name": "x", "description": ""})
    assert (denied.status_code, denied.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})

    added = call(
        running,
        "POST",
        f"/api/v1/groups/id/{child['id']}/users/add",
        running.admin,
        json={"user_ids": [member.id, "no-such-user"]},
    )
    assert added.status_code == 200 and added.json()["member_count"] == 1

    members = call(running, "GET", f"/api/v1/groups/id/{parent['id']}/members", running.admin).json()
    assert members["counts"] == {"direct": 0, "effective": 1, "inherited": 1} and members["total"] == 1
    item = members["items"][0]
    assert (item["id"], item["membership_type"], item["via_group_ids"]) == (
        member.id,
        "inherited",
        [child["id"]],
    )
    direct = call(
        running, "GET", f"/api/v1/groups/id/{parent['id']}/members?membership=direct", running.admin
    )
    assert direct.json()["items"] == []
    users = call(running, "POST", f"/api/v1/groups/id/{child['id']}/users", running.admin).json()
    assert [u["id"] for u in users] == [member.id] and users[0]["groups"][0]["id"] == child["id"]

    exported = call(running, "GET", f"/api/v1/groups/id/{child['id']}/export", running.admin).json()
    assert exported["user_ids"] == [member.id]
    info = call(running, "GET", f"/api/v1/groups/id/{child['id']}/info", member).json()
    assert info["member_count"] == 1 and "permissions" not in info

    # A cycle is a 400 with its reason; an unknown group is a 404 NOT_FOUND.
    cycle = call(
        running,
        "POST",
        f"/api/v1/groups/id/{parent['id']}/update",
        running.admin,
        json={"name": parent["name"], "description": "", "parent_group_id": child["id"]},
    )
    assert cycle.status_code == 400 and "subgroups" in cycle.json()["detail"]
    unknown = call(running, "GET", "/api/v1/groups/id/no-such-group", running.admin)
    assert (unknown.status_code, unknown.json()) == (404, {"detail": messages.NOT_FOUND})

    # The member's groups: its own, and with include_inherited the parent too.
    mine = call(running, "GET", "/api/v1/users/groups", member).json()
    assert [g["id"] for g in mine] == [child["id"]]
    inherited = call(running, "GET", "/api/v1/users/groups?include_inherited=true", member).json()
    assert {g["id"] for g in inherited} == {parent["id"], child["id"]}
    listed = call(running, "GET", "/api/v1/groups/", member).json()
    assert [g["id"] for g in listed] == [child["id"]]

    preview = call(running, "GET", f"/api/v1/groups/id/{child['id']}/preview", running.admin).json()
    assert preview["inherited_permissions"] == {"workspace": {"knowledge": True}}
    assert preview["effective_permissions"]["workspace"]["knowledge"] is True

    # Deleting the parent moves the child up to the parent's parent (none).
    deleted = call(running, "DELETE", f"/api/v1/groups/id/{parent['id']}/delete", running.admin)
    assert (deleted.status_code, deleted.json()) == (200, True)
    moved = call(running, "GET", f"/api/v1/groups/id/{child['id']}", running.admin).json()
    assert moved["parent_group_id"] is None

    removed = call(
        running,
        "POST",
        f"/api/v1/groups/id/{child['id']}/users/remove",
        running.admin,
        json={"user_ids": [member.id]},
    )
    assert removed.json()["member_count"] == 0
    call(running, "DELETE", f"/api/v1/groups/id/{child['id']}/delete", running.admin)


def test_user_shapes(running: Running) -> None:
    member = verified_user(running, f"{_unique('shape')}@example.com", name="Shape Member")
    group = create(running, _unique("Shapes"))
    call(
        running,
        "POST",
        f"/api/v1/groups/id/{group['id']}/users/add",
        running.admin,
        json={"user_ids": [member.id]},
    )
    detail = call(running, "GET", f"/api/v1/users/{member.id}", running.admin)
    assert detail.status_code == 200
    body = detail.json()
    assert list(body) == USER_DETAIL_KEYS
    assert body["groups"] == [{"id": group["id"], "name": group["name"]}] and body["is_active"] is True
    unknown = call(running, "GET", "/api/v1/users/no-such-user", running.admin)
    assert (unknown.status_code, unknown.json()) == (400, {"detail": messages.NOT_FOUND})
    assert call(running, "GET", f"/api/v1/users/{member.id}", member).status_code == 401

    info = call(running, "GET", f"/api/v1/users/{member.id}/info", member).json()
    assert info["groups"] == [{"id": group["id"], "name": group["name"]}] and info["is_active"] is True
    assert call(running, "GET", f"/api/v1/users/{member.id}/active", member).json() == {"active": True}
    groups = call(running, "GET", f"/api/v1/users/{member.id}/groups", running.admin).json()
    assert [g["id"] for g in groups] == [group["id"]]
    page = call(running, "GET", "/api/v1/users/?query=shape", running.admin).json()
    assert [u["group_ids"] for u in page["users"] if u["id"] == member.id] == [[group["id"]]]
    call(running, "DELETE", f"/api/v1/groups/id/{group['id']}/delete", running.admin)


def test_permissions_routes_and_group_permissions_reach_members(running: Running) -> None:
    member = verified_user(running, f"{_unique('perm')}@example.com", name="Perm Member")
    builtin = call(running, "GET", "/api/v1/users/default/permissions/defaults", running.admin).json()
    assert builtin["chat"]["delete"] is True and builtin["workspace"]["prompts"] is False
    assert call(running, "GET", "/api/v1/users/default/permissions", member).status_code == 401
    partial = call(running, "POST", "/api/v1/users/default/permissions", running.admin, json={"chat": {}})
    assert partial.status_code == 422

    before = call(running, "GET", "/api/v1/users/permissions", member).json()
    assert before["sharing"]["public_prompts"] is False
    group = create(running, _unique("Sharers"), permissions={"sharing": {"public_prompts": True}})
    call(
        running,
        "POST",
        f"/api/v1/groups/id/{group['id']}/users/add",
        running.admin,
        json={"user_ids": [member.id]},
    )
    after = call(running, "GET", "/api/v1/users/permissions", member).json()
    assert after["sharing"]["public_prompts"] is True
    # The session reply carries the same effective tree (within the credential cache's bound).
    deadline = time.monotonic() + 6
    while True:
        session = call(running, "GET", "/api/v1/auths/", member).json()
        if session["permissions"]["sharing"]["public_prompts"] or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert session["permissions"]["sharing"]["public_prompts"] is True

    stored = call(running, "GET", "/api/v1/users/default/permissions", running.admin).json()
    changed = {**stored, "workspace": {**stored["workspace"], "prompts": True}}
    try:
        saved = call(running, "POST", "/api/v1/users/default/permissions", running.admin, json=changed)
        assert saved.status_code == 200 and saved.json()["workspace"]["prompts"] is True
        assert (
            call(running, "GET", "/api/v1/users/permissions", member).json()["workspace"]["prompts"] is True
        )
    finally:
        call(running, "POST", "/api/v1/users/default/permissions", running.admin, json=stored)
        call(running, "DELETE", f"/api/v1/groups/id/{group['id']}/delete", running.admin)
