"""``/api/v1/folders/*`` and the folder routes of ``/api/v1/chats`` end to end: folders through the
gateway and FoldersService, in Open WebUI's shapes, status codes and texts (api-contract-2.md §2)."""

import uuid

import pytest
import requests

from tests.e2e.conftest import Account, Running, verified_user

NOT_FOUND = "We could not find what you're looking for :/"
ACCESS_PROHIBITED = (
    "You do not have permission to access this resource. Please contact your administrator for assistance."
)
DEFAULT = "Something went wrong :/"
EXISTS = "[ERROR: Folder already exists]"
INTO_ITSELF = "[ERROR: Cannot move a folder into itself or one of its subfolders]"
FOLDER_KEYS = [
    "id",
    "parent_id",
    "user_id",
    "name",
    "items",
    "meta",
    "data",
    "is_expanded",
    "created_at",
    "updated_at",
]
LIST_KEYS = ["id", "name", "meta", "parent_id", "is_expanded", "unread_count", "created_at", "updated_at"]


def folders(running: Running, account: Account, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method, f"{running.url}/api/v1/folders{path}", headers=account.headers, timeout=30, **kwargs
    )


def chats(running: Running, account: Account, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method, f"{running.url}/api/v1/chats{path}", headers=account.headers, timeout=30, **kwargs
    )


def ok(reply: requests.Response) -> object:
    assert reply.status_code == 200, reply.text
    return reply.json()


def refused(reply: requests.Response, status: int, detail: str) -> None:
    assert (reply.status_code, reply.json()) == (status, {"detail": detail}), reply.text


@pytest.fixture
def fresh(running: Running) -> Account:
    """A user of its own, so that lists see only this test's folders and chats."""
    return verified_user(running, f"folders-{uuid.uuid4().hex[:8]}@example.com", name="Filer")


def new_folder(running: Running, account: Account, name: str, **extra: object) -> dict:
    return ok(folders(running, account, "POST", "/", json={"name": name, **extra}))


def new_chat(running: Running, account: Account, title: str, **extra: object) -> dict:
    return ok(chats(running, account, "POST", "/new", json={"chat": {"title": title}, **extra}))


def test_create_read_and_list(running: Running, fresh: Account) -> None:
    work = new_folder(running, fresh, "Work", meta={"icon": "📁", "color": "red"})
    assert list(work) == FOLDER_KEYS
    assert (work["parent_id"], work["user_id"], work["items"], work["data"], work["is_expanded"]) == (
        None,
        fresh.id,
        None,
        None,
        False,
    )
    got = ok(folders(running, fresh, "GET", f"/{work['id']}"))
    assert got == {**work, "access_grants": [], "write_access": True}
    sub = new_folder(running, fresh, "Sub", parent_id=work["id"], data={"system_prompt": "Be brief."})
    listed = ok(folders(running, fresh, "GET", "/"))
    assert [list(f) for f in listed] == [LIST_KEYS, LIST_KEYS]
    by_id = {f["id"]: f for f in listed}
    assert by_id[work["id"]]["meta"] == {"icon": "📁"} and by_id[sub["id"]]["meta"] is None
    assert by_id[sub["id"]]["parent_id"] == work["id"] and by_id[work["id"]]["unread_count"] == 0


def test_forms_names_and_errors(
    running: Running, fresh: Account, other_user: Account, pending: Account
) -> None:
    work = new_folder(running, fresh, "Work")
    refused(folders(running, fresh, "POST", "/", json={"name": "work"}), 400, EXISTS)
    assert folders(running, fresh, "POST", "/", json={"name": "x", "extra": 1}).status_code == 422
    assert folders(running, fresh, "POST", "/", json={}).status_code == 422
    assert folders(running, fresh, "POST", "/", json={"name": "x" * 256}).status_code == 422
    assert folders(running, fresh, "POST", f"/{work['id']}/update", json={"colour": 1}).status_code == 422
    refused(folders(running, fresh, "POST", "/", json={"name": "x", "parent_id": "nope"}), 404, NOT_FOUND)
    for method, path in (
        ("GET", ""),
        ("POST", "/update"),
        ("POST", "/update/expanded"),
        ("DELETE", ""),
    ):
        body = {"is_expanded": True} if path.endswith("expanded") else {}
        refused(folders(running, other_user, method, f"/{work['id']}{path}", json=body), 404, NOT_FOUND)
    refused(folders(running, pending, "GET", "/"), 401, ACCESS_PROHIBITED)
    # Same name under another parent, or for another user, is fine.
    new_folder(running, fresh, "Work", parent_id=work["id"])
    new_folder(running, other_user, f"Work {uuid.uuid4().hex[:6]}")


def test_update_move_expand_and_cycles(running: Running, fresh: Account) -> None:
    a = new_folder(running, fresh, "A", meta={"icon": "a"}, data={"files": []})
    b = new_folder(running, fresh, "B", parent_id=a["id"])
    c = new_folder(running, fresh, "C", parent_id=b["id"])
    updated = ok(
        folders(running, fresh, "POST", f"/{a['id']}/update", json={"name": "A2", "meta": {"color": "red"}})
    )
    assert (updated["name"], updated["meta"], updated["data"]) == (
        "A2",
        {"icon": "a", "color": "red"},
        {"files": []},
    )
    for target in (a["id"], c["id"]):
        reply = folders(running, fresh, "POST", f"/{a['id']}/update/parent", json={"parent_id": target})
        refused(reply, 400, INTO_ITSELF)
    moved = ok(folders(running, fresh, "POST", f"/{c['id']}/update/parent", json={"parent_id": None}))
    assert moved["parent_id"] is None
    new_folder(running, fresh, "B")
    refused(
        folders(running, fresh, "POST", f"/{b['id']}/update/parent", json={"parent_id": None}), 400, EXISTS
    )
    expanded = ok(folders(running, fresh, "POST", f"/{a['id']}/update/expanded", json={"is_expanded": True}))
    assert expanded["is_expanded"] is True


def test_chats_in_folders(running: Running, fresh: Account, other_user: Account) -> None:
    top = new_folder(running, fresh, "Recipes")
    below = new_folder(running, fresh, "Bread", parent_id=top["id"])
    foreign = new_folder(running, other_user, f"Theirs {uuid.uuid4().hex[:6]}")
    refused(
        chats(running, fresh, "POST", "/new", json={"chat": {}, "folder_id": foreign["id"]}), 404, NOT_FOUND
    )
    a = new_chat(running, fresh, "sourdough a", folder_id=top["id"])
    assert a["folder_id"] == top["id"]
    b = new_chat(running, fresh, "sourdough b")
    ok(chats(running, fresh, "POST", f"/{b['id']}/pin"))
    ok(chats(running, fresh, "POST", f"/{b['id']}/archive"))
    moved = ok(chats(running, fresh, "POST", f"/{b['id']}/folder", json={"folder_id": below["id"]}))
    assert (moved["folder_id"], moved["pinned"], moved["archived"]) == (below["id"], False, False)
    refused(
        chats(running, fresh, "POST", f"/{b['id']}/folder", json={"folder_id": foreign["id"]}), 404, NOT_FOUND
    )
    refused(chats(running, other_user, "POST", f"/{b['id']}/folder", json={"folder_id": None}), 401, DEFAULT)
    c = new_chat(running, fresh, "sourdough c")

    assert [x["id"] for x in ok(chats(running, fresh, "GET", "/"))] == [c["id"]]
    assert {x["id"] for x in ok(chats(running, fresh, "GET", "/?include_folders=true"))} == {
        a["id"],
        b["id"],
        c["id"],
    }
    in_top = ok(chats(running, fresh, "GET", f"/folder/{top['id']}"))
    assert {x["id"] for x in in_top} == {a["id"], b["id"]} and "chat" in in_top[0]
    assert [x["id"] for x in ok(chats(running, fresh, "GET", f"/folder/{top['id']}/list"))] == [a["id"]]
    assert ok(chats(running, other_user, "GET", f"/folder/{top['id']}")) == []
    found = ok(chats(running, fresh, "GET", "/search", params={"text": "sourdough folder:recipes"}))
    assert {x["id"] for x in found} == {a["id"], b["id"]}
    unread = {f["id"]: f["unread_count"] for f in ok(folders(running, fresh, "GET", "/"))}
    # `a` was never read; `b` was read when pinned, and whether it changed since depends on the clock.
    assert set(unread) == {top["id"], below["id"]} and unread[top["id"]] == 1

    out = ok(chats(running, fresh, "POST", f"/{a['id']}/folder", json={"folder_id": None}))
    assert out["folder_id"] is None
    archived = ok(chats(running, fresh, "POST", f"/{b['id']}/archive"))
    assert archived["folder_id"] is None


def test_delete_keeps_or_deletes_contents(running: Running, fresh: Account) -> None:
    keep = new_folder(running, fresh, "Keep")
    keep_sub = new_folder(running, fresh, "Sub", parent_id=keep["id"])
    kept = new_chat(running, fresh, "kept", folder_id=keep_sub["id"])
    assert ok(folders(running, fresh, "DELETE", f"/{keep['id']}?delete_contents=false")) is True
    assert ok(chats(running, fresh, "GET", f"/{kept['id']}"))["folder_id"] is None
    refused(folders(running, fresh, "GET", f"/{keep_sub['id']}"), 404, NOT_FOUND)

    drop = new_folder(running, fresh, "Drop")
    dropped = new_chat(running, fresh, "dropped", folder_id=drop["id"])
    # delete_contents defaults to true.
    assert ok(folders(running, fresh, "DELETE", f"/{drop['id']}")) is True
    refused(chats(running, fresh, "GET", f"/{dropped['id']}"), 401, NOT_FOUND)
    assert ok(folders(running, fresh, "GET", "/")) == []
