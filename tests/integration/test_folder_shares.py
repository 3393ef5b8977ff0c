"""Folder sharing on real PostgreSQL: grants kept in order and revoked with their folder, the shared
list, a folder's chats (any owner's, with their participants), paging, and marking a folder read."""

import asyncpg
import orjson
import pytest

from services.common import errors
from services.common.identity import Identity
from services.inference.chats.extras_repository import ChatExtrasRepository
from services.inference.chats.read_state import ChatReadState
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.folders.repository import FolderRepository
from services.inference.folders.service import FolderService
from services.inference.folders.share_repository import FolderShareRepository
from services.inference.folders.sharing import CONTINUE, FolderSharing
from tests.integration.chat_support import ALICE, BOB, Clock

ADMIN = Identity("root", role="admin", name="Root")


@pytest.fixture
def parts(inference_pool: asyncpg.Pool) -> tuple[FolderService, FolderSharing, ChatService]:
    clock = Clock()
    repository = FolderRepository(inference_pool)
    chats = ChatService(ChatRepository(inference_pool), admin_access=True, max_bytes=64 * 1024, clock=clock)
    read_state = ChatReadState(ChatExtrasRepository(inference_pool))
    sharing = FolderSharing(repository, FolderShareRepository(inference_pool), read_state, clock=clock)
    return FolderService(repository, clock=clock), sharing, chats


def form(title: str, **extra: object) -> bytes:
    message = {"id": "m0", "parentId": None, "childrenIds": [], "role": "user", "content": "hi"}
    chat = {"title": title, "history": {"messages": {"m0": message}, "currentId": "m0"}}
    return orjson.dumps({"chat": chat, **extra})


def grants(*entries: tuple[str, str, str]) -> bytes:
    return orjson.dumps(
        [{"principal_type": t, "principal_id": p, "permission": perm} for t, p, perm in entries]
    )


async def test_grants_shared_lists_and_revocation(parts, inference_pool: asyncpg.Pool) -> None:
    folders, sharing, _ = parts
    work = await folders.create(ALICE, "Work", {"system_prompt": "Be brief."}, None, None)
    sub = await folders.create(ALICE, "Sub", None, None, work.id)
    await folders.create(ALICE, "Private", None, None, None)
    body = grants(("user", "bob", "write"), ("group", "g", "read"), ("user", "bob", "read"))
    folder, given = await sharing.update_access(ADMIN, work.id, body, CONTINUE)
    assert folder.data == {"system_prompt": "Be brief.", "share_mode": "continue"}
    assert (await folders.get(ALICE, work.id)).data == folder.data
    detail = await sharing.detail(ALICE, work.id)
    assert [(g.principal_type, g.principal_id, g.permission) for g in detail.grants] == [
        ("user", "bob", "write"),
        ("group", "g", "read"),
        ("user", "bob", "read"),
    ]
    assert [g.id for g in detail.grants] == [g.id for g in given]
    assert (await sharing.detail(BOB, sub.id)).write_access
    listed = await sharing.shared(BOB)
    assert [(s.folder.id, s.folder.user_id, s.permission) for s in listed] == [
        (work.id, "alice", "write"),
        (sub.id, "alice", "write"),
    ]
    assert [s.folder.id for s in await sharing.shared(ALICE)] == [work.id, sub.id]
    # Replacing keeps the ids of the grants that stay.
    _, kept = await sharing.update_access(ADMIN, work.id, grants(("user", "bob", "read")), None)
    assert [g.id for g in kept] == [given[2].id]
    assert [s.permission for s in await sharing.shared(BOB)] == ["read", "read"]
    # Deleting the folder revokes its grants.
    await folders.delete(ALICE, work.id, delete_contents=True)
    assert await sharing.shared(BOB) == []
    assert await inference_pool.fetchval("SELECT count(*) FROM inference_folder_access_grant") == 0
    with pytest.raises(errors.NotFound):
        await sharing.detail(BOB, sub.id)


async def test_a_group_grant_reaches_the_groups_members(parts) -> None:
    folders, sharing, _ = parts
    team = await folders.create(ALICE, "Team", None, None, None)
    await sharing.update_access(ADMIN, team.id, grants(("group", "g-team", "read")), None)
    member = Identity("carol", role="user", group_ids=frozenset({"g-team", "g-org"}))
    outsider = Identity("dave", role="user", group_ids=frozenset({"g-org"}))
    assert [(s.folder.id, s.permission) for s in await sharing.shared(member)] == [(team.id, "read")]
    assert (await sharing.detail(member, team.id)).write_access is False
    assert await sharing.shared(outsider) == []
    with pytest.raises(errors.NotFound):
        await sharing.detail(outsider, team.id)


async def test_folder_chats_pages_participants_and_read(parts, inference_pool: asyncpg.Pool) -> None:
    folders, sharing, chats = parts
    work = await folders.create(ALICE, "Work", None, None, None)
    sub = await folders.create(ALICE, "Sub", None, None, work.id)
    await sharing.update_access(ADMIN, work.id, grants(("user", "bob", "read")), None)
    ids = [(await chats.create(ALICE, form(f"Chat {i:02d}", folder_id=work.id))).row.id for i in range(12)]
    in_sub = (await chats.create(ALICE, form("Below", folder_id=sub.id))).row.id
    archived = (await chats.create(ALICE, form("Old", folder_id=work.id))).row.id
    await inference_pool.execute("UPDATE inference_chat SET archived = true WHERE id = $1", archived)
    # Bob wrote in the newest chat.
    await inference_pool.execute(
        "INSERT INTO inference_chat_message "
        "(chat_id, id, role, user_id, message, position, created_at, updated_at) "
        "VALUES ($1, 'm1', 'user', 'bob', '{}'::json, 1, 1, 1)",
        ids[-1],
    )
    page = await sharing.chats(BOB, work.id, page=1, sort_by="updated_at", ascending=False)
    assert [c.id for c in page.chats] == ids[::-1][:10]
    assert (page.total, page.has_more, page.permission) == (12, True, "read")
    assert page.chats[0].participant_ids == ("alice", "bob")
    assert page.chats[1].participant_ids == ("alice",)
    second = await sharing.chats(BOB, work.id, page=2, sort_by="title", ascending=True)
    assert ([c.title for c in second.chats], second.has_more) == (["Chat 10", "Chat 11"], False)
    unpaged = await sharing.chats(ALICE, work.id, page=0, sort_by="unread_updated_at", ascending=False)
    assert (len(unpaged.chats), unpaged.total, unpaged.permission) == (12, None, "write")
    with pytest.raises(errors.PermissionDenied):
        await sharing.chats(Identity("carol"), work.id, page=1, sort_by="", ascending=False)
    # Bob owns no chat there: nothing of Alice's read state changes.
    read = await sharing.mark_read(BOB, work.id)
    assert (read.folder_ids, read.updated_count, read.folder_unread_counts) == ([work.id, sub.id], 0, {})
    assert (await sharing.mark_read(ALICE, sub.id)).updated_count == 1
    read = await sharing.mark_read(ALICE, work.id)
    # Every chat of hers in the subtree (the one below already read too), the archived one not.
    assert (read.updated_count, read.folder_unread_counts) == (13, {work.id: 0, sub.id: 0})
    assert (await chats.get(ALICE, in_sub)).row.last_read_at is not None
