"""The chat rules beyond ChatService's own, over an in-memory store: import and fork, params and
message events, read state, the admin views, the chat configuration and the statistics, with Open
WebUI's texts and statuses."""

import orjson
import pytest

from services.common import errors, messages, permissions
from services.common.identity import Identity
from services.inference.chats.admin import ChatAdmin
from services.inference.chats.chat_config import ChatConfigStore
from services.inference.chats.events import ChatEvents, apply_event
from services.inference.chats.read_state import ChatReadState, roll_up
from services.inference.chats.service import ChatService
from services.inference.chats.stats import ChatStats, export_item, usage_item
from services.inference.chats.transfer import FORK_BUSY, ChatTransfer
from tests.unit.fake_chat_store import FakeChatStore

# Open WebUI's built-in permission defaults, as AuthService gives every user.
DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ALICE = Identity("alice", role="user", name="Alice", permissions=DEFAULT_KEYS)
BOB = Identity("bob", role="user", name="Bob", permissions=DEFAULT_KEYS)
ADMIN = Identity("root", role="admin", name="Root")


def history(*turns: tuple[str, str, str], **extra: dict) -> dict:
    chat_messages, parent = {}, None
    for i, (key, role, content) in enumerate(turns):
        chat_messages[key] = {
            "id": key,
            "parentId": parent,
            "childrenIds": [],
            "role": role,
            "content": content,
            "timestamp": 100 + i,
            **extra.get(key, {}),
        }
        if parent is not None:
            chat_messages[parent]["childrenIds"] = [key]
        parent = key
    return {"messages": chat_messages, "currentId": parent}


TURNS = (("u1", "user", "hi"), ("a1", "assistant", "yo"), ("u2", "user", "more"), ("a2", "assistant", "sure"))


def form(**chat: object) -> bytes:
    return orjson.dumps({"chat": {"title": "T", "history": history(*TURNS), **chat}})


class Parts:
    def __init__(self, store: FakeChatStore, *, admin_access: bool = True, max_bytes: int = 1 << 20) -> None:
        ids = iter(f"chat-{i}" for i in range(100))
        new_id = lambda: next(ids)  # noqa: E731
        self.chats = ChatService(
            store, admin_access=admin_access, max_bytes=max_bytes, clock=lambda: 1000, new_id=new_id
        )
        self.transfer = ChatTransfer(
            store, self.chats, max_bytes=max_bytes, clock=lambda: 2000, new_id=new_id
        )
        self.events = ChatEvents(
            self.chats, admin_access=admin_access, max_bytes=max_bytes, clock=lambda: 3000
        )
        self.read_state = ChatReadState(store)


@pytest.fixture
def store() -> FakeChatStore:
    return FakeChatStore()


def refused(error: pytest.ExceptionInfo) -> tuple[str, int | None]:
    return error.value.detail, error.value.http_status


# -- import ------------------------------------------------------------------------------------


async def test_import_keeps_what_the_export_says_and_stamps_the_importer(store: FakeChatStore) -> None:
    parts = Parts(store)
    store.folders.add(("alice", "mine"))
    raw = orjson.dumps(
        {
            "chats": [
                {
                    "chat": {"title": "Old", "history": history(*TURNS)},
                    "meta": {"tags": ["work", "none"]},
                    "pinned": True,
                    "archived": True,
                    "folder_id": "mine",
                    "created_at": 5,
                    "updated_at": 6,
                    "variables": {"x": "1"},
                },
                {"chat": {}, "folder_id": "not-mine"},
            ]
        }
    )
    first, second = await parts.transfer.import_chats(ALICE, raw)
    assert (first.row.id, second.row.id) == ("chat-0", "chat-1")
    assert (first.row.title, first.row.created_at, first.row.updated_at) == ("Old", 5, 6)
    assert first.row.pinned and first.row.archived and first.row.folder_id == "mine"
    assert first.row.meta == {"tags": ["work", "none"]} and first.row.variables == {"x": "1"}
    assert first.current_message_id == "a2"
    assert all(m["user_id"] == "alice" for m in first.blob["history"]["messages"].values())
    assert first.blob["history"]["messages"]["u1"]["user"] == {"id": "alice", "name": "Alice"}
    # A folder the importer does not have is cleared, not refused; no history is kept as it was.
    assert second.row.folder_id is None and second.row.title == "New Chat"
    assert (second.row.created_at, second.row.updated_at) == (2000, 2000)
    assert list(store.tag_rows) == [("alice", "work")]


async def test_import_refuses_bad_or_large_chats_before_storing_any(store: FakeChatStore) -> None:
    parts = Parts(store, max_bytes=2048)
    big = {"chat": {"title": "x" * 4000}}
    with pytest.raises(errors.PayloadTooLarge):
        await parts.transfer.import_chats(ALICE, orjson.dumps({"chats": [{"chat": {}}, big]}))
    with pytest.raises(errors.InvalidArgument) as bad:
        await parts.transfer.import_chats(ALICE, orjson.dumps({"chats": [{"chat": {"history": []}}]}))
    assert bad.value.detail == "chat.history must be an object"
    with pytest.raises(errors.InvalidArgument):
        await parts.transfer.import_chats(ALICE, orjson.dumps({"chats": {}}))
    assert store.chats == {}


# -- fork --------------------------------------------------------------------------------------


async def test_fork_cuts_the_branch_at_a_message(store: FakeChatStore) -> None:
    parts = Parts(store)
    source = await parts.chats.create(ALICE, form(params={"t": 1}))
    fork = await parts.transfer.fork(ALICE, source.row.id, "a1")
    assert fork.row.id != source.row.id and fork.row.title == "T (fork)"
    assert fork.blob["title"] == "T (fork)" and fork.blob["originalChatId"] == source.row.id
    assert fork.blob["branchPointMessageId"] == "a1" and fork.blob["params"] == {"t": 1}
    forked = fork.blob["history"]["messages"]
    assert list(forked) == ["u1", "a1"] and forked["a1"]["childrenIds"] == []
    assert forked["u1"]["childrenIds"] == ["a1"] and fork.current_message_id == "a1"
    assert [m["id"] for m in fork.blob["messages"]] == ["u1", "a1"]
    assert fork.row.meta == {"forked_from": source.row.id, "forked_from_message_id": "a1"}
    # No message named: the current one.
    whole = await parts.transfer.fork(ALICE, source.row.id, None)
    assert list(whole.blob["history"]["messages"]) == ["u1", "a1", "u2", "a2"]


async def test_fork_refusals(store: FakeChatStore) -> None:
    parts = Parts(store)
    chat_id = (await parts.chats.create(ALICE, form())).row.id
    for who in (BOB, ADMIN):
        with pytest.raises(errors.PermissionDenied) as denied:
            await parts.transfer.fork(who, chat_id, None)
        assert refused(denied) == (messages.DEFAULT, 401)
    with pytest.raises(errors.NotFound) as missing:
        await parts.transfer.fork(ALICE, chat_id, "nope")
    assert missing.value.detail == "message not found"
    empty = (await parts.chats.create(ALICE, orjson.dumps({"chat": {}}))).row.id
    with pytest.raises(errors.InvalidArgument) as nothing:
        await parts.transfer.fork(ALICE, empty, None)
    assert refused(nothing) == ("chat has no messages to fork", None)
    busy = history(*TURNS, a2={"done": False})
    busy_id = (await parts.chats.create(ALICE, orjson.dumps({"chat": {"history": busy}}))).row.id
    with pytest.raises(errors.InvalidArgument) as conflict:
        await parts.transfer.fork(ALICE, busy_id, "a1")
    assert refused(conflict) == (FORK_BUSY, 409)


# -- params and events -------------------------------------------------------------------------


async def test_params_merge_without_touching_updated_at(store: FakeChatStore) -> None:
    parts = Parts(store)
    chat_id = (await parts.chats.create(ALICE, form(params={"a": 1, "b": 2}))).row.id
    assert await parts.events.update_params(ALICE, chat_id, {"b": 3, "c": None}) == {
        "a": 1,
        "b": 3,
        "c": None,
    }
    stored = store.chats[chat_id].row
    assert stored.blob["params"] == {"a": 1, "b": 3, "c": None} and stored.updated_at == 1000
    for who in (BOB, ADMIN):
        with pytest.raises(errors.PermissionDenied) as denied:
            await parts.events.update_params(who, chat_id, {})
        assert refused(denied) == (messages.ACCESS_PROHIBITED, 401)


def test_apply_event_stores_what_open_webui_stores() -> None:
    message = {"id": "a1", "content": "Hi", "files": [{"f": 1}], "embeds": ["e0"]}
    assert apply_event(message, "status", {"id": "s", "description": "1"})["statusHistory"] == [
        {"id": "s", "description": "1"}
    ]
    again = apply_event({**message, "statusHistory": [{"id": "s", "done": False}]}, "status", {"id": "s"})
    assert again["statusHistory"] == [{"id": "s"}]
    assert apply_event(message, "message", {"content": " there"})["content"] == "Hi there"
    assert apply_event(message, "replace", {"content": "New"})["content"] == "New"
    assert apply_event(message, "files", {"files": [{"f": 2}]})["files"] == [{"f": 2}, {"f": 1}]
    assert apply_event(message, "embeds", {"embeds": ["e1"]})["embeds"] == ["e1", "e0"]
    assert apply_event(message, "embeds", {"embeds": ["e1"], "replace": True})["embeds"] == ["e1"]
    assert apply_event(message, "citation", {"source": {"name": "x"}})["sources"] == [
        {"source": {"name": "x"}}
    ]
    assert apply_event(message, "source", {"type": "code_execution"}) is None
    assert apply_event(message, "chat:title", {}) is None
    assert apply_event(None, "status", {}) is None and apply_event(None, "message", {"content": "x"}) is None


async def test_events_change_the_stored_message(store: FakeChatStore) -> None:
    parts = Parts(store)
    chat_id = (await parts.chats.create(ALICE, form())).row.id
    assert await parts.events.send(ALICE, chat_id, "a2", "status", {"description": "Searching"}) is True
    assert store.chats[chat_id].row.updated_at == 1000
    assert await parts.events.send(ADMIN, chat_id, "a2", "message", {"content": "!"}) is True
    stored = store.chats[chat_id]
    assert stored.messages["a2"]["content"] == "sure!" and stored.row.updated_at == 3000
    assert stored.messages["a2"]["statusHistory"] == [{"description": "Searching"}]
    # An event that upserts adds the message when it is missing (as a root assistant reply).
    await parts.events.send(ALICE, chat_id, "new", "replace", {"content": "fresh"})
    added = store.chats[chat_id].messages["new"]
    assert (added["role"], added["parentId"], added["content"]) == ("assistant", None, "fresh")
    assert store.chats[chat_id].row.current_message_id == "new"
    await parts.events.send(ALICE, chat_id, "missing", "status", {"description": "x"})
    assert "missing" not in store.chats[chat_id].messages
    with pytest.raises(errors.PermissionDenied) as denied:
        await parts.events.send(BOB, chat_id, "a2", "status", {})
    assert refused(denied) == (messages.ACCESS_PROHIBITED, 401)
    with pytest.raises(errors.PermissionDenied):
        await Parts(store, admin_access=False).events.send(ADMIN, chat_id, "a2", "status", {})


# -- read state --------------------------------------------------------------------------------


def test_unread_counts_roll_up_to_every_folder_above() -> None:
    parents = {"top": None, "mid": "top", "leaf": "mid", "other": None, "loop": "loop"}
    assert roll_up(parents, {"leaf": 2, "mid": 1, "gone": 5, "loop": 1}) == {
        "top": 3,
        "mid": 3,
        "leaf": 2,
        "other": 0,
        "loop": 1,
    }


async def test_read_and_unread(store: FakeChatStore) -> None:
    parts = Parts(store)
    store.folders |= {("alice", "top"), ("alice", "sub")}
    store.folder_parent["sub"] = "top"
    in_sub = (await parts.chats.create(ALICE, orjson.dumps({"chat": {}, "folder_id": "sub"}))).row.id
    await parts.chats.create(ALICE, orjson.dumps({"chat": {}}))
    await parts.chats.create(BOB, orjson.dumps({"chat": {}}))
    assert await parts.read_state.folder_unread_counts("alice") == {"sub": 1, "top": 1}
    assert await parts.read_state.mark_all_read(ALICE) == (2, {"sub": 0, "top": 0})
    unread = await parts.read_state.mark_unread(ALICE, in_sub)
    assert (unread.chat_id, unread.last_read_at, unread.folder_id) == (in_sub, 0, "sub")
    assert unread.folder_unread_counts == {"sub": 1, "top": 1}
    for who, chat_id in ((BOB, in_sub), (ALICE, "missing")):
        with pytest.raises(errors.NotFound) as missing:
            await parts.read_state.mark_unread(who, chat_id)
        assert missing.value.detail == messages.NOT_FOUND


# -- admin views -------------------------------------------------------------------------------


async def test_admin_views_are_admin_only_and_follow_their_switches(store: FakeChatStore) -> None:
    parts = Parts(store)
    await parts.chats.create(ALICE, form(params={"t": 1}))
    archived = await parts.transfer.import_chats(
        ALICE, orjson.dumps({"chats": [{"chat": {}, "archived": True}]})
    )
    admin = ChatAdmin(store, store, admin_access=True, admin_export=True)
    listed = await admin.user_chats(ADMIN, "alice", page=1, query="", order_by="", direction="")
    assert {c.id for c in listed} == {"chat-0", archived[0].row.id}
    everything = [view async for view in admin.all_chats(ADMIN)]
    # The export is not trimmed as an admin's read of a chat is.
    assert {view.row.id: view.blob.get("params") for view in everything}["chat-0"] == {"t": 1}
    for switched, call in (
        (ChatAdmin(store, store, admin_access=False, admin_export=True), "list"),
        (ChatAdmin(store, store, admin_access=True, admin_export=False), "all"),
        (admin, "list-user"),
        (admin, "all-user"),
    ):
        who = BOB if call.endswith("user") else ADMIN
        with pytest.raises(errors.PermissionDenied) as denied:
            if call.startswith("list"):
                await switched.user_chats(who, "alice", page=1, query="", order_by="", direction="")
            else:
                [view async for view in switched.all_chats(who)]
        assert refused(denied) == (messages.ACCESS_PROHIBITED, 401)


# -- configuration -----------------------------------------------------------------------------


class Rows:
    def __init__(self) -> None:
        self.stored: dict | None = None

    async def load(self) -> dict | None:
        return self.stored

    async def save(self, config: dict) -> None:
        self.stored = config


async def test_chat_config_defaults_bounds_and_admins() -> None:
    rows = Rows()
    config = ChatConfigStore(rows, ttl_s=0)
    shown = await config.get(ADMIN)
    assert (
        shown["CONTEXT_COMPACTION_TOKEN_THRESHOLD"] == 80000
        and shown["CONTEXT_COMPACTION_TOKEN_CAP"] == 80000
    )
    assert (
        shown["CONTEXT_COMPACTION_RETENTION_PERCENTAGE"] == 40 and shown["TOOL_SEARCH_DEFER_THRESHOLD"] == 400
    )
    update = {
        "ENABLE_CONTEXT_COMPACTION": True,
        "CONTEXT_COMPACTION_TOKEN_THRESHOLD": 0,
        "CONTEXT_COMPACTION_RETENTION_PERCENTAGE": 99,
        "CONTEXT_COMPACTION_PROMPT_TEMPLATE": "t",
        "CONTEXT_COMPACTION_MODEL": None,
    }
    saved = await config.update(ADMIN, orjson.dumps(update))
    assert saved["CONTEXT_COMPACTION_TOKEN_THRESHOLD"] == 1 and saved["CONTEXT_COMPACTION_TOKEN_CAP"] == 1
    assert saved["CONTEXT_COMPACTION_RETENTION_PERCENTAGE"] == 50 and saved["CONTEXT_COMPACTION_MODEL"] == ""
    assert await ChatConfigStore(rows, ttl_s=0).get(ADMIN) == saved
    with pytest.raises(errors.InvalidArgument):
        await config.update(ADMIN, b"{}")
    for call in (config.get(ALICE), config.update(ALICE, orjson.dumps(update))):
        with pytest.raises(errors.PermissionDenied) as denied:
            await call
        assert refused(denied) == (messages.ACCESS_PROHIBITED, 401)


# -- statistics --------------------------------------------------------------------------------


async def test_statistics_of_a_chat(store: FakeChatStore) -> None:
    parts = Parts(store)
    turns = history(
        *TURNS,
        a1={"model": "m1", "annotation": {"rating": 1, "tags": ["good"]}},
        a2={"model": "m2", "content": [{"type": "text", "text": "abc"}, {"type": "image"}]},
    )
    chat_id = (await parts.chats.create(ALICE, orjson.dumps({"chat": {"history": turns}}))).row.id
    chat = store.chats[chat_id]
    usage = usage_item(chat)
    assert usage["message_count"] == 4 and usage["models"] == {"m2": 1, "m1": 1}
    assert usage["history_user_message_count"] == 2 and usage["average_response_time"] == 1.0
    assert usage["average_assistant_message_content_length"] == 2.0 and usage["last_message_at"] == 103
    exported = export_item(chat)
    assert exported["stats"]["average_assistant_message_content_length"] == 2.5
    assert exported["chat"]["history"]["currentId"] == "a2"
    assert exported["chat"]["history"]["messages"]["a1"] == {
        "id": "a1",
        "role": "assistant",
        "model": "m1",
        "content_length": 2,
        "token_count": None,
        "timestamp": 101,
        "rating": 1,
        "tags": ["good"],
    }
    empty_id = (await parts.chats.create(ALICE, orjson.dumps({"chat": {}}))).row.id
    assert usage_item(store.chats[empty_id]) is None


async def test_statistics_pages_and_gates(store: FakeChatStore) -> None:
    parts = Parts(store)
    first = (await parts.chats.create(ALICE, form())).row.id
    await parts.chats.create(ALICE, orjson.dumps({"chat": {}}))
    stats = ChatStats(store, store, community_sharing=False)
    items, total = await stats.usage(ALICE, 1, 50)
    assert [item["id"] for item in items] == [first] and total == 2
    with pytest.raises(errors.PermissionDenied) as denied:
        await stats.export(ALICE, None, 1)
    assert refused(denied) == (messages.ACCESS_PROHIBITED, 401)
    items, total = await stats.export(ADMIN, None, 1)
    assert (items, total) == ([], 0)
    open_stats = ChatStats(store, store, community_sharing=True)
    items, total = await open_stats.export(ALICE, None, 1)
    assert total == 2 and len(items) == 2
    assert (await open_stats.export(ALICE, 1000, 1))[1] == 0
    assert (await open_stats.export_one(ADMIN, first))["id"] == first
    with pytest.raises(errors.PermissionDenied) as foreign:
        await open_stats.export_one(BOB, first)
    assert refused(foreign) == (messages.ACCESS_PROHIBITED, 401)
    with pytest.raises(errors.NotFound):
        await open_stats.export_one(ALICE, "missing")
