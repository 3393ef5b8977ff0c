"""``/api/v1/chats`` import, fork, params, admin lists, read state, message events, config and
statistics end to end, in Open WebUI's shapes, status codes and texts (api-contract-2.md §1.3)."""

import json
import uuid

import pytest
import requests

from tests.e2e.conftest import Account, Running
from tests.e2e.test_chats_api import (
    ACCESS_PROHIBITED,
    CHAT_KEYS,
    DEFAULT,
    NOT_FOUND,
    SUMMARY_KEYS,
    call,
    history,
    new_chat,
    ok,
)

TURNS = (
    ("u1", "user", "Hello"),
    ("a1", "assistant", "Hi!"),
    ("u2", "user", "More"),
    ("a2", "assistant", "Sure"),
)


@pytest.fixture
def fresh(running: Running) -> Account:
    account = running.signup(f"chats-more-{uuid.uuid4().hex[:8]}@example.com", name="Mover")
    running.promote(account, "user")
    return account


def folder(running: Running, account: Account, name: str) -> str:
    reply = requests.post(
        f"{running.url}/api/v1/folders/", json={"name": name}, headers=account.headers, timeout=30
    )
    return ok(reply)["id"]


def test_import_chats(running: Running, fresh: Account, other_user: Account) -> None:
    mine = folder(running, fresh, f"Imports {uuid.uuid4().hex[:6]}")
    theirs = folder(running, other_user, f"Theirs {uuid.uuid4().hex[:6]}")
    form = {
        "chats": [
            {
                "chat": {"title": "Exported", "history": history(*TURNS)},
                "meta": {"tags": ["imported_tag"]},
                "pinned": True,
                "folder_id": mine,
                "created_at": 1_700_000_000,
                "updated_at": 1_700_000_100,
            },
            {"chat": {"title": "Elsewhere"}, "folder_id": theirs, "archived": True},
        ]
    }
    first, second = ok(call(running, fresh, "POST", "/import", json=form))
    assert list(first) == CHAT_KEYS and first["user_id"] == fresh.id
    assert (first["title"], first["pinned"], first["folder_id"]) == ("Exported", True, mine)
    assert (first["created_at"], first["updated_at"]) == (1_700_000_000, 1_700_000_100)
    assert first["meta"] == {"tags": ["imported_tag"]} and first["current_message_id"] == "a2"
    assert first["chat"]["history"]["messages"]["u1"]["user"] == {"id": fresh.id, "name": "Mover"}
    assert second["folder_id"] is None and second["archived"] is True
    tags = ok(call(running, fresh, "GET", "/all/tags"))
    assert [t["id"] for t in tags] == ["imported_tag"]
    assert call(running, fresh, "POST", "/import", json={}).status_code == 422
    reply = call(running, fresh, "POST", "/import", json={"chats": [{"chat": {"history": []}}]})
    assert reply.status_code == 400 and reply.json() == {"detail": "chat.history must be an object"}


def test_fork_a_chat(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh, "Forked", history=history(*TURNS))
    fork = ok(call(running, fresh, "POST", f"/{chat['id']}/fork", json={"message_id": "a1"}))
    assert list(fork) == CHAT_KEYS and fork["id"] != chat["id"]
    assert fork["title"] == "Forked (fork)" and fork["current_message_id"] == "a1"
    assert fork["meta"] == {"forked_from": chat["id"], "forked_from_message_id": "a1"}
    assert list(fork["chat"]["history"]["messages"]) == ["u1", "a1"]
    assert fork["chat"]["originalChatId"] == chat["id"] and fork["chat"]["branchPointMessageId"] == "a1"
    # No body: the current message.
    whole = ok(call(running, fresh, "POST", f"/{chat['id']}/fork"))
    assert list(whole["chat"]["history"]["messages"]) == ["u1", "a1", "u2", "a2"]
    reply = call(running, fresh, "POST", f"/{chat['id']}/fork", json={"message_id": "nope"})
    assert reply.status_code == 404 and reply.json() == {"detail": "message not found"}
    empty = ok(call(running, fresh, "POST", "/new", json={"chat": {}}))
    reply = call(running, fresh, "POST", f"/{empty['id']}/fork", json={})
    assert reply.status_code == 400 and reply.json() == {"detail": "chat has no messages to fork"}
    busy = history(*TURNS)
    busy["messages"]["a2"]["done"] = False
    generating = new_chat(running, fresh, "Busy", history=busy)
    reply = call(running, fresh, "POST", f"/{generating['id']}/fork", json={})
    assert reply.status_code == 409
    assert reply.json() == {"detail": "Wait for the current response to finish before forking."}
    reply = call(running, other_user, "POST", f"/{chat['id']}/fork", json={})
    assert reply.status_code == 401 and reply.json() == {"detail": DEFAULT}


def test_patch_params(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh, params={"temperature": 0.5, "seed": 1})
    merged = ok(call(running, fresh, "PATCH", f"/{chat['id']}/params", json={"seed": 2, "top_k": 3}))
    assert merged == {"temperature": 0.5, "seed": 2, "top_k": 3}
    got = ok(call(running, fresh, "GET", f"/{chat['id']}"))
    assert got["chat"]["params"] == merged and got["updated_at"] == chat["updated_at"]
    reply = call(running, other_user, "PATCH", f"/{chat['id']}/params", json={})
    assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}
    assert call(running, fresh, "PATCH", f"/{chat['id']}/params", json=[1]).status_code == 422


def test_admin_lists(running: Running, fresh: Account, other_user: Account) -> None:
    kept = new_chat(running, fresh, "Admin sees this")
    archived = new_chat(running, fresh, "Archived one")
    ok(call(running, fresh, "POST", f"/{archived['id']}/archive"))
    listed = ok(call(running, running.admin, "GET", f"/list/user/{fresh.id}"))
    assert {c["id"] for c in listed} == {kept["id"], archived["id"]}
    assert all(list(c) == SUMMARY_KEYS for c in listed)
    found = ok(call(running, running.admin, "GET", f"/list/user/{fresh.id}", params={"query": "admin sees"}))
    assert [c["id"] for c in found] == [kept["id"]]
    by_title = ok(
        call(
            running,
            running.admin,
            "GET",
            f"/list/user/{fresh.id}",
            params={"order_by": "title", "direction": "asc"},
        )
    )
    assert [c["title"] for c in by_title] == ["Admin sees this", "Archived one"]
    for path in (f"/list/user/{fresh.id}", "/all/db"):
        reply = call(running, other_user, "GET", path)
        assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}
    everything = ok(call(running, running.admin, "GET", "/all/db"))
    ids = {c["id"] for c in everything}
    assert {kept["id"], archived["id"]} <= ids and all(list(c) == CHAT_KEYS for c in everything)


def test_read_and_unread(running: Running, fresh: Account) -> None:
    top = folder(running, fresh, f"Top {uuid.uuid4().hex[:6]}")
    chat = ok(call(running, fresh, "POST", "/new", json={"chat": {"title": "In top"}, "folder_id": top}))
    done = ok(call(running, fresh, "POST", "/read"))
    assert done["updated_count"] >= 1 and done["folder_unread_counts"] == {top: 0}
    unread = ok(call(running, fresh, "POST", f"/{chat['id']}/unread"))
    assert unread == {
        "chat_id": chat["id"],
        "last_read_at": 0,
        "folder_id": top,
        "folder_unread_counts": {top: 1},
    }
    listed = ok(call(running, fresh, "GET", f"/folder/{top}/list"))
    assert listed[0]["last_read_at"] == 0
    reply = call(running, fresh, "POST", "/no-such-chat/unread")
    assert reply.status_code == 404 and reply.json() == {"detail": NOT_FOUND}


def test_message_events_are_stored(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh, history=history(*TURNS))
    path = f"/{chat['id']}/messages/a2/event"
    for event in (
        {"type": "status", "data": {"description": "Searching", "done": False}},
        {"type": "message", "data": {"content": " then"}},
        {"type": "files", "data": {"files": [{"type": "image", "url": "x"}]}},
        {"type": "citation", "data": {"source": {"name": "doc"}, "document": ["d"]}},
    ):
        assert ok(call(running, fresh, "POST", path, json=event)) is True
    message = ok(call(running, fresh, "GET", f"/{chat['id']}"))["chat"]["history"]["messages"]["a2"]
    assert message["content"] == "Sure then"
    assert message["statusHistory"] == [{"description": "Searching", "done": False}]
    assert message["files"] == [{"type": "image", "url": "x"}]
    assert message["sources"] == [{"source": {"name": "doc"}, "document": ["d"]}]
    ok(call(running, fresh, "POST", path, json={"type": "replace", "data": {"content": "Replaced"}}))
    message = ok(call(running, fresh, "GET", f"/{chat['id']}"))["chat"]["history"]["messages"]["a2"]
    assert message["content"] == "Replaced"
    # Admins may send events to any chat (admin chat access); other users may not.
    assert ok(call(running, running.admin, "POST", path, json={"type": "status", "data": {}})) is True
    reply = call(running, other_user, "POST", path, json={"type": "status", "data": {}})
    assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}
    assert call(running, fresh, "POST", path, json={"type": "status"}).status_code == 422


def test_chat_config(running: Running, user: Account) -> None:
    config = ok(call(running, running.admin, "GET", "/config"))
    assert list(config) == [
        "CONTEXT_COMPACTION_MODEL",
        "ENABLE_CONTEXT_COMPACTION",
        "CONTEXT_COMPACTION_TOKEN_THRESHOLD",
        "CONTEXT_COMPACTION_TOKEN_CAP",
        "CONTEXT_COMPACTION_RETENTION_PERCENTAGE",
        "CONTEXT_COMPACTION_PROMPT_TEMPLATE",
        "ENABLE_TOOL_PERMISSIONS",
        "ENABLE_TOOL_SEARCH",
        "TOOL_SEARCH_DEFER_THRESHOLD",
        "TOOL_SEARCH_ALWAYS_LOADED",
        "TOOL_SEARCH_DEFER_BUILTIN_TOOLS",
    ]
    update = {
        **config,
        "ENABLE_CONTEXT_COMPACTION": True,
        "CONTEXT_COMPACTION_RETENTION_PERCENTAGE": 5,
        "TOOL_SEARCH_ALWAYS_LOADED": ["web_search"],
    }
    saved = ok(call(running, running.admin, "POST", "/config", json=update))
    assert (
        saved["ENABLE_CONTEXT_COMPACTION"] is True and saved["CONTEXT_COMPACTION_RETENTION_PERCENTAGE"] == 10
    )
    assert ok(call(running, running.admin, "GET", "/config")) == saved
    ok(call(running, running.admin, "POST", "/config", json=config))
    assert call(running, running.admin, "POST", "/config", json={}).status_code == 422
    for method in ("GET", "POST"):
        reply = call(running, user, method, "/config", json=config)
        assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}


def test_statistics(running: Running, fresh: Account, other_user: Account) -> None:
    chat = new_chat(running, fresh, history=history(*TURNS))
    ok(call(running, fresh, "POST", "/new", json={"chat": {}}))
    usage = ok(call(running, fresh, "GET", "/stats/usage"))
    assert usage["total"] == 2 and [item["id"] for item in usage["items"]] == [chat["id"]]
    item = usage["items"][0]
    assert item["message_count"] == 4 and item["history_user_message_count"] == 2
    exported = ok(call(running, fresh, "GET", "/stats/export"))
    assert (exported["type"], exported["total"], exported["page"]) == ("chats", 2, 1)
    assert exported["items"][0]["user_id"] == fresh.id
    later = ok(call(running, fresh, "GET", "/stats/export", params={"updated_at": 4_000_000_000}))
    assert later["items"] == [] and later["total"] == 0
    streamed = call(running, fresh, "GET", "/stats/export", params={"stream": "true"})
    assert streamed.status_code == 200 and streamed.headers["Content-Type"].startswith("application/x-ndjson")
    assert (
        streamed.headers["Content-Disposition"] == f"attachment; filename=chat-stats-export-{fresh.id}.jsonl"
    )
    assert len([json.loads(line) for line in streamed.text.splitlines()]) == 2
    one = ok(call(running, fresh, "GET", f"/stats/export/{chat['id']}"))
    assert one["id"] == chat["id"] and one["chat"]["history"]["currentId"] == "a2"
    reply = call(running, other_user, "GET", f"/stats/export/{chat['id']}")
    assert reply.status_code == 401 and reply.json() == {"detail": ACCESS_PROHIBITED}
    reply = call(running, fresh, "GET", "/stats/export/no-such-chat")
    assert reply.status_code == 404 and reply.json() == {"detail": NOT_FOUND}
