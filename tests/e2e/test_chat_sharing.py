"""Chat sharing end to end (``/api/v1/chats/{id}/share``, ``/share/{token}``, ``/shared``,
``/clone/shared``, access grants): Open WebUI's shapes, status codes and texts (api-contract-2.md
§1.3, §6.2)."""

import uuid

import pytest
import requests

from tests.e2e.conftest import Account, Running
from tests.e2e.test_chats_api import ACCESS_PROHIBITED, CHAT_KEYS, NOT_FOUND, call, new_chat, ok

INVALID_TOKEN = "Your session has expired or the token is invalid. Please sign in again."
AUDIENCE_DENIED = "You do not have permission to share with the requested audience"
SHARED_KEYS = ["id", "chat_id", "title", "share_id", "updated_at", "created_at"]
GRANT_KEYS = ["id", "principal_type", "principal_id", "permission"]


def account(running: Running, name: str) -> Account:
    made = running.signup(f"share-{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", name=name)
    running.promote(made, "user")
    return made


@pytest.fixture
def owner(running: Running) -> Account:
    return account(running, "Sharer")


@pytest.fixture
def reader(running: Running) -> Account:
    return account(running, "Reader")


def grant(principal_type: str, principal_id: str, permission: str = "read") -> dict:
    return {"principal_type": principal_type, "principal_id": principal_id, "permission": permission}


def refused(reply: requests.Response, status: int, detail: str) -> None:
    assert (reply.status_code, reply.json()) == (status, {"detail": detail}), reply.text


def test_share_snapshot_and_list(running: Running, owner: Account) -> None:
    chat = new_chat(running, owner, title="Shared chat")
    shared = ok(call(running, owner, "POST", f"/{chat['id']}/share"))
    token = shared["share_id"]
    assert list(shared) == CHAT_KEYS and shared["id"] == chat["id"]
    assert str(uuid.UUID(token, version=4)) == token

    # Sharing again re-snapshots under the same token.
    ok(call(running, owner, "POST", f"/{chat['id']}", json={"chat": {"title": "Renamed"}}))
    again = ok(call(running, owner, "POST", f"/{chat['id']}/share", json={"share_mode": None}))
    assert again["share_id"] == token
    assert ok(call(running, owner, "GET", f"/{chat['id']}"))["share_id"] == token

    listed = ok(call(running, owner, "GET", "/shared"))
    assert [list(s) for s in listed] == [SHARED_KEYS]
    assert listed[0]["id"] == chat["id"] == listed[0]["chat_id"]
    assert (listed[0]["share_id"], listed[0]["title"]) == (token, "Renamed")
    assert ok(call(running, owner, "GET", "/shared", params={"query": "nothing like it"})) == []
    assert ok(call(running, owner, "GET", "/shared", params={"page": 2})) == []

    snapshot = ok(call(running, owner, "GET", f"/share/{token}"))
    assert list(snapshot) == CHAT_KEYS
    assert (snapshot["id"], snapshot["share_id"], snapshot["user_id"]) == (token, token, owner.id)
    assert snapshot["title"] == "Renamed" and snapshot["pinned"] is False and snapshot["meta"] == {}
    assert snapshot["current_message_id"] is None and snapshot["folder_id"] is None
    assert snapshot["chat"]["share_mode"] is None
    assert snapshot["chat"]["history"]["messages"]["a1"]["content"] == "Hi!"
    assert snapshot["chat"]["history"]["currentId"] == "a1"

    # Later changes stay out of the snapshot until the chat is shared again.
    ok(call(running, owner, "POST", f"/{chat['id']}", json={"chat": {"title": "Later"}}))
    assert ok(call(running, owner, "GET", f"/share/{token}"))["title"] == "Renamed"


def test_a_share_is_private_until_grants_are_added(running: Running, owner: Account, reader: Account) -> None:
    chat = new_chat(running, owner, title="Private share")
    token = ok(call(running, owner, "POST", f"/{chat['id']}/share"))["share_id"]
    refused(call(running, reader, "GET", f"/share/{token}"), 401, ACCESS_PROHIBITED)
    refused(call(running, reader, "POST", f"/{token}/clone/shared"), 401, ACCESS_PROHIBITED)
    refused(call(running, reader, "GET", f"/share/{uuid.uuid4()}"), 401, NOT_FOUND)
    refused(call(running, reader, "POST", f"/{uuid.uuid4()}/clone/shared"), 401, NOT_FOUND)
    anonymous = requests.get(f"{running.url}/api/v1/chats/share/{token}", timeout=30)
    refused(anonymous, 401, INVALID_TOKEN)
    # Only the owner shares and unshares; a non-admin may not pass a chat id for a token.
    refused(call(running, reader, "POST", f"/{chat['id']}/share"), 401, ACCESS_PROHIBITED)
    refused(call(running, reader, "DELETE", f"/{chat['id']}/share"), 401, ACCESS_PROHIBITED)
    refused(call(running, reader, "GET", f"/share/{chat['id']}"), 401, NOT_FOUND)
    refused(call(running, reader, "GET", f"/shared/{chat['id']}/access"), 404, NOT_FOUND)
    refused(
        call(running, reader, "POST", f"/shared/{chat['id']}/access/update", json={"access_grants": []}),
        404,
        NOT_FOUND,
    )


def test_admins_read_any_share_and_chat(running: Running, owner: Account) -> None:
    admin = running.admin
    chat = new_chat(running, owner, title="Seen by the admin")
    token = ok(call(running, owner, "POST", f"/{chat['id']}/share"))["share_id"]
    assert ok(call(running, admin, "GET", f"/share/{token}"))["id"] == token
    live = ok(call(running, admin, "GET", f"/share/{chat['id']}"))
    assert live["id"] == chat["id"] and live["chat"]["share_mode"] is None
    clone = ok(call(running, admin, "POST", f"/{chat['id']}/clone/shared"))
    assert clone["user_id"] == admin.id and clone["title"] == "Clone of Seen by the admin"
    grants = ok(call(running, admin, "GET", f"/shared/{chat['id']}/access"))
    assert grants == []


def test_grants_let_readers_read_and_clone(running: Running, owner: Account, reader: Account) -> None:
    chat = new_chat(running, owner, title="Granted", variables={"x": "1"})
    token = ok(call(running, owner, "POST", f"/{chat['id']}/share"))["share_id"]
    assert ok(call(running, owner, "GET", f"/shared/{chat['id']}/access")) == []

    for audience in (grant("user", "*"), grant("anyone", "*")):
        reply = call(
            running, owner, "POST", f"/shared/{chat['id']}/access/update", json={"access_grants": [audience]}
        )
        refused(reply, 403, AUDIENCE_DENIED)
    sent = [grant("user", reader.id), grant("user", reader.id), grant("robot", "x"), grant("user", "")]
    updated = ok(
        call(running, owner, "POST", f"/shared/{chat['id']}/access/update", json={"access_grants": sent})
    )
    assert list(updated) == CHAT_KEYS and updated["id"] == chat["id"] and updated["share_id"] == token
    grants = ok(call(running, owner, "GET", f"/shared/{chat['id']}/access"))
    assert [list(g) for g in grants] == [GRANT_KEYS]
    assert grants[0]["principal_type"] == "user" and grants[0]["principal_id"] == reader.id
    assert grants[0]["permission"] == "read"

    seen = ok(call(running, reader, "GET", f"/share/{token}"))
    assert seen["id"] == token and seen["user_id"] == owner.id and seen["chat"]["share_mode"] is None
    # The grant is to the share: the live chat stays the owner's.
    refused(call(running, reader, "GET", f"/{chat['id']}"), 401, NOT_FOUND)

    clone = ok(call(running, reader, "POST", f"/{token}/clone/shared"))
    assert list(clone) == CHAT_KEYS
    assert clone["user_id"] == reader.id and clone["title"] == "Clone of Granted"
    assert clone["id"] not in (chat["id"], token) and clone["share_id"] is None
    assert clone["variables"] == {} and clone["folder_id"] is None and clone["pinned"] is False
    assert clone["chat"]["originalChatId"] == token and clone["chat"]["branchPointMessageId"] == "a1"
    history = clone["chat"]["history"]["messages"]
    assert {m["user_id"] for m in history.values()} == {reader.id}
    assert history["u1"]["user"] == {"id": reader.id, "name": "Reader"}
    assert ok(call(running, reader, "GET", f"/{clone['id']}"))["title"] == "Clone of Granted"

    sent = {
        "access_grants": [grant("user", reader.id), grant("user", reader.id, "write")],
        "share_mode": "continue",
    }
    ok(call(running, owner, "POST", f"/shared/{chat['id']}/access/update", json=sent))
    live = ok(call(running, reader, "GET", f"/share/{token}"))
    assert live["id"] == chat["id"] and live["chat"]["share_mode"] == "continue"
    assert live["variables"] == {}

    ok(call(running, owner, "POST", f"/{chat['id']}/share", json={"share_mode": None}))
    assert ok(call(running, reader, "GET", f"/share/{token}"))["id"] == token


def test_unsharing(running: Running, owner: Account, reader: Account) -> None:
    first = new_chat(running, owner, title="First")
    second = new_chat(running, owner, title="Second")
    token = ok(call(running, owner, "POST", f"/{first['id']}/share"))["share_id"]
    ok(call(running, owner, "POST", f"/{second['id']}/share"))
    grants = {"access_grants": [grant("user", reader.id)]}
    ok(call(running, owner, "POST", f"/shared/{first['id']}/access/update", json=grants))

    assert ok(call(running, owner, "DELETE", f"/{first['id']}/share")) is True
    refused(call(running, reader, "GET", f"/share/{token}"), 401, NOT_FOUND)
    refused(call(running, owner, "GET", f"/share/{token}"), 401, NOT_FOUND)
    assert ok(call(running, owner, "GET", f"/{first['id']}"))["share_id"] is None
    assert ok(call(running, owner, "GET", f"/shared/{first['id']}/access")) == []
    assert [s["chat_id"] for s in ok(call(running, owner, "GET", "/shared"))] == [second["id"]]

    assert ok(call(running, owner, "DELETE", "/share/all")) is True
    assert ok(call(running, owner, "GET", "/shared")) == []
    assert ok(call(running, owner, "GET", f"/{second['id']}"))["share_id"] is None

    # Deleting a chat drops its share.
    token = ok(call(running, owner, "POST", f"/{second['id']}/share"))["share_id"]
    assert ok(call(running, owner, "DELETE", f"/{second['id']}")) is True
    refused(call(running, owner, "GET", f"/share/{token}"), 401, NOT_FOUND)
    assert ok(call(running, owner, "GET", "/shared")) == []


def test_share_forms(running: Running, owner: Account) -> None:
    chat = new_chat(running, owner, title="Forms")
    reply = call(running, owner, "POST", f"/shared/{chat['id']}/access/update", json={})
    assert reply.status_code == 422, reply.text
    reply = call(running, owner, "POST", f"/{chat['id']}/share", json={"share_mode": 3})
    assert reply.status_code == 422, reply.text
    assert ok(call(running, owner, "POST", f"/{chat['id']}/share", json={}))["share_id"]
