"""The stored-chat rules over an in-memory store: who may read, change and delete, Open WebUI's
texts and statuses, what a reader who does not own a chat sees, and that a one-message change
writes one message row."""

import orjson
import pytest

from services.common import errors, messages, permissions
from services.common.identity import Identity
from services.inference.chats.service import ChatService
from services.inference.chats.tags import ChatTags
from tests.unit.fake_chat_store import FakeChatStore

# Open WebUI's built-in permission defaults, as AuthService gives every user.
DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ALICE = Identity("alice", role="user", name="Alice", permissions=DEFAULT_KEYS)
BOB = Identity("bob", role="user", name="Bob", permissions=DEFAULT_KEYS)
ADMIN = Identity("root", role="admin", name="Root")


def chat_form(**chat: object) -> bytes:
    history = {
        "messages": {
            "u1": {"id": "u1", "parentId": None, "childrenIds": ["a1"], "role": "user", "content": "hi"},
            "a1": {"id": "a1", "parentId": "u1", "childrenIds": [], "role": "assistant", "content": "yo"},
        },
        "currentId": "a1",
    }
    return orjson.dumps({"chat": {"title": "T", "params": {"temperature": 1}, "history": history, **chat}})


@pytest.fixture
def store() -> FakeChatStore:
    return FakeChatStore()


def service(store: FakeChatStore, admin_access: bool = True, max_bytes: int = 1 << 20) -> ChatService:
    ids = iter(f"chat-{i}" for i in range(100))
    return ChatService(
        store, admin_access=admin_access, max_bytes=max_bytes, clock=lambda: 1000, new_id=lambda: next(ids)
    )


async def test_readers_and_their_view(store: FakeChatStore) -> None:
    chats = service(store)
    created = await chats.create(ALICE, chat_form())
    owner = await chats.get(ALICE, created.row.id)
    assert owner.write_access and owner.blob["params"] == {"temperature": 1}
    seen = await chats.get(ADMIN, created.row.id)
    assert not seen.write_access and "params" not in seen.blob and seen.row.variables == {}
    for who, chat_id in ((BOB, created.row.id), (ALICE, "missing")):
        with pytest.raises(errors.PermissionDenied) as refused:
            await chats.get(who, chat_id)
        assert (refused.value.detail, refused.value.http_status) == (messages.NOT_FOUND, 401)
    with pytest.raises(errors.PermissionDenied):
        await service(store, admin_access=False).get(ADMIN, created.row.id)


async def test_owner_only_routes_answer_open_webuis_texts(store: FakeChatStore) -> None:
    chats = service(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    for call, text in (
        (lambda who: chats.pin(who, chat_id), messages.DEFAULT),
        (lambda who: chats.archive(who, chat_id), messages.DEFAULT),
        (lambda who: chats.is_pinned(who, chat_id), messages.DEFAULT),
        (lambda who: chats.clone(who, chat_id, None), messages.DEFAULT),
        (lambda who: chats.update(who, chat_id, chat_form()), messages.ACCESS_PROHIBITED),
    ):
        for who in (BOB, ADMIN):
            with pytest.raises(errors.PermissionDenied) as refused:
                await call(who)
            assert (refused.value.detail, refused.value.http_status) == (text, 401)


async def test_delete_is_404_for_others_and_allowed_to_admins(store: FakeChatStore) -> None:
    chats = service(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    with pytest.raises(errors.NotFound):
        await chats.delete(BOB, chat_id)
    with pytest.raises(errors.NotFound):
        await service(store, admin_access=False).delete(ADMIN, chat_id)
    assert await chats.delete(ADMIN, chat_id) is True
    assert store.chats == {}


async def test_one_message_change_writes_one_row(store: FakeChatStore) -> None:
    chats = service(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    await chats.upsert_message(ALICE, chat_id, "a1", "changed", None)
    assert store.writes[-1] == (["a1"], [])
    added = await chats.upsert_message(ADMIN, chat_id, "n1", "root", None)
    assert store.writes[-1] == (["n1"], [])
    assert added.current_message_id == "n1" and added.blob["history"]["messages"]["n1"]["parentId"] is None
    renamed = await chats.update(ALICE, chat_id, orjson.dumps({"chat": {"title": "New"}}))
    assert store.writes[-1] == ([], []) and renamed.row.title == "New"


async def test_message_changes_are_checked(store: FakeChatStore) -> None:
    chats = service(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    with pytest.raises(errors.InvalidArgument, match="No message changes supplied"):
        await chats.upsert_message(ALICE, chat_id, "a1", None, None)
    with pytest.raises(errors.InvalidArgument, match="Voice metadata is too large"):
        await chats.upsert_message(ALICE, chat_id, "a1", None, {"v": "x" * 100_000})
    with pytest.raises(errors.NotFound):
        await chats.upsert_message(ALICE, chat_id, "nope", None, {"v": 1})
    with pytest.raises(errors.PermissionDenied) as refused:
        await chats.delete_message(BOB, chat_id, "a1")
    assert refused.value.detail == messages.ACCESS_PROHIBITED


async def test_limits_and_bad_forms(store: FakeChatStore) -> None:
    chats = service(store, max_bytes=2048)
    with pytest.raises(errors.PayloadTooLarge):
        await chats.create(ALICE, chat_form(blob="x" * 3000))
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    with pytest.raises(errors.PayloadTooLarge):
        for i in range(5):
            await chats.upsert_message(ALICE, chat_id, f"n{i}", "y" * 500, None)
    with pytest.raises(errors.InvalidArgument, match="Invalid title"):
        await chats.update(ALICE, chat_id, orjson.dumps({"chat": {"title": ""}}))
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        await chats.create(ALICE, orjson.dumps({"chat": {"title": "a\x00b"}}))
    with pytest.raises(errors.NotFound):
        await chats.create(ALICE, orjson.dumps({"chat": {}, "folder_id": "f"}))


async def test_folders_take_only_the_callers_folders(store: FakeChatStore) -> None:
    chats = service(store)
    store.folders |= {(ALICE.user_id, "f"), (BOB.user_id, "g")}
    created = await chats.create(ALICE, orjson.dumps({"chat": {}, "folder_id": "f"}))
    assert created.row.folder_id == "f"
    with pytest.raises(errors.NotFound):
        await chats.create(ALICE, orjson.dumps({"chat": {}, "folder_id": "g"}))
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    await chats.pin(ALICE, chat_id)
    await chats.archive(ALICE, chat_id)
    moved = await chats.move_to_folder(ALICE, chat_id, "f")
    # Moving unpins; moving into a folder unarchives.
    assert (moved.row.folder_id, moved.row.pinned, moved.row.archived) == ("f", False, False)
    await chats.archive(ALICE, chat_id)
    assert (await chats.get(ALICE, chat_id)).row.folder_id is None
    out = await chats.move_to_folder(ALICE, chat_id, None)
    assert (out.row.folder_id, out.row.archived) == (None, True)
    with pytest.raises(errors.NotFound):
        await chats.move_to_folder(ALICE, chat_id, "g")
    for folder_id in (None, "g"):
        with pytest.raises(errors.PermissionDenied) as refused:
            await chats.move_to_folder(BOB, chat_id, folder_id)
        assert (refused.value.http_status, refused.value.detail) == (401, messages.DEFAULT)


async def test_tags_follow_open_webuis_rules(store: FakeChatStore) -> None:
    chats = service(store)
    tags = ChatTags(store, chats, admin_access=True)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    assert [t.id for t in await tags.add(ALICE, chat_id, "Work Stuff")] == ["work_stuff"]
    with pytest.raises(errors.InvalidArgument, match="cannot be 'None'"):
        await tags.add(ALICE, chat_id, "none")
    assert [t.id for t in await tags.of_chat(ADMIN, chat_id)] == ["work_stuff"]
    with pytest.raises(errors.PermissionDenied) as refused:
        await tags.remove(BOB, chat_id, "work_stuff")
    assert refused.value.detail == messages.NOT_FOUND
    assert await tags.remove(ALICE, chat_id, "Work Stuff") == []
    assert store.tag_rows == {}
