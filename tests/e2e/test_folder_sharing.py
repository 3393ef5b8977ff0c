"""Folder sharing end to end (``/api/v1/folders/{id}/access/update``, ``/shared``, ``GET /{id}`` for
readers, ``/{id}/shared/chats``, ``/{id}/read``): Open WebUI's shapes, status codes and texts
(api-contract-2.md §2, §6.2, §6.3)."""

import uuid

import pytest

from tests.e2e.conftest import Account, Running
from tests.e2e.test_folders_api import (
    ACCESS_PROHIBITED,
    FOLDER_KEYS,
    NOT_FOUND,
    folders,
    new_chat,
    new_folder,
    ok,
    refused,
)

AUDIENCE_DENIED = "You do not have permission to share with the requested audience"
GRANT_KEYS = [
    "id",
    "resource_type",
    "resource_id",
    "principal_type",
    "principal_id",
    "permission",
    "created_at",
]
SHARED_CHAT_KEYS = [
    "id",
    "title",
    "updated_at",
    "created_at",
    "last_read_at",
    "user_id",
    "owner_name",
    "participants",
    "active",
    "readonly",
]


def account(running: Running, name: str) -> Account:
    made = running.signup(f"folder-share-{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", name=name)
    running.promote(made, "user")
    return made


@pytest.fixture
def owner(running: Running) -> Account:
    return account(running, "Sharer")


@pytest.fixture
def reader(running: Running) -> Account:
    return account(running, "Reader")


@pytest.fixture
def stranger(running: Running) -> Account:
    return account(running, "Stranger")


def grant(principal_type: str, principal_id: str, permission: str = "read") -> dict:
    return {"principal_type": principal_type, "principal_id": principal_id, "permission": permission}


def share(running: Running, folder_id: str, *grants: dict, **extra: object) -> dict:
    """Grants given by the admin: only admins may share folders (``sharing.folders`` is off)."""
    body = {"access_grants": list(grants), **extra}
    return ok(folders(running, running.admin, "POST", f"/{folder_id}/access/update", json=body))


def test_who_may_share_with_whom(running: Running, owner: Account, reader: Account) -> None:
    work = new_folder(running, owner, "Work")
    path = f"/{work['id']}/access/update"
    # A non-admin owner may not share a folder at all, but may clear its grants.
    refused(
        folders(running, owner, "POST", path, json={"access_grants": [grant("user", reader.id)]}),
        403,
        AUDIENCE_DENIED,
    )
    cleared = ok(folders(running, owner, "POST", path, json={"access_grants": []}))
    assert list(cleared) == [*FOLDER_KEYS, "access_grants"] and cleared["access_grants"] == []
    # Nobody shares a folder with every user, or with anyone.
    for audience in (grant("user", "*"), grant("anyone", "*")):
        body = {"access_grants": [audience]}
        refused(folders(running, running.admin, "POST", path, json=body), 403, AUDIENCE_DENIED)
    # Only the owner or an admin: 403 for another user, 404 for a missing folder.
    refused(folders(running, reader, "POST", path, json={"access_grants": []}), 403, ACCESS_PROHIBITED)
    refused(
        folders(running, running.admin, "POST", f"/{uuid.uuid4()}/access/update", json={"access_grants": []}),
        404,
        NOT_FOUND,
    )
    assert folders(running, owner, "POST", path, json={}).status_code == 422

    shared = share(
        running,
        work["id"],
        grant("user", reader.id),
        grant("user", reader.id),
        grant("robot", "x"),
        grant("user", reader.id, "write"),
        share_mode="continue",
    )
    assert list(shared) == [*FOLDER_KEYS, "access_grants"]
    assert shared["data"] == {"share_mode": "continue"}
    assert [list(g) for g in shared["access_grants"]] == [GRANT_KEYS, GRANT_KEYS]
    first = shared["access_grants"][0]
    assert (first["resource_type"], first["resource_id"], first["principal_id"], first["permission"]) == (
        "folder",
        work["id"],
        reader.id,
        "read",
    )
    # Grants that stay keep their ids; share_mode null takes the mode away, absent leaves it.
    again = share(running, work["id"], grant("user", reader.id), share_mode=None)
    assert [g["id"] for g in again["access_grants"]] == [first["id"]] and again["data"] == {}
    assert share(running, work["id"], grant("user", reader.id))["data"] == {}


def test_readers_see_shared_folders(
    running: Running, owner: Account, reader: Account, stranger: Account
) -> None:
    work = new_folder(running, owner, "Work", meta={"icon": "📁"})
    sub = new_folder(running, owner, "Sub", parent_id=work["id"])
    private = new_folder(running, owner, "Private")
    assert ok(folders(running, reader, "GET", "/shared")) == []
    share(running, work["id"], grant("user", reader.id))

    own = ok(folders(running, owner, "GET", f"/{work['id']}"))
    assert list(own) == [*FOLDER_KEYS, "access_grants", "write_access"]
    assert own["write_access"] is True and [g["principal_id"] for g in own["access_grants"]] == [reader.id]
    seen = ok(folders(running, reader, "GET", f"/{work['id']}"))
    assert seen == {**own, "write_access": False}
    below = ok(folders(running, reader, "GET", f"/{sub['id']}"))
    assert (below["id"], below["access_grants"], below["write_access"]) == (sub["id"], [], False)
    for folder_id in (private["id"], str(uuid.uuid4())):
        refused(folders(running, reader, "GET", f"/{folder_id}"), 404, NOT_FOUND)
    refused(folders(running, stranger, "GET", f"/{work['id']}"), 404, NOT_FOUND)
    # Reading is not changing: the owner's routes still treat the folder as missing.
    refused(folders(running, reader, "POST", f"/{work['id']}/update", json={"name": "x"}), 404, NOT_FOUND)

    listed = ok(folders(running, reader, "GET", "/shared"))
    assert [list(f) for f in listed] == [[*FOLDER_KEYS, "owner_name", "permission"]] * 2
    assert [(f["id"], f["owner_name"], f["permission"]) for f in listed] == [
        (work["id"], "Sharer", "read"),
        (sub["id"], "Sharer", "read"),
    ]
    assert listed[0]["meta"] == {"icon": "📁"} and listed[0]["user_id"] == owner.id
    mine = ok(folders(running, owner, "GET", "/shared"))
    assert [(f["id"], f["permission"]) for f in mine] == [(work["id"], "write"), (sub["id"], "write")]
    assert ok(folders(running, stranger, "GET", "/shared")) == []
    # A write grant on the folder below widens the access there.
    share(running, sub["id"], grant("user", reader.id, "write"))
    listed = ok(folders(running, reader, "GET", "/shared"))
    assert [f["permission"] for f in listed] == ["read", "write"]
    assert ok(folders(running, reader, "GET", f"/{sub['id']}"))["write_access"] is True

    # Deleting the folder revokes its grants.
    assert ok(folders(running, owner, "DELETE", f"/{work['id']}")) is True
    assert ok(folders(running, reader, "GET", "/shared")) == []
    refused(folders(running, reader, "GET", f"/{sub['id']}"), 404, NOT_FOUND)


def test_shared_chats_and_read_state(
    running: Running, owner: Account, reader: Account, stranger: Account
) -> None:
    work = new_folder(running, owner, "Work")
    sub = new_folder(running, owner, "Sub", parent_id=work["id"])
    ids = [new_chat(running, owner, f"Chat {i:02d}", folder_id=work["id"])["id"] for i in range(12)]
    new_chat(running, owner, "Below", folder_id=sub["id"])
    path = f"/{work['id']}/shared/chats"
    refused(folders(running, stranger, "GET", path), 403, ACCESS_PROHIBITED)
    refused(folders(running, reader, "GET", path), 403, ACCESS_PROHIBITED)
    refused(folders(running, reader, "GET", f"/{uuid.uuid4()}/shared/chats"), 404, NOT_FOUND)
    share(running, work["id"], grant("user", reader.id))

    page = ok(
        folders(running, reader, "GET", path, params={"page": 1, "sort_by": "title", "sort_dir": "asc"})
    )
    assert list(page) == ["chats", "folder_permission", "total", "has_more"]
    assert (page["folder_permission"], page["total"], page["has_more"]) == ("read", 12, True)
    assert [c["title"] for c in page["chats"]] == [f"Chat {i:02d}" for i in range(10)]
    entry = page["chats"][0]
    assert list(entry) == SHARED_CHAT_KEYS
    assert (entry["id"], entry["user_id"], entry["owner_name"], entry["active"], entry["readonly"]) == (
        ids[0],
        owner.id,
        "Sharer",
        False,
        True,
    )
    assert entry["participants"] == [{"id": owner.id, "name": "Sharer"}]
    last = ok(
        folders(running, reader, "GET", path, params={"page": 2, "sort_by": "title", "sort_dir": "asc"})
    )
    assert ([c["title"] for c in last["chats"]], last["has_more"]) == (["Chat 10", "Chat 11"], False)
    everything = ok(folders(running, owner, "GET", path))
    assert list(everything) == ["chats", "folder_permission"] and everything["folder_permission"] == "write"
    assert len(everything["chats"]) == 12 and not any(c["readonly"] for c in everything["chats"])

    # Read state is each chat owner's: the reader's call changes none of the owner's chats.
    read_path = f"/{work['id']}/read"
    refused(folders(running, stranger, "POST", read_path), 403, ACCESS_PROHIBITED)
    refused(folders(running, reader, "POST", f"/{uuid.uuid4()}/read"), 404, NOT_FOUND)
    by_reader = ok(folders(running, reader, "POST", read_path))
    assert by_reader == {
        "folder_id": work["id"],
        "folder_ids": [work["id"], sub["id"]],
        "updated_count": 0,
        "folder_unread_counts": {},
    }
    unread = {f["id"]: f["unread_count"] for f in ok(folders(running, owner, "GET", "/"))}
    assert unread == {work["id"]: 12, sub["id"]: 1}
    by_owner = ok(folders(running, owner, "POST", read_path))
    assert (by_owner["updated_count"], by_owner["folder_unread_counts"]) == (
        13,
        {work["id"]: 0, sub["id"]: 0},
    )
    unread = {f["id"]: f["unread_count"] for f in ok(folders(running, owner, "GET", "/"))}
    assert unread == {work["id"]: 0, sub["id"]: 0}
