"""The chat-sharing rules over an in-memory store: snapshots under one token, who may read and
clone a share (grants, owners, admins), the share mode, grant normalisation and the audience rule,
with Open WebUI's texts and statuses."""

import orjson
import pytest

from services.common import errors, messages, permissions
from services.common.access import AUDIENCE_DENIED, normalise_grants
from services.common.identity import Identity
from services.inference.chats.service import ChatService
from services.inference.chats.sharing import ChatSharing, ShareMode
from tests.unit.fake_chat_store import FakeChatStore
from tests.unit.test_chat_rules import chat_form

# Open WebUI's built-in permission defaults, as AuthService gives every user.
DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ALICE = Identity("alice", role="user", name="Alice", permissions=DEFAULT_KEYS)
BOB = Identity("bob", role="user", name="Bob", permissions=DEFAULT_KEYS)
CAROL = Identity("carol", role="user", name="Carol", permissions=DEFAULT_KEYS)
ADMIN = Identity("root", role="admin", name="Root")


class Clock:
    def __init__(self) -> None:
        self.now = 1000

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> FakeChatStore:
    return FakeChatStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def build(store: FakeChatStore, clock: Clock, admin_access: bool = True) -> tuple[ChatService, ChatSharing]:
    chat_ids = iter(f"chat-{i}" for i in range(100))
    tokens = iter(f"token-{i}" for i in range(100))
    chats = ChatService(
        store, admin_access=admin_access, max_bytes=1 << 20, clock=clock, new_id=lambda: next(chat_ids)
    )
    sharing = ChatSharing(
        store, store, chats, admin_access=admin_access, clock=clock, new_id=lambda: next(tokens)
    )
    return chats, sharing


def grants_json(*grants: tuple[str, str, str]) -> bytes:
    return orjson.dumps([{"principal_type": t, "principal_id": i, "permission": p} for t, i, p in grants])


def refused(error: pytest.ExceptionInfo) -> tuple[str, int | None]:
    return error.value.detail, error.value.http_status


async def test_sharing_snapshots_under_one_token(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    shared = await sharing.share(ALICE, chat_id, ShareMode.KEEP)
    token = shared.row.share_id
    assert token == "token-0" and shared.row.id == chat_id and shared.write_access
    snapshot = store.shares[token]
    assert snapshot.chat_id == chat_id and snapshot.user_id == "alice" and snapshot.title == "T"
    assert set(snapshot.blob["history"]["messages"]) == {"u1", "a1"}
    assert snapshot.blob["params"] == {"temperature": 1}

    await chats.update(ALICE, chat_id, orjson.dumps({"chat": {"title": "Renamed"}}))
    clock.now = 2000
    again = await sharing.share(ALICE, chat_id, ShareMode.KEEP)
    assert again.row.share_id == token and list(store.shares) == [token]
    assert store.shares[token].title == "Renamed"
    assert (store.shares[token].created_at, store.shares[token].updated_at) == (1000, 2000)

    for who, target in ((BOB, chat_id), (ADMIN, chat_id), (ALICE, "missing")):
        with pytest.raises(errors.PermissionDenied) as error:
            await sharing.share(who, target, ShareMode.KEEP)
        assert refused(error) == (messages.ACCESS_PROHIBITED, 401)


async def test_a_share_is_private_until_grants_are_added(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    token = (await sharing.share(ALICE, chat_id, ShareMode.KEEP)).row.share_id

    seen = await sharing.get(ALICE, token)
    assert (seen.row.id, seen.row.share_id, seen.row.user_id) == (token, token, "alice")
    assert seen.row.meta == {} and seen.row.variables == {} and not seen.row.pinned
    assert seen.current_message_id is None and not seen.write_access
    assert seen.blob["history"]["currentId"] == "a1"

    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.get(BOB, token)
    assert refused(error) == (messages.ACCESS_PROHIBITED, 401)
    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.get(BOB, "no-such-token")
    assert refused(error) == (messages.NOT_FOUND, 401)

    # A write grant alone does not let anyone read; a group grant matches nobody (no groups yet).
    await sharing.update_grants(
        ALICE, chat_id, grants_json(("user", "bob", "write"), ("group", "g1", "read")), ShareMode.KEEP
    )
    with pytest.raises(errors.PermissionDenied):
        await sharing.get(BOB, token)
    await sharing.update_grants(ALICE, chat_id, grants_json(("user", "bob", "read")), ShareMode.KEEP)
    assert (await sharing.get(BOB, token)).row.id == token
    with pytest.raises(errors.PermissionDenied):
        await sharing.get(CAROL, token)
    await sharing.update_grants(ADMIN, chat_id, grants_json(("user", "*", "read")), ShareMode.KEEP)
    assert (await sharing.get(CAROL, token)).row.id == token


async def test_admins_read_shares_and_chats_with_admin_chat_access(
    store: FakeChatStore, clock: Clock
) -> None:
    chats, sharing = build(store, clock)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    token = (await sharing.share(ALICE, chat_id, ShareMode.KEEP)).row.share_id
    assert (await sharing.get(ADMIN, token)).row.id == token
    live = await sharing.get(ADMIN, chat_id)
    assert live.row.id == chat_id and "params" not in live.blob

    _, closed = build(store, clock, admin_access=False)
    with pytest.raises(errors.PermissionDenied) as error:
        await closed.get(ADMIN, token)
    assert refused(error) == (messages.ACCESS_PROHIBITED, 401)
    with pytest.raises(errors.PermissionDenied) as error:
        await closed.get(ADMIN, chat_id)
    assert refused(error) == (messages.NOT_FOUND, 401)


async def test_continue_mode_gives_writers_the_live_chat(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    token = (await sharing.share(ALICE, chat_id, ShareMode.CONTINUE)).row.share_id
    assert store.share_modes[chat_id] == "continue"
    await sharing.update_grants(
        ALICE,
        chat_id,
        grants_json(("user", "bob", "read"), ("user", "bob", "write"), ("user", "carol", "read")),
        ShareMode.KEEP,
    )
    live = await sharing.get(BOB, token)
    assert live.row.id == chat_id and live.write_access and live.current_message_id == "a1"
    assert (await sharing.get(CAROL, token)).row.id == token
    assert (await sharing.get(ALICE, token)).row.id == chat_id

    await sharing.update_grants(ALICE, chat_id, grants_json(("user", "bob", "read")), ShareMode.NONE)
    assert store.share_modes[chat_id] is None
    assert (await sharing.get(BOB, token)).row.id == token


async def test_grants_are_normalised_and_the_audience_is_checked(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    sent = [
        {"principal_type": "user", "principal_id": "bob", "permission": "read"},
        {"principal_type": "user", "principal_id": "bob", "permission": "read"},
        {"principal_type": "user", "principal_id": "", "permission": "read"},
        {"principal_type": "robot", "principal_id": "x", "permission": "read"},
        {"principal_type": "user", "principal_id": "bob", "permission": "admin"},
        {"principal_type": "anyone", "principal_id": "*", "permission": "write"},
        {"principal_type": "group", "principal_id": "g1", "permission": "write"},
        {"principal_type": "user", "principal_id": "x" * 256, "permission": "read"},
        {"principal_type": "user", "principal_id": "b\x00b", "permission": "read"},
        "not an object",
    ]
    assert normalise_grants(sent) == [("user", "bob", "read"), ("group", "g1", "write")]
    view = await sharing.update_grants(ALICE, chat_id, orjson.dumps(sent), ShareMode.KEEP)
    assert view.row.id == chat_id and view.write_access
    first = await sharing.grants(ALICE, chat_id)
    assert [(g.principal_type, g.principal_id, g.permission) for g in first] == [
        ("user", "bob", "read"),
        ("group", "g1", "write"),
    ]
    # A grant kept from before keeps its id.
    await sharing.update_grants(
        ALICE, chat_id, grants_json(("user", "carol", "read"), ("user", "bob", "read")), ShareMode.KEEP
    )
    second = await sharing.grants(ALICE, chat_id)
    assert second[1].id == first[0].id and second[0].id not in {g.id for g in first}

    for audience in (("user", "*", "read"), ("anyone", "*", "read")):
        with pytest.raises(errors.PermissionDenied) as error:
            await sharing.update_grants(ALICE, chat_id, grants_json(audience), ShareMode.KEEP)
        assert refused(error) == (AUDIENCE_DENIED, None)
        assert len(await sharing.grants(ALICE, chat_id)) == 2
    await sharing.update_grants(ADMIN, chat_id, grants_json(("anyone", "*", "read")), ShareMode.KEEP)
    assert [g.principal_type for g in await sharing.grants(ADMIN, chat_id)] == ["anyone"]

    for who, target in ((BOB, chat_id), (ALICE, "missing")):
        with pytest.raises(errors.NotFound) as error:
            await sharing.grants(who, target)
        assert error.value.detail == messages.NOT_FOUND
        with pytest.raises(errors.NotFound):
            await sharing.update_grants(who, target, b"[]", ShareMode.KEEP)
    _, closed = build(store, clock, admin_access=False)
    with pytest.raises(errors.NotFound):
        await closed.grants(ADMIN, chat_id)


async def test_unsharing_drops_the_snapshot_and_grants(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    first = (await chats.create(ALICE, chat_form())).row.id
    second = (await chats.create(ALICE, chat_form(title="Second"))).row.id
    token = (await sharing.share(ALICE, first, ShareMode.CONTINUE)).row.share_id
    await sharing.share(ALICE, second, ShareMode.KEEP)
    await sharing.update_grants(ALICE, first, grants_json(("user", "bob", "read")), ShareMode.KEEP)

    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.unshare(BOB, first)
    assert refused(error) == (messages.ACCESS_PROHIBITED, 401)
    assert await sharing.unshare(ALICE, first) is True
    assert token not in store.shares and store.chats[first].row.share_id is None
    assert await sharing.grants(ALICE, first) == [] and store.share_modes.get(first) is None
    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.get(BOB, token)
    assert refused(error) == (messages.NOT_FOUND, 401)
    # Sharing again makes a new token.
    assert (await sharing.share(ALICE, first, ShareMode.KEEP)).row.share_id not in (None, token)

    assert await sharing.unshare_all(ALICE) is True
    assert store.shares == {} and all(c.row.share_id is None for c in store.chats.values())

    # Deleting a chat drops its share and grants.
    token = (await sharing.share(ALICE, second, ShareMode.KEEP)).row.share_id
    await sharing.update_grants(ALICE, second, grants_json(("user", "bob", "read")), ShareMode.KEEP)
    await chats.delete(ALICE, second)
    assert token not in store.shares and second not in store.grant_rows


async def test_listing_shares(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    for i, title in enumerate(("Alpha", "Beta", "Gamma")):
        clock.now = 1000 + i
        chat_id = (await chats.create(ALICE, chat_form(title=title))).row.id
        await sharing.share(ALICE, chat_id, ShareMode.KEEP)
    await sharing.share(BOB, (await chats.create(BOB, chat_form(title="Bob's"))).row.id, ShareMode.KEEP)
    listed = await sharing.list_shares(ALICE, page=1, query="", order_by="", ascending=False)
    assert [s.title for s in listed] == ["Gamma", "Beta", "Alpha"]
    assert listed[0].id == store.chats[listed[0].chat_id].row.share_id
    listed = await sharing.list_shares(ALICE, page=1, query="a", order_by="title", ascending=True)
    assert [s.title for s in listed] == ["Alpha", "Beta", "Gamma"]
    assert await sharing.list_shares(ALICE, page=2, query="", order_by="", ascending=False) == []


async def test_cloning_a_share(store: FakeChatStore, clock: Clock) -> None:
    chats, sharing = build(store, clock)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    await chats.update(ALICE, chat_id, orjson.dumps({"chat": {}, "variables": {"x": 1}}))
    token = (await sharing.share(ALICE, chat_id, ShareMode.KEEP)).row.share_id

    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.clone(BOB, token)
    assert refused(error) == (messages.ACCESS_PROHIBITED, 401)
    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.clone(BOB, "no-such-token")
    assert refused(error) == (messages.NOT_FOUND, 401)
    # Only admins may pass a chat id.
    with pytest.raises(errors.PermissionDenied) as error:
        await sharing.clone(BOB, chat_id)
    assert refused(error) == (messages.NOT_FOUND, 401)

    await sharing.update_grants(ALICE, chat_id, grants_json(("user", "bob", "read")), ShareMode.KEEP)
    clone = await sharing.clone(BOB, token)
    row = clone.row
    assert row.user_id == "bob" and row.title == "Clone of T" and row.id not in (chat_id, token)
    assert row.variables == {} and row.folder_id is None and row.meta == {} and row.share_id is None
    assert clone.write_access and clone.current_message_id == "a1"
    assert clone.blob["originalChatId"] == token and clone.blob["branchPointMessageId"] == "a1"
    assert clone.blob["title"] == "Clone of T"
    messages_ = clone.blob["history"]["messages"]
    assert {m["user_id"] for m in messages_.values()} == {"bob"}
    assert messages_["u1"]["user"] == {"id": "bob", "name": "Bob"}
    assert store.chats[row.id].row.user_id == "bob"

    admin_clone = await sharing.clone(ADMIN, chat_id)
    assert admin_clone.row.user_id == "root" and admin_clone.blob["originalChatId"] == chat_id
    assert admin_clone.blob["params"] == {"temperature": 1}
    _, closed = build(store, clock, admin_access=False)
    assert (await closed.clone(ADMIN, token)).row.user_id == "root"
    with pytest.raises(errors.PermissionDenied):
        await closed.clone(ADMIN, chat_id)
