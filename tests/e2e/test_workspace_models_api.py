"""/api/v1/models/* end to end: workspace models created, listed, read, updated, toggled and deleted
through the gateway, and what other users may do with them."""

from collections.abc import Iterator

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running, make_stack, signup, upstream_env
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

ROW_KEYS = [
    "id",
    "user_id",
    "base_model_id",
    "name",
    "params",
    "meta",
    "access_grants",
    "is_active",
    "updated_at",
    "created_at",
]


def post(running: Running, path: str, account: Account, body: object = None) -> requests.Response:
    return requests.post(f"{running.url}{path}", headers=account.headers, json=body, timeout=30)


def get(running: Running, path: str, account: Account, **params: object) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, params=params, timeout=30)


def form(model_id: str, **kw: object) -> dict:
    return {
        "id": model_id,
        "base_model_id": "llama3.2:latest",
        "name": "Helper",
        "meta": {"description": "A helpful preset"},
        "params": {"system": "Answer in one sentence."},
        **kw,
    }


def grant(user_id: str, permission: str = "read") -> dict:
    return {"principal_type": "user", "principal_id": user_id, "permission": permission}


@pytest.fixture
def created(running: Running) -> Iterator[list[str]]:
    """Ids of models a test creates; deleted afterwards so other tests' model lists stay as they were."""
    ids: list[str] = []
    yield ids
    for model_id in ids:
        post(running, "/api/v1/models/model/delete", running.admin, {"id": model_id})


def create(running: Running, account: Account, created: list[str], body: dict) -> dict:
    reply = post(running, "/api/v1/models/create", account, body)
    assert reply.status_code == 200, reply.text
    created.append(body["id"])
    return reply.json()


def test_an_admin_creates_reads_updates_toggles_and_deletes_a_model(
    running: Running, created: list[str]
) -> None:
    admin = running.admin
    model = create(running, admin, created, form("e2e-helper", access_grants=[grant("*")]))
    assert list(model) == ROW_KEYS
    assert model["user_id"] == admin.id and model["is_active"] is True
    assert model["meta"] == {
        "profile_image_url": "/static/favicon.png",
        "description": "A helpful preset",
        "capabilities": None,
    }
    assert [(g["principal_id"], g["permission"]) for g in model["access_grants"]] == [("*", "read")]

    read = get(running, "/api/v1/models/model", admin, id="e2e-helper")
    assert read.status_code == 200, read.text
    assert read.json() == {**model, "write_access": True}

    listed = get(running, "/api/v1/models/list", admin, query="e2e-helper").json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["user"] == {"id": admin.id, "name": "Admin", "role": "admin", "email": "admin@example.com"}
    assert item["write_access"] is True and "profile_image_url" not in item["meta"]

    update = post(running, "/api/v1/models/model/update", admin, form("e2e-helper", name="Renamed"))
    assert update.status_code == 200, update.text
    assert update.json()["name"] == "Renamed" and update.json()["created_at"] == model["created_at"]
    # Grants not given are kept.
    assert update.json()["access_grants"] == model["access_grants"]

    toggled = post(running, "/api/v1/models/model/toggle?id=e2e-helper", admin)
    assert toggled.status_code == 200, toggled.text
    assert toggled.json()["is_active"] is False

    deleted = post(running, "/api/v1/models/model/delete", admin, {"id": "e2e-helper"})
    assert deleted.status_code == 200 and deleted.json() is True
    gone = get(running, "/api/v1/models/model", admin, id="e2e-helper")
    assert gone.status_code == 404 and gone.json() == {"detail": messages.NOT_FOUND}
    for path, body in (
        ("/api/v1/models/model/update", form("e2e-helper")),
        ("/api/v1/models/model/toggle?id=e2e-helper", None),
        ("/api/v1/models/model/delete", {"id": "e2e-helper"}),
    ):
        reply = post(running, path, admin, body)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.NOT_FOUND}), path


def test_ids_are_unique_bounded_and_may_hold_slashes(running: Running, created: list[str]) -> None:
    admin = running.admin
    create(running, admin, created, form("team/e2e:helper"))
    assert get(running, "/api/v1/models/model", admin, id="team/e2e:helper").json()["id"] == "team/e2e:helper"
    taken = post(running, "/api/v1/models/create", admin, form("team/e2e:helper"))
    assert (taken.status_code, taken.json()) == (401, {"detail": messages.MODEL_ID_TAKEN})
    too_long = post(running, "/api/v1/models/create", admin, form("x" * 257))
    assert (too_long.status_code, too_long.json()) == (400, {"detail": messages.MODEL_ID_TOO_LONG})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"base_model_id": "m", "name": "n", "meta": {}, "params": {}}, "id"),
        ({"id": "e2e-bad", "meta": {}, "params": {}}, "name"),
        ({"id": "e2e-bad", "name": "n", "params": {}}, "meta"),
        ({"id": "e2e-bad", "name": "n", "meta": {}}, "params"),
        ({"id": "e2e-bad", "name": "n", "meta": {"description": 5}, "params": {}}, "meta"),
    ],
)
def test_an_invalid_form_is_a_422(running: Running, body: dict, field: str) -> None:
    reply = post(running, "/api/v1/models/create", running.admin, body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"][:2] == ["body", field]


def test_a_missing_id_query_is_a_422_and_a_pending_user_is_refused(
    running: Running, pending: Account
) -> None:
    reply = get(running, "/api/v1/models/model", running.admin)
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["query", "id"]
    refused = get(running, "/api/v1/models/list", pending)
    assert (refused.status_code, refused.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})


def test_an_id_with_a_nul_character_is_like_an_unknown_id(running: Running) -> None:
    # Found by tests/e2e/test_openapi_fuzz.py: PostgreSQL refused the parameter (500).
    def answers(model_id: str) -> list[tuple[int, object]]:
        read = get(running, "/api/v1/models/model", running.admin, id=model_id)
        toggle = requests.post(
            f"{running.url}/api/v1/models/model/toggle",
            params={"id": model_id},
            headers=running.admin.headers,
            timeout=30,
        )
        return [(reply.status_code, reply.json()) for reply in (read, toggle)]

    assert answers("a\x00b") == answers("e2e-no-such-model")
    assert answers("a\x00b")[0] == (404, {"detail": messages.NOT_FOUND})


def test_users_may_not_create_models_by_default(running: Running, user: Account) -> None:
    reply = post(running, "/api/v1/models/create", user, form("e2e-users-own"))
    assert (reply.status_code, reply.json()) == (401, {"detail": messages.UNAUTHORIZED})


def test_what_other_users_may_do_follows_the_grants(
    running: Running, user: Account, other_user: Account, created: list[str]
) -> None:
    admin = running.admin
    create(running, admin, created, form("e2e-shared", access_grants=[grant(user.id)]))
    # A write grant alone does not confer read (§6.2): a writer holds both.
    create(
        running, admin, created, form("e2e-editable", access_grants=[grant(user.id), grant(user.id, "write")])
    )

    # A reader sees the model without its params; a writer sees everything.
    shared = get(running, "/api/v1/models/model", user, id="e2e-shared").json()
    assert shared["write_access"] is False and shared["params"] == {}
    editable = get(running, "/api/v1/models/model", user, id="e2e-editable").json()
    assert editable["write_access"] is True and editable["params"] == {"system": "Answer in one sentence."}
    listed = get(running, "/api/v1/models/list", user, query="e2e-").json()
    assert sorted((i["id"], i["write_access"]) for i in listed["items"]) == [
        ("e2e-editable", True),
        ("e2e-shared", False),
    ]

    # A reader may not change it.
    update = post(running, "/api/v1/models/model/update", user, form("e2e-shared"))
    assert (update.status_code, update.json()) == (400, {"detail": messages.ACCESS_PROHIBITED})
    for path, body in (
        ("/api/v1/models/model/toggle?id=e2e-shared", None),
        ("/api/v1/models/model/delete", {"id": "e2e-shared"}),
    ):
        reply = post(running, path, user, body)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.UNAUTHORIZED}), path

    # A writer may change it; grants they may not give are dropped (users lack ``sharing.models``
    # by default, so all of them), and the model stays the admin's.
    changed = post(
        running,
        "/api/v1/models/model/update",
        user,
        form("e2e-editable", name="Edited", access_grants=[grant(user.id, "write"), grant("*")]),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["user_id"] == admin.id and changed.json()["name"] == "Edited"
    assert changed.json()["access_grants"] == []

    # Someone without a grant sees nothing.
    assert get(running, "/api/v1/models/list", other_user, query="e2e-").json() == {"items": [], "total": 0}
    hidden = get(running, "/api/v1/models/model", other_user, id="e2e-shared")
    assert (hidden.status_code, hidden.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})


def test_the_list_is_paged_by_30(running: Running, created: list[str]) -> None:
    for i in range(31):
        create(running, running.admin, created, form(f"e2e-page-{i:02d}", name=f"Paged {i}"))
    first = get(running, "/api/v1/models/list", running.admin, query="e2e-page-").json()
    second = get(running, "/api/v1/models/list", running.admin, query="e2e-page-", page=2).json()
    assert first["total"] == second["total"] == 31
    assert len(first["items"]) == 30 and len(second["items"]) == 1
    assert {i["id"] for i in first["items"] + second["items"]} == {f"e2e-page-{i:02d}" for i in range(31)}


# -- a stack where users may create workspace models -----------------------------------------------


@pytest.fixture(scope="module")
def open_workspace(
    tmp_path_factory: pytest.TempPathFactory, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> Iterator[tuple[Running, Account]]:
    """A second stack with USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS=true; yields it and a verified user."""
    stack = make_stack(
        tmp_path_factory.mktemp("open-workspace"),
        **upstream_env(fake_ollama, fake_openai),
        USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS="true",
    )
    stack.start()
    try:
        admin = signup(stack.gateway_url, "admin@workspace.example.com", "admin password", "Admin")
        running = Running(stack, stack.gateway_url, {}, admin, fake_ollama, fake_openai)
        member = running.signup("member@workspace.example.com", name="Member")
        running.promote(member)
        yield running, member
    finally:
        stack.stop()


def model_names(running: Running, account: Account) -> dict[str, str]:
    reply = get(running, "/api/models", account)
    assert reply.status_code == 200, reply.text
    return {m["id"]: m["name"] for m in reply.json()["data"]}


def test_only_admins_may_give_a_model_a_base_models_id(open_workspace: tuple[Running, Account]) -> None:
    running, member = open_workspace
    # A preset or an override with a base model's id (or an Ollama model's untagged name) would
    # rename, hide or re-prompt that model for everyone.
    for model_id in ("llama3.2:latest", "llama3.2", "gpt-4o-mini"):
        for base in ("gpt-4.1", None):
            reply = post(running, "/api/v1/models/create", member, form(model_id, base_model_id=base))
            assert (reply.status_code, reply.json()) == (401, {"detail": messages.MODEL_ID_TAKEN}), model_id
    assert model_names(running, member)["llama3.2:latest"] == "llama3.2:latest"

    # A user's own id is theirs: nobody creates over it.
    assert post(running, "/api/v1/models/create", member, form("member-helper")).status_code == 200
    taken = post(running, "/api/v1/models/create", running.admin, form("member-helper", name="Admin's"))
    assert (taken.status_code, taken.json()) == (401, {"detail": messages.MODEL_ID_TAKEN})

    # An admin may customise a base model, as in Open WebUI.
    custom = form("llama3.2:latest", base_model_id=None, name="House Llama")
    assert post(running, "/api/v1/models/create", running.admin, custom).status_code == 200
    assert model_names(running, member)["llama3.2:latest"] == "House Llama"
