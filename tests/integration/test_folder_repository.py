"""Folders on real PostgreSQL: the name rule under the unique index, moves, subtree deletes and the
chats they hold (deleted or moved to the root), and the chat lists and search that read folders."""

import asyncpg
import orjson
import pytest

from services.common import errors
from services.inference.chats.lists import ChatLists
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.chats.tags import ChatTags
from services.inference.folders.repository import FolderRepository
from services.inference.folders.service import INTO_ITSELF, FolderService
from tests.integration.chat_support import ALICE, BOB, Clock


@pytest.fixture
def parts(inference_pool: asyncpg.Pool) -> tuple[FolderService, ChatService, ChatLists, ChatRepository]:
    clock = Clock()
    store = ChatRepository(inference_pool)
    chats = ChatService(store, admin_access=True, max_bytes=64 * 1024, clock=clock)
    return FolderService(FolderRepository(inference_pool), clock=clock), chats, ChatLists(store), store


def form(title: str, text: str = "hello", **extra: object) -> bytes:
    message = {"id": "m0", "parentId": None, "childrenIds": [], "role": "user", "content": text}
    chat = {"title": title, "history": {"messages": {"m0": message}, "currentId": "m0"}}
    return orjson.dumps({"chat": chat, **extra})


async def test_names_are_unique_per_parent_without_case(parts) -> None:
    folders, _, _, _ = parts
    work = await folders.create(ALICE, "Work", None, {"icon": "📁"}, None)
    with pytest.raises(errors.InvalidArgument, match="Folder already exists"):
        await folders.create(ALICE, "WORK", None, None, None)
    sub = await folders.create(ALICE, "work", {"system_prompt": "Be brief."}, None, work.id)
    await folders.create(BOB, "Work", None, None, None)
    stored = await folders.get(ALICE, sub.id)
    assert (stored.parent_id, stored.data, stored.meta) == (work.id, {"system_prompt": "Be brief."}, None)
    other = await folders.create(ALICE, "Other", None, None, None)
    with pytest.raises(errors.InvalidArgument, match="Folder already exists"):
        await folders.update(ALICE, other.id, "work", None, None)
    # Only the case changes: the folder does not clash with itself.
    assert (await folders.update(ALICE, other.id, "OTHER", None, {"icon": "x"})).name == "OTHER"
    with pytest.raises(errors.InvalidArgument, match="Folder already exists"):
        await folders.move(ALICE, sub.id, None)
    with pytest.raises(errors.InvalidArgument) as refused:
        await folders.move(ALICE, work.id, sub.id)
    assert refused.value.detail == INTO_ITSELF
    assert (await folders.set_expanded(ALICE, work.id, True)).is_expanded
    listed = {f.id: f for f in await folders.list_folders(ALICE)}
    assert set(listed) == {work.id, sub.id, other.id}
    assert listed[work.id].is_expanded and listed[other.id].meta == {"icon": "x"}


async def test_chats_in_folders_lists_search_and_deletes(parts, inference_pool: asyncpg.Pool) -> None:
    folders, chats, lists, store = parts
    top = await folders.create(ALICE, "Recipes", None, None, None)
    below = await folders.create(ALICE, "Bread", None, None, top.id)
    bobs = await folders.create(BOB, "Recipes", None, None, None)
    with pytest.raises(errors.NotFound):
        await chats.create(ALICE, form("x", folder_id=bobs.id))
    a = (await chats.create(ALICE, form("a", "sourdough", folder_id=top.id))).row.id
    b = (await chats.create(ALICE, form("b", "sourdough", folder_id=below.id))).row.id
    c = (await chats.create(ALICE, form("c", "sourdough"))).row.id
    await ChatTags(store, chats, admin_access=True).add(ALICE, a, "baking")

    def active(include_folders: bool) -> object:
        return lists.active(
            ALICE,
            page=0,
            include_pinned=False,
            include_folders=include_folders,
            sort_by="title",
            ascending=True,
        )

    assert [x.id for x in await active(False)] == [c]
    assert [x.id for x in await active(True)] == [a, b, c]
    assert {v.row.id for v in await chats.in_folder(ALICE, top.id)} == {a, b}
    assert await chats.in_folder(BOB, top.id) == []
    page = await lists.in_folder(ALICE, top.id, page=1, sort_by="unread_updated_at", ascending=False)
    assert [x.id for x in page] == [a]
    assert {h.id for h in await lists.search(ALICE, "sourdough folder:recipes", 1)} == {a, b}
    assert [h.id for h in await lists.search(ALICE, "sourdough folder:bread", 1)] == [b]
    unread = {f.id: f.unread_count for f in await folders.list_folders(ALICE)}
    assert unread == {top.id: 1, below.id: 1}

    moved = await chats.move_to_folder(ALICE, c, below.id)
    assert moved.row.folder_id == below.id
    # Kept contents move to the root; the folder subtree is gone.
    await folders.delete(ALICE, below.id, delete_contents=False)
    assert {(await chats.get(ALICE, x)).row.folder_id for x in (b, c)} == {None}
    assert [f.id for f in await folders.list_folders(ALICE)] == [top.id]
    # Deleted contents take their chats and the tags no chat carries any more.
    await folders.delete(ALICE, top.id, delete_contents=True)
    assert await store.load(a) is None
    assert await store.all_tags(ALICE.user_id) == []
    assert await folders.list_folders(ALICE) == []
    with pytest.raises(errors.NotFound):
        await folders.get(ALICE, top.id)
    await chats.set_archived_all(ALICE, True)
    assert (
        await inference_pool.fetchval("SELECT count(*) FROM inference_chat WHERE folder_id IS NOT NULL") == 0
    )
