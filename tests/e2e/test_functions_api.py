"""/api/v1/functions end to end: create, read, update, switches, valves, who may do what, and the
errors Open WebUI answers with. Every test removes what it made: the stack is shared, and an active
function would change other tests' chats."""

import textwrap
import uuid
from collections.abc import Iterator

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running

BASE = "/api/v1/functions"
RESPONSE_KEYS = [
    "id",
    "user_id",
    "type",
    "name",
    "meta",
    "is_active",
    "is_global",
    "updated_at",
    "created_at",
]
MODEL_KEYS = [
    "id",
    "user_id",
    "name",
    "type",
    "content",
    "meta",
    "is_active",
    "is_global",
    "updated_at",
    "created_at",
]

PIPE = textwrap.dedent(
    '''\
    """
    title: Echo Pipe
    version: 1.0
    requirements: not-a-real-package-xyz
    """
    from pydantic import BaseModel, Field


    class Pipe:
        class Valves(BaseModel):
            prefix: str = Field(default=">", description="Put before the reply")
            count: int = 1

        class UserValves(BaseModel):
            loud: bool = False

        def __init__(self):
            self.valves = self.Valves()

        def pipe(self, body: dict) -> str:
            return self.valves.prefix
    '''
)
TOGGLE_FILTER = textwrap.dedent(
    """\
    class Filter:
        toggle = True

        def inlet(self, body: dict) -> dict:
            return body
    """
)


def call(
    running: Running, method: str, path: str, account: Account | None, body: object = None
) -> requests.Response:
    headers = account.headers if account is not None else {}
    return requests.request(method, f"{running.url}{BASE}{path}", headers=headers, json=body, timeout=30)


def function_form(function_id: str, content: str = PIPE, name: str = "Echo") -> dict:
    return {"id": function_id, "name": name, "content": content, "meta": {"description": "echoes"}}


@pytest.fixture
def made(running: Running) -> Iterator[list[str]]:
    """Ids of functions a test creates; deleted afterwards."""
    ids: list[str] = []
    try:
        yield ids
    finally:
        for function_id in ids:
            call(running, "DELETE", f"/id/{function_id}/delete", running.admin)


def create(running: Running, made: list[str], content: str = PIPE, prefix: str = "fn") -> dict:
    function_id = f"{prefix}_{uuid.uuid4().hex[:8]}"
    made.append(function_id)
    reply = call(running, "POST", "/create", running.admin, function_form(function_id, content))
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_lifecycle(running: Running, user: Account, made: list[str]) -> None:
    function_id = f"Echo_{uuid.uuid4().hex[:8]}"
    made.append(function_id.lower())
    reply = call(running, "POST", "/create", running.admin, function_form(function_id))
    assert reply.status_code == 200, reply.text
    created = reply.json()
    # The id is lower-cased; the reply is a FunctionResponse (no code); new functions are off.
    assert list(created) == RESPONSE_KEYS
    assert (created["id"], created["type"], created["user_id"]) == (
        function_id.lower(),
        "pipe",
        running.admin.id,
    )
    assert (created["is_active"], created["is_global"]) == (False, False)
    assert created["meta"] == {
        "description": "echoes",
        "manifest": {"title": "Echo Pipe", "version": "1.0", "requirements": "not-a-real-package-xyz"},
    }
    fid = created["id"]

    detail = call(running, "GET", f"/id/{fid}", running.admin)
    assert detail.status_code == 200
    assert list(detail.json()) == MODEL_KEYS and detail.json()["content"] == PIPE
    assert {k: v for k, v in detail.json().items() if k != "content"} == created

    listed = call(running, "GET", "/", user).json()
    [item] = [i for i in listed if i["id"] == fid]
    assert item == created
    admin_list = call(running, "GET", "/list", running.admin).json()
    [item] = [i for i in admin_list if i["id"] == fid]
    assert item == {
        **created,
        "user": {"id": running.admin.id, "name": "Admin", "role": "admin", "email": running.admin.email},
    }

    on = call(running, "POST", f"/id/{fid}/toggle", running.admin).json()
    assert list(on) == MODEL_KEYS and on["is_active"] is True and on["is_global"] is False
    assert call(running, "POST", f"/id/{fid}/toggle/global", running.admin).json()["is_global"] is True
    assert call(running, "POST", f"/id/{fid}/toggle/global", running.admin).json()["is_global"] is False
    assert call(running, "POST", f"/id/{fid}/toggle", running.admin).json()["is_active"] is False

    updated = call(
        running, "POST", f"/id/{fid}/update", running.admin, function_form(fid, TOGGLE_FILTER, "New")
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert list(body) == MODEL_KEYS
    assert (body["name"], body["type"], body["content"]) == ("New", "filter", TOGGLE_FILTER)
    assert body["meta"] == {"description": "echoes", "manifest": {}, "toggle": True}

    deleted = call(running, "DELETE", f"/id/{fid}/delete", running.admin)
    assert (deleted.status_code, deleted.json()) == (200, True)
    gone = call(running, "GET", f"/id/{fid}", running.admin)
    assert (gone.status_code, gone.json()) == (401, {"detail": messages.NOT_FOUND})
    assert fid not in [i["id"] for i in call(running, "GET", "/", user).json()]


def test_valves(running: Running, user: Account, other_user: Account, made: list[str]) -> None:
    fid = create(running, made)["id"]
    assert call(running, "GET", f"/id/{fid}/valves", running.admin).json() == {}
    spec = call(running, "GET", f"/id/{fid}/valves/spec", running.admin).json()
    assert spec["title"] == "Valves" and spec["properties"]["prefix"]["description"] == "Put before the reply"

    stored = call(running, "POST", f"/id/{fid}/valves/update", running.admin, {"count": "2", "prefix": None})
    assert (stored.status_code, stored.json()) == (200, {"count": 2})
    assert call(running, "GET", f"/id/{fid}/valves", running.admin).json() == {"count": 2}
    invalid = call(running, "POST", f"/id/{fid}/valves/update", running.admin, {"count": "many"})
    assert invalid.status_code == 400
    assert invalid.json()["detail"].startswith("[ERROR: Error updating function valves: ")
    assert call(running, "GET", f"/id/{fid}/valves", running.admin).json() == {"count": 2}

    # Per-user valves: each verified user has their own.
    assert call(running, "GET", f"/id/{fid}/valves/user", user).json() == {}
    assert call(running, "GET", f"/id/{fid}/valves/user/spec", user).json()["title"] == "UserValves"
    mine = call(running, "POST", f"/id/{fid}/valves/user/update", user, {"loud": True})
    assert (mine.status_code, mine.json()) == (200, {"loud": True})
    assert call(running, "GET", f"/id/{fid}/valves/user", user).json() == {"loud": True}
    assert call(running, "GET", f"/id/{fid}/valves/user", other_user).json() == {}
    bad = call(running, "POST", f"/id/{fid}/valves/user/update", user, {"loud": "very"})
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("[ERROR: Error updating function user valves: ")

    # A body that is not a JSON object is FastAPI's 422.
    listed = call(running, "POST", f"/id/{fid}/valves/update", running.admin, ["a"])
    assert listed.status_code == 422 and listed.json()["detail"][0]["type"] == "dict_type"


def test_function_without_valves(running: Running, user: Account, made: list[str]) -> None:
    fid = create(running, made, TOGGLE_FILTER)["id"]
    spec = call(running, "GET", f"/id/{fid}/valves/spec", running.admin)
    assert (spec.status_code, spec.json()) == (200, None)
    assert call(running, "GET", f"/id/{fid}/valves/user/spec", user).json() is None
    update = call(running, "POST", f"/id/{fid}/valves/update", running.admin, {"a": 1})
    assert (update.status_code, update.json()) == (401, {"detail": messages.NOT_FOUND})


def test_create_errors(running: Running, made: list[str]) -> None:
    bad_id = call(running, "POST", "/create", running.admin, function_form("has-dash"))
    assert (bad_id.status_code, bad_id.json()) == (400, {"detail": messages.FUNCTION_ID_INVALID})

    taken = create(running, made)["id"]
    again = call(running, "POST", "/create", running.admin, function_form(taken.upper()))
    assert (again.status_code, again.json()) == (400, {"detail": messages.ID_TAKEN})

    broken_id = f"broken_{uuid.uuid4().hex[:8]}"
    made.append(broken_id)
    broken = call(running, "POST", "/create", running.admin, function_form(broken_id, "def f(:\n"))
    assert broken.status_code == 400
    detail = broken.json()["detail"]
    assert detail.startswith("[ERROR: Error creating function: SyntaxError") and detail.endswith("]")
    # Nothing was stored.
    assert call(running, "GET", f"/id/{broken_id}", running.admin).status_code == 401
    no_class = call(running, "POST", "/create", running.admin, function_form(broken_id, "x = 1\n"))
    assert no_class.json() == {
        "detail": "[ERROR: Error creating function: No Function class found in the module]"
    }

    missing = call(running, "POST", "/create", running.admin, {"id": "x", "name": "x", "meta": {}})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "content"]
    malformed = requests.post(
        f"{running.url}{BASE}/create",
        data=b'{"id": "x",',
        headers={**running.admin.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["type"] == "json_invalid"
    nul = call(running, "POST", "/create", running.admin, function_form("nul_id", "x = '\x00'\n"))
    assert nul.status_code == 422


def test_update_with_code_that_does_not_load(running: Running, made: list[str]) -> None:
    fid = create(running, made)["id"]
    assert call(running, "POST", f"/id/{fid}/toggle", running.admin).json()["is_active"] is True
    reply = call(running, "POST", f"/id/{fid}/update", running.admin, function_form(fid, "class Pipe(:\n"))
    assert reply.status_code == 400
    assert reply.json()["detail"].startswith("[ERROR: Error updating function: SyntaxError")
    # The code is kept; the function is switched off.
    stored = call(running, "GET", f"/id/{fid}", running.admin).json()
    assert stored["content"] == PIPE and stored["is_active"] is False

    missing = call(running, "POST", "/id/no_such_function/update", running.admin, function_form("x"))
    assert (missing.status_code, missing.json()) == (400, {"detail": "[ERROR: Error updating function]"})


def test_missing_functions_are_401_not_found(running: Running, user: Account) -> None:
    for method, path, account in (
        ("GET", "/id/no_such_function", running.admin),
        ("POST", "/id/no_such_function/toggle", running.admin),
        ("POST", "/id/no_such_function/toggle/global", running.admin),
        ("GET", "/id/no_such_function/valves", running.admin),
        ("GET", "/id/no_such_function/valves/spec", running.admin),
        ("GET", "/id/no_such_function/valves/user", user),
        ("POST", "/id/no_such_function/valves/user/update", user),
    ):
        reply = call(running, method, path, account, {} if method == "POST" else None)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.NOT_FOUND}), path
    deleted = call(running, "DELETE", "/id/no_such_function/delete", running.admin)
    assert (deleted.status_code, deleted.json()) == (200, True)


def test_who_may_call_what(running: Running, user: Account, pending: Account, made: list[str]) -> None:
    fid = create(running, made)["id"]
    for method, path in (
        ("GET", "/list"),
        ("POST", "/create"),
        ("GET", f"/id/{fid}"),
        ("POST", f"/id/{fid}/update"),
        ("POST", f"/id/{fid}/toggle"),
        ("POST", f"/id/{fid}/toggle/global"),
        ("DELETE", f"/id/{fid}/delete"),
        ("GET", f"/id/{fid}/valves"),
        ("GET", f"/id/{fid}/valves/spec"),
        ("POST", f"/id/{fid}/valves/update"),
    ):
        reply = call(running, method, path, user, function_form(fid) if method == "POST" else None)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.ACCESS_PROHIBITED}), path
    for path in ("/", f"/id/{fid}/valves/user"):
        reply = call(running, "GET", path, pending)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.ACCESS_PROHIBITED}), path
        anonymous = call(running, "GET", path, None)
        assert (anonymous.status_code, anonymous.json()) == (401, {"detail": messages.NOT_AUTHENTICATED})
    # The function is untouched.
    assert call(running, "GET", f"/id/{fid}", running.admin).json()["is_active"] is False


def test_list_shows_a_deleted_author_as_null(running: Running, made: list[str]) -> None:
    author = running.signup(f"fn-author-{uuid.uuid4().hex[:6]}@example.com", name="Author")
    running.promote(author, "admin")
    function_id = f"orphan_{uuid.uuid4().hex[:8]}"
    made.append(function_id)
    reply = call(running, "POST", "/create", author, function_form(function_id))
    assert reply.status_code == 200, reply.text
    [item] = [i for i in call(running, "GET", "/list", running.admin).json() if i["id"] == function_id]
    assert item["user"] == {"id": author.id, "name": "Author", "role": "admin", "email": author.email}
    removed = requests.delete(
        f"{running.url}/api/v1/users/{author.id}", headers=running.admin.headers, timeout=10
    )
    assert removed.status_code == 200, removed.text
    [item] = [i for i in call(running, "GET", "/list", running.admin).json() if i["id"] == function_id]
    assert item["user"] is None and item["user_id"] == author.id
