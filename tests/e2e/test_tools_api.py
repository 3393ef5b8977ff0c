"""/api/v1/tools end to end: create, list, read, update, access grants, valves and user valves,
delete, and who may do what with Open WebUI's answers. Every test removes the tools it made: the
stack is shared."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from services.common import messages
from tests.e2e.chat_support import LLAMA, chat_calls
from tests.e2e.conftest import Account, Running

BASE = "/api/v1/tools"
SOURCES = Path(__file__).parent.parent / "functions"
RESPONSE_KEYS = ["version_id", "id", "user_id", "name", "meta", "access_grants", "updated_at", "created_at"]
MODEL_KEYS = [
    "version_id",
    "id",
    "user_id",
    "name",
    "content",
    "specs",
    "meta",
    "access_grants",
    "updated_at",
    "created_at",
]


def source(name: str) -> str:
    return (SOURCES / f"{name}.py").read_text()


def call(
    running: Running, method: str, path: str, account: Account | None, body: object = None
) -> requests.Response:
    headers = account.headers if account is not None else {}
    return requests.request(method, f"{running.url}{BASE}{path}", headers=headers, json=body, timeout=30)


def tool_form(tool_id: str, content: str, name: str = "Weather", **extra: object) -> dict:
    return {"id": tool_id, "name": name, "content": content, "meta": {"description": "weather tool"}, **extra}


@pytest.fixture
def made(running: Running) -> Iterator[list[str]]:
    """Ids of tools a test creates; deleted afterwards."""
    ids: list[str] = []
    try:
        yield ids
    finally:
        for tool_id in ids:
            call(running, "DELETE", f"/id/{tool_id}/delete", running.admin)


def create(running: Running, made: list[str], name: str = "weather_tool", **extra: object) -> dict:
    tool_id = f"{name}_{uuid.uuid4().hex[:8]}"
    made.append(tool_id)
    reply = call(running, "POST", "/create", running.admin, tool_form(tool_id, source(name), **extra))
    assert reply.status_code == 200, reply.text
    return reply.json()


def read_grant(account: Account, permission: str = "read") -> dict:
    return {"principal_type": "user", "principal_id": account.id, "permission": permission}


def test_lifecycle(running: Running, user: Account, made: list[str]) -> None:
    tool_id = f"Weather_{uuid.uuid4().hex[:8]}"
    made.append(tool_id.lower())
    reply = call(running, "POST", "/create", running.admin, tool_form(tool_id, source("weather_tool")))
    assert reply.status_code == 200, reply.text
    created = reply.json()
    assert list(created) == RESPONSE_KEYS
    assert (created["id"], created["user_id"], created["access_grants"]) == (
        tool_id.lower(),
        running.admin.id,
        [],
    )
    assert created["meta"]["manifest"]["title"] == "Weather Tool"
    assert created["meta"]["has_user_valves"] is False
    tid = created["id"]

    detail = call(running, "GET", f"/id/{tid}", running.admin).json()
    assert list(detail) == [*MODEL_KEYS, "write_access"]
    assert detail["content"] == source("weather_tool") and detail["write_access"] is True
    assert detail["specs"] == [
        {
            "name": "get_weather",
            "description": "Get the current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "Name of the city"},
                    "days": {"type": "integer", "default": 1, "description": "Number of days"},
                },
                "required": ["city"],
            },
        }
    ]

    listed = call(running, "GET", "/", running.admin).json()
    [item] = [i for i in listed if i["id"] == tid]
    assert item["content"] is None and item["specs"] == detail["specs"] and item["has_user_valves"] is False
    assert item["user"] == {
        "id": running.admin.id,
        "name": "Admin",
        "role": "admin",
        "email": running.admin.email,
    }
    assert [i["id"] for i in call(running, "GET", "/?query=WEATHER", running.admin).json()].count(tid) == 1
    assert tid not in [i["id"] for i in call(running, "GET", "/?query=zzz", running.admin).json()]
    [access_item] = [i for i in call(running, "GET", "/list", running.admin).json() if i["id"] == tid]
    assert access_item["write_access"] is True
    assert tid in [t["id"] for t in call(running, "GET", "/export", running.admin).json()]

    # A user without a grant sees nothing of it.
    assert tid not in [i["id"] for i in call(running, "GET", "/", user).json()]
    denied = call(running, "GET", f"/id/{tid}", user)
    assert (denied.status_code, denied.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})

    form = tool_form(tid, source("dict_tool"), name="Lookup")
    updated = call(running, "POST", f"/id/{tid}/update", running.admin, form)
    assert updated.status_code == 200, updated.text
    assert list(updated.json()) == MODEL_KEYS
    assert updated.json()["name"] == "Lookup" and updated.json()["specs"][0]["name"] == "lookup"
    bad = call(running, "POST", f"/id/{tid}/update", running.admin, tool_form(tid, "def ("))
    assert bad.status_code == 400 and "SyntaxError" in bad.json()["detail"]

    deleted = call(running, "DELETE", f"/id/{tid}/delete", running.admin)
    assert (deleted.status_code, deleted.json()) == (200, True)
    missing = call(running, "GET", f"/id/{tid}", running.admin)
    assert (missing.status_code, missing.json()) == (404, {"detail": messages.NOT_FOUND})
    gone = call(running, "DELETE", f"/id/{tid}/delete", running.admin)
    assert (gone.status_code, gone.json()) == (401, {"detail": messages.NOT_FOUND})
    gone = call(running, "POST", f"/id/{tid}/update", running.admin, form)
    assert (gone.status_code, gone.json()) == (401, {"detail": messages.NOT_FOUND})


def test_create_refusals(running: Running, user: Account, pending: Account, made: list[str]) -> None:
    form = tool_form(f"weather_{uuid.uuid4().hex[:8]}", source("weather_tool"))
    refused = call(running, "POST", "/create", user, form)
    assert (refused.status_code, refused.json()) == (401, {"detail": messages.UNAUTHORIZED})
    assert call(running, "POST", "/create", None, form).status_code == 401
    assert call(running, "GET", "/", pending).status_code in (401, 403)
    bad_id = call(running, "POST", "/create", running.admin, tool_form("bad-id", source("weather_tool")))
    assert (bad_id.status_code, bad_id.json()) == (400, {"detail": messages.FUNCTION_ID_INVALID})
    no_class = call(
        running, "POST", "/create", running.admin, tool_form(f"x_{uuid.uuid4().hex[:8]}", "x = 1\n")
    )
    assert no_class.status_code == 400
    assert no_class.json()["detail"].startswith("[ERROR: Error creating tool")
    created = create(running, made)
    taken = call(
        running, "POST", "/create", running.admin, tool_form(created["id"].upper(), source("weather_tool"))
    )
    assert (taken.status_code, taken.json()) == (400, {"detail": messages.ID_TAKEN})
    assert call(running, "POST", "/create", running.admin, {"id": "x"}).status_code == 422
    exported = call(running, "GET", "/export", user)
    assert (exported.status_code, exported.json()) == (401, {"detail": messages.UNAUTHORIZED})


def test_access_grants_let_another_user_read(
    running: Running, user: Account, other_user: Account, made: list[str]
) -> None:
    tid = create(running, made)["id"]
    reply = call(
        running, "POST", f"/id/{tid}/access/update", running.admin, {"access_grants": [read_grant(user)]}
    )
    assert reply.status_code == 200, reply.text
    [grant] = reply.json()["access_grants"]
    assert {
        k: grant[k] for k in ("resource_type", "resource_id", "principal_type", "principal_id", "permission")
    } == {
        "resource_type": "tool",
        "resource_id": tid,
        "principal_type": "user",
        "principal_id": user.id,
        "permission": "read",
    }
    detail = call(running, "GET", f"/id/{tid}", user)
    assert detail.status_code == 200
    # A reader sees the specs but not the code.
    assert detail.json()["write_access"] is False and detail.json()["content"] is None
    assert tid in [i["id"] for i in call(running, "GET", "/", user).json()]
    assert tid not in [i["id"] for i in call(running, "GET", "/", other_user).json()]
    # Readers may not change, share or delete it.
    form = tool_form(tid, source("weather_tool"), name="Mine")
    assert call(running, "POST", f"/id/{tid}/update", user, form).json() == {"detail": messages.UNAUTHORIZED}
    shared = call(running, "POST", f"/id/{tid}/access/update", user, {"access_grants": []})
    assert (shared.status_code, shared.json()) == (401, {"detail": messages.UNAUTHORIZED})
    deleted = call(running, "DELETE", f"/id/{tid}/delete", user)
    assert (deleted.status_code, deleted.json()) == (401, {"detail": messages.UNAUTHORIZED})
    # Nobody shares a tool with anyone (no sign-in).
    anyone = {"principal_type": "anyone", "principal_id": "*", "permission": "read"}
    refused = call(running, "POST", f"/id/{tid}/access/update", running.admin, {"access_grants": [anyone]})
    assert refused.status_code == 403
    everyone = {"principal_type": "user", "principal_id": "*", "permission": "read"}
    assert call(running, "POST", f"/id/{tid}/access/update", running.admin, {"access_grants": [everyone]}).ok
    assert call(running, "GET", f"/id/{tid}", other_user).status_code == 200
    missing = call(running, "POST", "/id/nope_missing/access/update", running.admin, {"access_grants": []})
    assert missing.status_code == 404


def test_valves(running: Running, user: Account, made: list[str]) -> None:
    tid = create(running, made)["id"]
    assert call(running, "GET", f"/id/{tid}/valves", running.admin).json() == {}
    spec = call(running, "GET", f"/id/{tid}/valves/spec", running.admin).json()
    assert spec["title"] == "Valves" and spec["type"] == "object" and "api_base" in spec["properties"]
    assert call(running, "GET", f"/id/{tid}/valves/user/spec", running.admin).json() is None
    stored = call(
        running, "POST", f"/id/{tid}/valves/update", running.admin, {"api_base": "https://x.invalid"}
    )
    assert (stored.status_code, stored.json()) == (200, {"api_base": "https://x.invalid"})
    assert call(running, "GET", f"/id/{tid}/valves", running.admin).json() == {
        "api_base": "https://x.invalid"
    }
    invalid = call(running, "POST", f"/id/{tid}/valves/update", running.admin, {"api_base": {"x": 1}})
    assert invalid.status_code == 400
    assert invalid.json()["detail"].startswith("[ERROR: Error updating tool valves")
    no_user_valves = call(running, "POST", f"/id/{tid}/valves/user/update", running.admin, {"a": 1})
    assert (no_user_valves.status_code, no_user_valves.json()) == (401, {"detail": messages.NOT_FOUND})
    # Without a grant: 401; a reader may not change the tool's own valves (Open WebUI's 400).
    assert call(running, "GET", f"/id/{tid}/valves", user).status_code == 401
    call(running, "POST", f"/id/{tid}/access/update", running.admin, {"access_grants": [read_grant(user)]})
    assert call(running, "GET", f"/id/{tid}/valves", user).status_code == 401
    reader = call(running, "POST", f"/id/{tid}/valves/update", user, {"api_base": "https://y.invalid"})
    assert (reader.status_code, reader.json()) == (400, {"detail": messages.ACCESS_PROHIBITED})
    missing = call(running, "GET", "/id/nope_missing/valves", running.admin)
    assert missing.status_code == 404
    missing = call(running, "POST", "/id/nope_missing/valves/update", running.admin, {})
    assert (missing.status_code, missing.json()) == (401, {"detail": messages.NOT_FOUND})


def test_user_valves(running: Running, user: Account, other_user: Account, made: list[str]) -> None:
    created = create(running, made, "user_valves_tool")
    tid = created["id"]
    assert created["meta"]["has_user_valves"] is True
    assert call(running, "GET", f"/id/{tid}/valves/user", user).status_code == 401
    call(running, "POST", f"/id/{tid}/access/update", running.admin, {"access_grants": [read_grant(user)]})
    assert call(running, "GET", f"/id/{tid}/valves/user", user).json() == {}
    spec = call(running, "GET", f"/id/{tid}/valves/user/spec", user).json()
    assert spec["title"] == "UserValves" and "unit" in spec["properties"]
    stored = call(running, "POST", f"/id/{tid}/valves/user/update", user, {"unit": "F"})
    assert (stored.status_code, stored.json()) == (200, {"unit": "F"})
    assert call(running, "GET", f"/id/{tid}/valves/user", user).json() == {"unit": "F"}
    # Each user has their own.
    assert call(running, "GET", f"/id/{tid}/valves/user", running.admin).json() == {}
    assert (
        call(running, "POST", f"/id/{tid}/valves/user/update", other_user, {"unit": "K"}).status_code == 401
    )
    invalid = call(running, "POST", f"/id/{tid}/valves/user/update", user, {"unit": ["x"]})
    assert invalid.status_code == 400
    assert invalid.json()["detail"].startswith("[ERROR: Error updating tool user valves")
    listed = call(running, "GET", "/", user).json()
    [item] = [i for i in listed if i["id"] == tid]
    assert item["has_user_valves"] is True


def test_tool_ids_refused_before_the_model_is_called(
    running: Running, ollama, user: Account, made: list[str]
) -> None:
    """A tool the caller may not read (or that does not exist) is a 404 in a chat completion, and
    nothing reaches the upstream."""
    tid = create(running, made)["id"]
    before = len(chat_calls(ollama))
    for tool_ids in ([tid], ["no_such_tool"]):
        reply = requests.post(
            f"{running.url}/api/chat/completions",
            headers=user.headers,
            json={"model": LLAMA, "messages": [{"role": "user", "content": "hi"}], "tool_ids": tool_ids},
            timeout=30,
        )
        assert reply.status_code == 404, reply.text
        assert tool_ids[0] in reply.json()["detail"]
    assert len(chat_calls(ollama)) == before
