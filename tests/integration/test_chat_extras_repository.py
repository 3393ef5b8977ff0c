"""Read state, the admin lists and the statistics pages of stored chats on real PostgreSQL: what
counts unread (not a chat whose reply is still being written), the row count of ``/read``, and the
admin list's filters and order."""

import asyncpg
import orjson

from services.inference.chats.extras_repository import ChatExtrasRepository
from services.inference.chats.read_state import ChatReadState
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.folders.repository import FolderRepository
from services.inference.folders.service import FolderService
from tests.integration.chat_support import ALICE, BOB, Clock


def form(title: str, *, done: bool = True, **extra: object) -> bytes:
    reply = {"id": "a", "parentId": "u", "childrenIds": [], "role": "assistant", "content": "x", "done": done}
    asked = {"id": "u", "parentId": None, "childrenIds": ["a"], "role": "user", "content": "q"}
    chat = {"title": title, "history": {"messages": {"u": asked, "a": reply}, "currentId": "a"}}
    return orjson.dumps({"chat": chat, **extra})


async def test_read_state_and_lists(inference_pool: asyncpg.Pool) -> None:
    clock = Clock()
    chats = ChatService(ChatRepository(inference_pool), admin_access=True, max_bytes=64 * 1024, clock=clock)
    folders = FolderService(FolderRepository(inference_pool), clock=clock)
    extras = ChatExtrasRepository(inference_pool)
    read_state = ChatReadState(extras)
    top = await folders.create(ALICE, "Top", None, None, None)
    sub = await folders.create(ALICE, "Sub", None, None, top.id)
    read = await chats.create(ALICE, form("Beta", folder_id=sub.id))
    await chats.create(ALICE, form("alpha", done=False, folder_id=sub.id))
    archived = await chats.create(ALICE, form("Gamma", folder_id=top.id))
    await chats.archive(ALICE, archived.row.id)
    await chats.create(BOB, form("Bob's"))

    # The generating chat is not unread; the archived one left its folder.
    assert await read_state.folder_unread_counts("alice") == {top.id: 1, sub.id: 1}
    assert await extras.mark_all_read("alice") == 2
    assert await read_state.folder_unread_counts("alice") == {top.id: 0, sub.id: 0}
    assert await extras.mark_unread(read.row.id, "alice") == (True, sub.id)
    assert await extras.mark_unread(read.row.id, "bob") == (False, None)
    assert await read_state.folder_unread_counts("alice") == {top.id: 1, sub.id: 1}

    newest_first = await extras.list_user_chats("alice", "", None, False, 60, 0)
    assert [c.title for c in newest_first] == ["Gamma", "alpha", "Beta"]
    assert newest_first[2].last_read_at == 0 and not any(c.archived for c in newest_first)
    by_title = await extras.list_user_chats("alice", "", "title", True, 60, 0)
    assert [c.title for c in by_title] == ["Beta", "Gamma", "alpha"]
    assert [c.title for c in await extras.list_user_chats("alice", "ALP", None, False, 60, 0)] == ["alpha"]
    assert [c.title for c in await extras.list_user_chats("alice", "%", None, False, 60, 0)] == []
    assert len(await extras.all_chat_ids()) == 4

    ids, total = await extras.chat_id_page("alice", updated_after=None, ascending=True, limit=2, offset=0)
    assert total == 3 and ids == [read.row.id, newest_first[1].id]
    ids, total = await extras.chat_id_page(
        "alice", updated_after=read.row.updated_at, ascending=False, limit=10, offset=0
    )
    assert total == 2 and read.row.id not in ids
