"""Chat sharing on real PostgreSQL: one token however many first shares race, a stale writer not
undoing a share, grants in the owner's order, shares listed and dropped, and all of it going with
the chat."""

import asyncio

import asyncpg
import orjson
import pytest

from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.chats.share_repository import ChatShareRepository
from services.inference.chats.share_store import AccessGrant
from services.inference.chats.sharing import ChatSharing, ShareMode
from tests.integration.chat_support import ALICE, BOB, Clock


@pytest.fixture
def parts(
    inference_pool: asyncpg.Pool,
) -> tuple[ChatRepository, ChatShareRepository, ChatService, ChatSharing]:
    store, shares = ChatRepository(inference_pool), ChatShareRepository(inference_pool)
    clock = Clock()
    chats = ChatService(store, admin_access=True, max_bytes=64 * 1024, clock=clock)
    return store, shares, chats, ChatSharing(store, shares, chats, admin_access=True, clock=clock)


def form(title: str) -> bytes:
    history = {
        "messages": {
            "u1": {"id": "u1", "parentId": None, "childrenIds": ["a1"], "role": "user", "content": "hi"},
            "a1": {"id": "a1", "parentId": "u1", "childrenIds": [], "role": "assistant", "content": "yo"},
        },
        "currentId": "a1",
    }
    return orjson.dumps({"chat": {"title": title, "history": history}})


async def test_first_shares_racing_make_one_token(parts, inference_pool: asyncpg.Pool) -> None:
    store, _, chats, sharing = parts
    chat_id = (await chats.create(ALICE, form("Raced"))).row.id
    stale = await store.load(chat_id)
    views = await asyncio.gather(*(sharing.share(ALICE, chat_id, ShareMode.KEEP) for _ in range(8)))
    tokens = {view.row.share_id for view in views}
    assert len(tokens) == 1 and None not in tokens
    rows = await inference_pool.fetch("SELECT id, chat_id FROM inference_chat_share")
    assert [(r["id"], r["chat_id"]) for r in rows] == [(tokens.pop(), chat_id)]
    # A writer that read the chat before it was shared starts again instead of clearing share_id.
    assert not await store.save(stale.row, {}, [], 2000)
    renamed = await chats.update(ALICE, chat_id, orjson.dumps({"chat": {"title": "Renamed"}}))
    assert renamed.row.share_id == rows[0]["id"]


async def test_snapshot_keeps_the_whole_chat(parts) -> None:
    _, shares, chats, sharing = parts
    chat_id = (await chats.create(ALICE, form("Snap"))).row.id
    token = (await sharing.share(ALICE, chat_id, ShareMode.CONTINUE)).row.share_id
    snapshot = await shares.share(token)
    assert snapshot.chat_id == chat_id and snapshot.user_id == "alice" and snapshot.title == "Snap"
    assert list(snapshot.blob) == ["title", "history"]
    assert snapshot.blob["history"]["messages"]["a1"]["content"] == "yo"
    assert await shares.share_mode(chat_id) == "continue"
    assert await shares.share("no\x00such") is None


async def test_grants_shares_and_deletes(parts, inference_pool: asyncpg.Pool) -> None:
    store, shares, chats, sharing = parts
    ids = [(await chats.create(ALICE, form(title))).row.id for title in ("Alpha", "Beta 100%", "Gamma")]
    bob_chat = (await chats.create(BOB, form("Bob's"))).row.id
    for chat_id in (*ids, bob_chat):
        owner = BOB if chat_id == bob_chat else ALICE
        await sharing.share(owner, chat_id, ShareMode.KEEP)

    grants = [AccessGrant(f"g{i}", "user", user, "read") for i, user in enumerate(("zed", "amy", "bob"))]
    await shares.set_grants(ids[0], grants, 5000)
    assert await shares.grants(ids[0]) == grants
    await shares.set_grants(ids[0], grants[1:], 5001)
    assert await shares.grants(ids[0]) == grants[1:]

    listed = await shares.list_shares("alice", "", "title", True, 60, 0)
    assert [s.title for s in listed] == ["Alpha", "Beta 100%", "Gamma"]
    assert [s.title for s in await shares.list_shares("alice", "100%", "", False, 60, 0)] == ["Beta 100%"]
    assert [s.title for s in await shares.list_shares("alice", "", "nonsense; DROP", False, 2, 1)] == [
        "Beta 100%",
        "Alpha",
    ]

    await shares.unshare_all("alice")
    assert await shares.list_shares("alice", "", "", False, 60, 0) == []
    assert await shares.grants(ids[0]) == []
    assert [chat.row.share_id for chat in await store.load_many(ids)] == [None, None, None]
    assert (await store.load(bob_chat)).row.share_id is not None

    await sharing.share(ALICE, ids[1], ShareMode.KEEP)
    await shares.set_grants(ids[1], grants, 6000)
    await chats.delete(ALICE, ids[1])
    for table in ("inference_chat_share", "inference_chat_access_grant"):
        assert await inference_pool.fetchval(f"SELECT count(*) FROM {table} WHERE chat_id = $1", ids[1]) == 0
