"""Group grants through the whole stack (api-contract-2.md §6.2, §6.3): a group read grant on a
knowledge collection, a workspace model, a tool and a prompt gives the group's members access and
everyone else none; grants naming a group that does not exist are refused (400); and taking a user
out of the group takes the access away, on two gateway replicas, within the identity cache bound."""

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import Account, Running, verified_user

SOURCES = Path(__file__).parent.parent / "functions"
# Every process reuses a verified identity for at most 5 s; the margin covers a loaded machine.
CACHE_BOUND_S = 5.0
MARGIN_S = 5.0


def call(url: str, method: str, path: str, who: Account, body: object = None) -> requests.Response:
    return requests.request(method, f"{url}{path}", headers=who.headers, json=body, timeout=30)


def ok(reply: requests.Response) -> dict:
    assert reply.status_code == 200, reply.text
    return reply.json()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def group_grant(group_id: str, permission: str = "read") -> dict:
    return {"principal_type": "group", "principal_id": group_id, "permission": permission}


class Resources:
    """What a test made, deleted afterwards (so other tests' lists stay as they were)."""

    def __init__(self, running: Running) -> None:
        self.running = running
        self.undo: list[tuple[str, str, object]] = []

    def made(self, method: str, path: str, body: object = None) -> None:
        self.undo.append((method, path, body))

    def close(self) -> None:
        for method, path, body in reversed(self.undo):
            call(self.running.url, method, path, self.running.admin, body)


@pytest.fixture
def resources(running: Running) -> Iterator[Resources]:
    made = Resources(running)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def team(running: Running, resources: Resources) -> tuple[dict, Account, Account]:
    """A group with one member, and a verified user outside it."""
    member = verified_user(running, f"{unique('member')}@example.com", name="Member")
    outsider = verified_user(running, f"{unique('outsider')}@example.com", name="Outsider")
    group = ok(
        call(
            running.url,
            "POST",
            "/api/v1/groups/create",
            running.admin,
            {"name": unique("Team"), "description": "group access tests"},
        )
    )
    resources.made("DELETE", f"/api/v1/groups/id/{group['id']}/delete")
    ok(
        call(
            running.url,
            "POST",
            f"/api/v1/groups/id/{group['id']}/users/add",
            running.admin,
            {"user_ids": [member.id]},
        )
    )
    return group, member, outsider


def make_knowledge(running: Running, resources: Resources, grants: list[dict]) -> str:
    body = {"name": unique("Team KB"), "description": "shared with a group", "access_grants": grants}
    knowledge = ok(call(running.url, "POST", "/api/v1/knowledge/create", running.admin, body))
    resources.made("DELETE", f"/api/v1/knowledge/{knowledge['id']}/delete")
    return knowledge["id"]


def test_a_group_read_grant_reaches_members_only(
    running: Running, resources: Resources, team: tuple[dict, Account, Account]
) -> None:
    group, member, outsider = team
    grants = [group_grant(group["id"])]
    url = running.url

    # A knowledge collection.
    kid = make_knowledge(running, resources, grants)
    assert call(url, "GET", f"/api/v1/knowledge/{kid}", member).status_code == 200
    assert call(url, "GET", f"/api/v1/knowledge/{kid}", outsider).status_code == 401
    listed = [k["id"] for k in ok(call(url, "GET", "/api/v1/knowledge/", member))["items"]]
    assert kid in listed
    assert kid not in [k["id"] for k in ok(call(url, "GET", "/api/v1/knowledge/", outsider))["items"]]
    # A read grant is not a write grant.
    update = {"name": "Renamed", "description": "d"}
    assert call(url, "POST", f"/api/v1/knowledge/{kid}/update", member, update).status_code == 400

    # A workspace model (a preset over a base model).
    model_id = unique("team-helper")
    model = {
        "id": model_id,
        "base_model_id": "llama3.2:latest",
        "name": "Team helper",
        "meta": {},
        "params": {},
        "access_grants": grants,
    }
    ok(call(url, "POST", "/api/v1/models/create", running.admin, model))
    resources.made("POST", "/api/v1/models/model/delete", {"id": model_id})
    assert call(url, "GET", f"/api/v1/models/model?id={model_id}", member).status_code == 200
    assert call(url, "GET", f"/api/v1/models/model?id={model_id}", outsider).status_code == 401
    # (``/api/models`` shows every model on this stack: it runs with BYPASS_MODEL_ACCESS_CONTROL.)

    # A tool.
    tool_id = f"team_tool_{uuid.uuid4().hex[:8]}"
    tool = {
        "id": tool_id,
        "name": "Weather",
        "content": (SOURCES / "weather_tool.py").read_text(),
        "meta": {"description": "weather"},
        "access_grants": grants,
    }
    ok(call(url, "POST", "/api/v1/tools/create", running.admin, tool))
    resources.made("DELETE", f"/api/v1/tools/id/{tool_id}/delete")
    assert call(url, "GET", f"/api/v1/tools/id/{tool_id}", member).status_code == 200
    assert call(url, "GET", f"/api/v1/tools/id/{tool_id}", outsider).status_code == 401

    # A prompt.
    prompt = {
        "command": unique("team"),
        "name": "Team prompt",
        "content": "Summarize: {{CLIPBOARD}}",
        "access_grants": grants,
    }
    created = ok(call(url, "POST", "/api/v1/prompts/create", running.admin, prompt))
    resources.made("DELETE", f"/api/v1/prompts/id/{created['id']}/delete")
    assert call(url, "GET", f"/api/v1/prompts/id/{created['id']}", member).status_code == 200
    assert call(url, "GET", f"/api/v1/prompts/id/{created['id']}", outsider).status_code != 200


def test_grants_to_a_group_that_does_not_exist_are_refused(
    running: Running, resources: Resources, team: tuple[dict, Account, Account]
) -> None:
    group, _, _ = team
    ghost = [group_grant(str(uuid.uuid4()))]
    url = running.url
    kid = make_knowledge(running, resources, [])
    refused = call(
        url, "POST", f"/api/v1/knowledge/{kid}/access/update", running.admin, {"access_grants": ghost}
    )
    assert refused.status_code == 400 and "does not exist" in refused.json()["detail"]
    body = {"name": unique("Ghost KB"), "description": "d", "access_grants": ghost}
    assert call(url, "POST", "/api/v1/knowledge/create", running.admin, body).status_code == 400
    # The group that exists is taken.
    shared = ok(
        call(
            url,
            "POST",
            f"/api/v1/knowledge/{kid}/access/update",
            running.admin,
            {"access_grants": [group_grant(group["id"])]},
        )
    )
    assert [g["principal_id"] for g in shared["access_grants"]] == [group["id"]]
    tool_id = f"ghost_tool_{uuid.uuid4().hex[:8]}"
    tool = {
        "id": tool_id,
        "name": "Weather",
        "content": (SOURCES / "weather_tool.py").read_text(),
        "meta": {"description": "weather"},
    }
    ok(call(url, "POST", "/api/v1/tools/create", running.admin, tool))
    resources.made("DELETE", f"/api/v1/tools/id/{tool_id}/delete")
    refused = call(
        url, "POST", f"/api/v1/tools/id/{tool_id}/access/update", running.admin, {"access_grants": ghost}
    )
    assert refused.status_code == 400


def test_sharing_needs_the_sharing_permission(
    running: Running, resources: Resources, team: tuple[dict, Account, Account]
) -> None:
    """A user without ``sharing.knowledge`` (Open WebUI's default) owns a collection: the create
    form's grants are dropped, ``/access/update`` with one is 403, and clearing them is fine."""
    group, member, _ = team
    url = running.url
    body = {"name": unique("Mine"), "description": "d", "access_grants": [group_grant(group["id"])]}
    created = ok(call(url, "POST", "/api/v1/knowledge/create", member, body))
    resources.made("DELETE", f"/api/v1/knowledge/{created['id']}/delete")
    assert created["access_grants"] == []
    path = f"/api/v1/knowledge/{created['id']}/access/update"
    refused = call(url, "POST", path, member, {"access_grants": [group_grant(group["id"])]})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You do not have permission to share with the requested audience"
    assert call(url, "POST", path, member, {"access_grants": []}).status_code == 200
    missing = call(
        url, "POST", f"/api/v1/knowledge/{uuid.uuid4()}/access/update", member, {"access_grants": []}
    )
    assert missing.status_code == 404


def test_leaving_the_group_takes_access_away_on_both_gateways(
    running: Running, second_gateway: str, resources: Resources, team: tuple[dict, Account, Account]
) -> None:
    group, member, _ = team
    kid = make_knowledge(running, resources, [group_grant(group["id"])])
    gateways = (running.url, second_gateway)
    for url in gateways:
        assert call(url, "GET", f"/api/v1/knowledge/{kid}", member).status_code == 200
    ok(
        call(
            running.url,
            "POST",
            f"/api/v1/groups/id/{group['id']}/users/remove",
            running.admin,
            {"user_ids": [member.id]},
        )
    )
    removed_at = time.monotonic()
    lost: dict[str, float] = {}
    while len(lost) < len(gateways) and time.monotonic() - removed_at < CACHE_BOUND_S + MARGIN_S:
        for url in gateways:
            if url not in lost and call(url, "GET", f"/api/v1/knowledge/{kid}", member).status_code == 401:
                lost[url] = time.monotonic() - removed_at
        time.sleep(0.2)
    assert set(lost) == set(gateways), f"still readable after {CACHE_BOUND_S + MARGIN_S} s: {lost}"
    # Once gone, it stays gone.
    for url in gateways:
        assert call(url, "GET", f"/api/v1/knowledge/{kid}", member).status_code == 401
