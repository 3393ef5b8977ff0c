"""``/api/v1/chats/*`` end to end: stored chats through the gateway and ChatsService, in Open WebUI's
shapes, status codes and texts (api-contract-2.md §1)."""

import json
import uuid

import pytest
import requests

from tests.e2e.conftest import Account, Running

NOT_FOUND = "We could not find what you're looking for :/"
ACCESS_PROHIBITED = (
    "You do not have permission to access this resource. Please contact your administrator for assistance."
)
DEFAULT = "Something went wrong :/"
CHAT_KEYS = [
    "id",
    "user_id",
    "title",
    "chat",
    "updated_at",
    "created_at",
    "share_id",
    "archived",
    "pinned",
    "meta",
    "variables",
    "folder_id",
    "tasks",
    "summary",
    "current_message_id",
    "context_usage",
]
SUMMARY_KEYS = ["id", "title", "updated_at", "created_at", "last_read_at", "snippet", "active", "archived"]


def call(running: Running, account: Account, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method, f"{running.url}/api/v1/chats{path}", headers=account.headers, timeout=30, **kwargs
    )


def ok(reply: requests.Response) -> object:
    assert reply.status_code == 200, reply.text
    return reply.json()


def history(*turns: tuple[str, str, str]) -> dict:
    """A linear history of (id, role, content)."""
    messages, parent = {}, None
    for i, (key, role, content) in enumerate(turns):
        messages[key] = {
            "id": key,
            "parentId": parent,
            "childrenIds": [],
            "role": role,
            "content": content,
            "timestamp": 1_796_220_000 + i,
        }
        if parent is not None:
            messages[parent]["childrenIds"] = [key]
        parent = key
    return {"currentId": parent, "messages": messages}


def new_chat(running: Running, account: Account, title: str = "First chat", **extra: object) -> dict:
    chat = {
        "title": title,
        "models": ["llama3.2:latest"],
        "history": history(("u1", "user", "Hello there"), ("a1", "assistant", "Hi!")),
        "messages": [{"id": "u1", "role": "user", "content": "Hello there"}],
        "tags": [],
        "timestamp": 1_796_220_000_000,
        **extra,
    }
    return ok(call(running, account, "POST", "/new", json={"chat": chat}))


@pytest.fixture
def fresh(running: Running) -> Account:
    """A user of its own, so that lists and counts see only this test's chats."""
    account = running.signup(f"chats-{uuid.uuid4().hex[:8]}@example.com", name="Chatter")
    running.promote(account, "user")
    return account


def test_create_and_read_a_chat(running: Running, fresh: Account) -> None:
    chat = new_chat(running, fresh)
    assert list(chat) == CHAT_KEYS
    assert chat["user_id"] == fresh.id and chat["title"] == "First chat"
    assert chat["meta"] == {} and chat["variables"] == {} and chat["archived"] is False
    assert chat["current_message_id"] == "a1"
    blob = chat["chat"]
    assert list(blob) == ["title", "models", "history", "messages", "tags", "timestamp"]
    user_message = blob["history"]["messages"]["u1"]
    assert user_message["user_id"] == fresh.id and user_message["user"] == {"id": fresh.id, "name": "Chatter"}
    assert blob["history"]["messages"]["a1"]["user_id"] == fresh.id
    assert blob["messages"][0]["user_id"] == fresh.id
    got = ok(call(running, fresh, "GET", f"/{chat['id']}"))
    assert got["chat"]["share_mode"] == "continue"
    assert {k: v for k, v in got["chat"].items() if k != "share_mode"} == blob


def test_create_refuses_bad_forms(running: Running, fresh: Account) -> None:
    assert call(running, fresh, "POST", "/new", json={}).status_code == 422
    reply = call(running, fresh, "POST", "/new", json={"chat": {"history": {"messages": {"x": []}}}})
    assert reply.status_code == 400 and reply.json() == {
        "detail": "chat.history.messages.x must be an object"
    }
    reply = call(running, fresh, "POST", "/new", json={"chat": {}, "folder_id": "nope"})
    assert reply.status_code == 404 and reply.json() == {"detail": NOT_FOUND}


def test_read_rules_foreign_unknown_and_admin(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh)
    for account, chat_id in ((other_user, chat["id"]), (fresh, "no-such-chat"), (fresh, "stats")):
        reply = call(running, account, "GET", f"/{chat_id}")
        assert reply.status_code == 401 and reply.json() == {"detail": NOT_FOUND}
    # Admins read any chat (ENABLE_ADMIN_CHAT_ACCESS), without write access.
    seen = ok(call(running, running.admin, "GET", f"/{chat['id']}"))
    assert seen["chat"]["share_mode"] is None and seen["variables"] == {}
    reply = call(running, running.admin, "POST", f"/{chat['id']}", json={"chat": {"title": "x"}})
    assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}


def test_update_merges(running: Running, fresh: Account) -> None:
    chat = new_chat(running, fresh)
    renamed = ok(call(running, fresh, "POST", f"/{chat['id']}", json={"chat": {"title": "Renamed"}}))
    assert renamed["title"] == "Renamed" and renamed["updated_at"] == chat["updated_at"]
    assert renamed["chat"]["models"] == ["llama3.2:latest"]
    turn = {
        "a1": {"id": "a1", "parentId": "u1", "role": "assistant", "content": "Hi! (edited)"},
        "u2": {"id": "u2", "parentId": "a1", "role": "user", "content": "More"},
    }
    body = {"chat": {"history": {"messages": turn, "currentId": "u2"}}, "variables": {"x": "1"}}
    updated = ok(call(running, fresh, "POST", f"/{chat['id']}", json=body))
    messages = updated["chat"]["history"]["messages"]
    assert list(messages) == ["u1", "a1", "u2"]
    assert messages["a1"]["content"] == "Hi! (edited)" and messages["a1"]["childrenIds"] == ["u2"]
    assert updated["current_message_id"] == "u2" and updated["variables"] == {"x": "1"}
    reply = call(running, fresh, "POST", f"/{chat['id']}", json={"chat": {"title": "  "}})
    assert reply.status_code == 400 and reply.json() == {"detail": "[ERROR: Invalid title]"}
    reply = call(running, fresh, "POST", "/no-such-chat", json={"chat": {"title": "x"}})
    assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}


def test_tree_is_repaired_on_read(running: Running, fresh: Account) -> None:
    messages = {
        "u1": {
            "id": "u1",
            "parentId": None,
            "childrenIds": [],
            "role": "user",
            "content": "a",
            "timestamp": 1,
        },
        "a1": {
            "id": "a1",
            "parentId": "u1",
            "childrenIds": [],
            "role": "assistant",
            "content": "b",
            "timestamp": 2,
        },
    }
    chat = ok(
        call(
            running,
            fresh,
            "POST",
            "/new",
            json={"chat": {"history": {"messages": messages, "currentId": "u1"}}},
        )
    )
    assert chat["title"] == "New Chat"
    assert chat["chat"]["history"]["messages"]["u1"]["childrenIds"] == ["a1"]
    assert chat["chat"]["history"]["currentId"] == "a1" and chat["current_message_id"] == "a1"


def test_lists_pin_archive(running: Running, fresh: Account, other_user: Account) -> None:
    first, second, third = (new_chat(running, fresh, f"chat {i}") for i in range(3))
    new_chat(running, other_user, "not mine")
    pinned = ok(call(running, fresh, "POST", f"/{first['id']}/pin"))
    assert pinned["pinned"] is True
    assert ok(call(running, fresh, "GET", f"/{first['id']}/pinned")) is True
    archived = ok(call(running, fresh, "POST", f"/{second['id']}/archive"))
    assert archived["archived"] is True and archived["pinned"] is False
    listed = ok(call(running, fresh, "GET", "/"))
    assert [c["id"] for c in listed] == [third["id"]]
    assert list(listed[0]) == SUMMARY_KEYS and listed[0]["active"] is False
    both = ok(call(running, fresh, "GET", "/list", params={"include_pinned": "true", "page": 1}))
    assert {c["id"] for c in both} == {first["id"], third["id"]}
    by_title = ok(call(running, fresh, "GET", "/list?include_pinned=true&sort_by=title&sort_dir=asc"))
    assert [c["title"] for c in by_title] == ["chat 0", "chat 2"]
    assert ok(call(running, fresh, "GET", "/list", params={"page": 2})) == []
    assert [c["id"] for c in ok(call(running, fresh, "GET", "/pinned"))] == [first["id"]]
    archived_list = ok(call(running, fresh, "GET", "/archived", params={"query": "chat"}))
    assert [(c["id"], c["archived"], c["last_read_at"]) for c in archived_list] == [
        (second["id"], False, None)
    ]
    assert ok(call(running, fresh, "GET", "/archived/count")) == 1
    all_archived = ok(call(running, fresh, "GET", "/all/archived"))
    assert [c["id"] for c in all_archived] == [second["id"]] and list(all_archived[0]) == CHAT_KEYS
    assert ok(call(running, fresh, "POST", "/archive/all")) is True
    assert ok(call(running, fresh, "GET", "/archived/count")) == 3
    assert ok(call(running, fresh, "POST", "/unarchive/all")) is True
    assert ok(call(running, fresh, "GET", "/archived/count")) == 0
    for path in (f"/{first['id']}/pinned", "/no-such-chat/pinned"):
        reply = call(running, other_user, "GET", path)
        assert reply.status_code == 401 and reply.json() == {"detail": DEFAULT}
    for path in (f"/{first['id']}/pin", f"/{first['id']}/archive"):
        reply = call(running, other_user, "POST", path)
        assert reply.status_code == 401 and reply.json() == {"detail": DEFAULT}


def test_all_is_ndjson_newest_first(running: Running, fresh: Account) -> None:
    older = new_chat(running, fresh, "older")
    newer = new_chat(running, fresh, "newer")
    ok(call(running, fresh, "POST", f"/{newer['id']}/pin"))
    ok(call(running, fresh, "POST", f"/{older['id']}/archive"))
    reply = call(running, fresh, "GET", "/all")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in reply.text.splitlines()]
    # Newest first (by `updated_at`, in seconds: both may share one), archived ones included.
    assert {c["id"] for c in lines} == {older["id"], newer["id"]}
    assert [c["updated_at"] for c in lines] == sorted((c["updated_at"] for c in lines), reverse=True)
    assert list(lines[0]) == CHAT_KEYS


def test_delete_one_and_all(running: Running, fresh: Account, other_user: Account) -> None:
    mine = new_chat(running, fresh)
    reply = call(running, other_user, "DELETE", f"/{mine['id']}")
    assert reply.status_code == 404 and reply.json() == {"detail": NOT_FOUND}
    assert ok(call(running, fresh, "DELETE", f"/{mine['id']}")) is True
    assert call(running, fresh, "GET", f"/{mine['id']}").status_code == 401
    assert call(running, fresh, "DELETE", f"/{mine['id']}").status_code == 404
    # An admin may delete any chat.
    theirs = new_chat(running, other_user)
    assert ok(call(running, running.admin, "DELETE", f"/{theirs['id']}")) is True
    new_chat(running, fresh)
    new_chat(running, fresh)
    assert ok(call(running, fresh, "DELETE", "/")) is True
    assert ok(call(running, fresh, "GET", "/")) == []


def test_tags(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh)
    tags = ok(call(running, fresh, "POST", f"/{chat['id']}/tags", json={"name": "My Tag"}))
    assert tags == [{"id": "my_tag", "name": "My Tag", "user_id": fresh.id, "meta": None}]
    assert ok(call(running, fresh, "POST", f"/{chat['id']}/tags", json={"name": "my tag"})) == tags
    assert ok(call(running, fresh, "GET", f"/{chat['id']}/tags")) == tags
    assert ok(call(running, fresh, "GET", f"/{chat['id']}"))["meta"] == {"tags": ["my_tag"]}
    assert ok(call(running, fresh, "GET", "/all/tags")) == tags
    tagged = ok(call(running, fresh, "POST", "/tags", json={"name": "My Tag"}))
    assert [c["id"] for c in tagged] == [chat["id"]]
    reply = call(running, fresh, "POST", f"/{chat['id']}/tags", json={"name": "None"})
    assert reply.status_code == 400 and reply.json() == {"detail": "[ERROR: Tag name cannot be 'None']"}
    reply = call(running, other_user, "POST", f"/{chat['id']}/tags", json={"name": "x"})
    assert reply.status_code == 401 and reply.json() == {"detail": DEFAULT}
    for method in ("GET", "DELETE"):
        reply = call(running, other_user, method, f"/{chat['id']}/tags", json={"name": "my_tag"})
        assert reply.status_code == 401 and reply.json() == {"detail": NOT_FOUND}
    assert ok(call(running, fresh, "DELETE", f"/{chat['id']}/tags", json={"name": "My Tag"})) == []
    assert ok(call(running, fresh, "GET", "/all/tags")) == []


def test_search(running: Running, fresh: Account, other_user: Account) -> None:
    cooking = new_chat(
        running,
        fresh,
        "Cooking",
        history=history(
            ("u1", "user", "how do I bake sourdough bread"), ("a1", "assistant", "Use a starter.")
        ),
    )
    other = new_chat(
        running,
        fresh,
        "Other",
        history=history(("u1", "user", "bread and butter"), ("a1", "assistant", "sourdough is nice")),
    )
    new_chat(running, other_user, "sourdough bread too")
    hits = ok(call(running, fresh, "GET", "/search", params={"text": "sourdough bread"}))
    assert [h["id"] for h in hits] == [cooking["id"], other["id"]]
    assert "sourdough bread" in hits[0]["snippet"] and list(hits[0]) == SUMMARY_KEYS
    assert [h["id"] for h in ok(call(running, fresh, "GET", "/search", params={"text": "cook"}))] == [
        cooking["id"]
    ]
    assert ok(call(running, fresh, "GET", "/search", params={"text": "sourdough", "page": 2})) == []
    ok(call(running, fresh, "POST", f"/{other['id']}/pin"))
    pinned = ok(call(running, fresh, "GET", "/search", params={"text": "bread pinned:true"}))
    assert [h["id"] for h in pinned] == [other["id"]]
    reply = call(running, fresh, "GET", "/search")
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["query", "text"]


def test_one_message_upsert_and_delete(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh)
    path = f"/{chat['id']}/messages"
    edited = ok(call(running, fresh, "POST", f"{path}/a1", json={"content": "Changed"}))
    assert edited["chat"]["history"]["messages"]["a1"]["content"] == "Changed"
    voiced = ok(call(running, fresh, "POST", f"{path}/a1", json={"voice": {"id": "alloy"}}))
    assert voiced["chat"]["history"]["messages"]["a1"]["meta"] == {"voice": {"id": "alloy"}}
    added = ok(call(running, fresh, "POST", f"{path}/n1", json={"content": "new root"}))
    root = added["chat"]["history"]["messages"]["n1"]
    assert (root["parentId"], root["role"], root["content"]) == (None, "assistant", "new root")
    assert added["current_message_id"] == "n1"
    for body, detail in (
        ({}, "No message changes supplied"),
        ({"voice": {"x": "y" * 100_001}}, "Voice metadata is too large"),
    ):
        reply = call(running, fresh, "POST", f"{path}/a1", json=body)
        assert reply.status_code == 400 and reply.json() == {"detail": detail}
    reply = call(running, fresh, "POST", f"{path}/unknown", json={"voice": {}})
    assert reply.status_code == 404 and reply.json() == {"detail": NOT_FOUND}
    for method in ("POST", "DELETE"):
        reply = call(running, other_user, method, f"{path}/a1", json={"content": "x"})
        assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}
    # An admin may change another user's messages.
    ok(call(running, running.admin, "POST", f"{path}/a1", json={"content": "by admin"}))
    deleted = ok(call(running, fresh, "DELETE", f"{path}/u1"))
    assert list(deleted["chat"]["history"]["messages"]) == ["n1"]


def test_clone(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh)
    ok(call(running, fresh, "POST", f"/{chat['id']}/pin"))
    clone = ok(call(running, fresh, "POST", f"/{chat['id']}/clone", json={}))
    assert clone["id"] != chat["id"] and clone["title"] == "Clone of First chat" and clone["pinned"] is True
    assert clone["chat"]["originalChatId"] == chat["id"] and clone["chat"]["branchPointMessageId"] == "a1"
    assert list(clone["chat"]["history"]["messages"]) == ["u1", "a1"]
    named = ok(call(running, fresh, "POST", f"/{chat['id']}/clone", json={"title": "Mine"}))
    assert named["title"] == "Mine"
    reply = call(running, other_user, "POST", f"/{chat['id']}/clone", json={})
    assert reply.status_code == 401 and reply.json() == {"detail": DEFAULT}


def test_chat_size_limit(running: Running, fresh: Account) -> None:
    big = {"chat": {"title": "big", "blob": "x" * (8 * 1024 * 1024)}}
    assert call(running, fresh, "POST", "/new", json=big).status_code == 413


def test_pending_users_are_refused(running: Running, pending: Account) -> None:
    for method, path in (
        ("GET", "/"),
        ("POST", "/new"),
        ("GET", "/all"),
        ("GET", "/some-id"),
        ("DELETE", "/"),
    ):
        reply = call(running, pending, method, path, json={"chat": {}})
        assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}
