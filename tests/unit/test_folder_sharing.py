"""Folder sharing rules over fake stores: who may grant what, what a grant reaches (the folder and
the folders below it), the shared list, a folder's chats and marking a folder read."""

import orjson
import pytest

from services.common import errors, messages, permissions
from services.common.access import AUDIENCE_DENIED
from services.common.identity import Identity
from services.inference.folders import tree
from services.inference.folders.records import FolderChat
from services.inference.folders.service import FolderService
from services.inference.folders.sharing import CONTINUE, FolderSharing
from tests.unit.fake_folder_store import FakeFolderShareStore, FakeFolderStore

ADMIN = Identity("root", role="admin", name="Root")
# Open WebUI's built-in permission defaults, as AuthService gives every user.
DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ALICE = Identity("alice", role="user", name="Alice", permissions=DEFAULT_KEYS)
BOB = Identity("bob", role="user", name="Bob", permissions=DEFAULT_KEYS)
CAROL = Identity("carol", role="user", name="Carol", permissions=DEFAULT_KEYS)


class Unread:
    """The chats' read state, answering fixed counts."""

    async def folder_unread_counts(self, user_id: str) -> dict[str, int]:
        return {"counted-for": len(user_id)}


def grants(*entries: tuple[str, str, str]) -> bytes:
    return orjson.dumps(
        [{"principal_type": t, "principal_id": p, "permission": perm} for t, p, perm in entries]
    )


@pytest.fixture
def parts() -> tuple[FolderService, FolderSharing, FakeFolderShareStore]:
    store = FakeFolderStore()
    shares = FakeFolderShareStore(store)
    ids = iter(f"id{i}" for i in range(1000))
    folders = FolderService(store, clock=lambda: 1000.0, new_id=lambda: next(ids))
    sharing = FolderSharing(store, shares, Unread(), clock=lambda: 2000.0, new_id=lambda: next(ids))
    return folders, sharing, shares


def test_ancestors_stop_on_a_cycle() -> None:
    assert tree.ancestors("c", {"a": None, "b": "a", "c": "b"}) == ["c", "b", "a"]
    assert tree.ancestors("x", {"x": "y", "y": "x"}) == ["x", "y"]


async def test_who_may_grant_what(parts) -> None:
    folders, sharing, shares = parts
    work = await folders.create(ALICE, "Work", None, None, None)
    # sharing.folders is off by default: an owner who is not an admin may only clear the grants.
    with pytest.raises(errors.PermissionDenied) as refused:
        await sharing.update_access(ALICE, work.id, grants(("user", "bob", "read")), None)
    assert refused.value.detail == AUDIENCE_DENIED
    folder, kept = await sharing.update_access(ALICE, work.id, b"[]", None)
    assert (folder.id, kept) == (work.id, [])
    # user:* and anyone:* never, not even for an admin.
    for audience in (("user", "*", "read"), ("anyone", "*", "read")):
        with pytest.raises(errors.PermissionDenied, match=AUDIENCE_DENIED):
            await sharing.update_access(ADMIN, work.id, grants(audience), None)
    # Somebody else's folder: 403; a missing one: 404.
    with pytest.raises(errors.PermissionDenied) as refused:
        await sharing.update_access(BOB, work.id, b"[]", None)
    assert refused.value.detail == messages.ACCESS_PROHIBITED
    with pytest.raises(errors.NotFound):
        await sharing.update_access(ADMIN, "missing", b"[]", None)
    with pytest.raises(errors.InvalidArgument):
        await sharing.update_access(ADMIN, work.id, b"{", None)
    # An admin shares; invalid entries are dropped, duplicates kept once, ids kept across updates.
    body = grants(
        ("user", "bob", "read"), ("user", "bob", "read"), ("robot", "x", "read"), ("group", "g", "write")
    )
    folder, given = await sharing.update_access(ADMIN, work.id, body, CONTINUE)
    assert [(g.principal_type, g.principal_id, g.permission, g.created_at) for g in given] == [
        ("user", "bob", "read", 2000),
        ("group", "g", "write", 2000),
    ]
    assert folder.data == {"share_mode": "continue"}
    assert store_data(shares, work.id) == {"share_mode": "continue"}
    _, again = await sharing.update_access(ADMIN, work.id, grants(("user", "bob", "read")), "")
    assert [g.id for g in again] == [given[0].id]
    assert store_data(shares, work.id) == {}
    # No share_mode: data is left as it is.
    folder, _ = await sharing.update_access(ADMIN, work.id, b"[]", None)
    assert folder.data == {}


def store_data(shares: FakeFolderShareStore, folder_id: str) -> object:
    return shares.folders.rows[folder_id].data


async def test_a_grant_reaches_the_folders_below(parts) -> None:
    folders, sharing, _ = parts
    work = await folders.create(ALICE, "Work", None, None, None)
    sub = await folders.create(ALICE, "Sub", None, None, work.id)
    other = await folders.create(ALICE, "Other", None, None, None)
    await sharing.update_access(
        ADMIN, work.id, grants(("user", "bob", "read"), ("user", "carol", "write")), None
    )
    owner = await sharing.detail(ALICE, work.id)
    assert (owner.write_access, [g.principal_id for g in owner.grants]) == (True, ["bob", "carol"])
    reader = await sharing.detail(BOB, sub.id)
    assert (reader.folder.id, reader.write_access, reader.grants) == (sub.id, False, [])
    assert (await sharing.detail(CAROL, work.id)).write_access
    assert (await sharing.detail(ADMIN, other.id)).write_access
    for who, folder_id in ((BOB, other.id), (BOB, "missing"), (Identity("dave"), work.id)):
        with pytest.raises(errors.NotFound):
            await sharing.detail(who, folder_id)
    # The owner-only routes still treat the folder as missing for a reader.
    with pytest.raises(errors.NotFound):
        await folders.update(BOB, work.id, "x", None, None)


async def test_shared_lists_folders_with_and_by_the_caller(parts) -> None:
    folders, sharing, _ = parts
    work = await folders.create(ALICE, "Work", None, None, None)
    sub = await folders.create(ALICE, "Sub", None, None, work.id)
    deep = await folders.create(ALICE, "Deep", None, None, sub.id)
    await folders.create(ALICE, "Private", None, None, None)
    await sharing.update_access(ADMIN, work.id, grants(("user", "bob", "read")), None)
    await sharing.update_access(ADMIN, sub.id, grants(("user", "bob", "write")), None)
    listed = await sharing.shared(BOB)
    assert [(s.folder.id, s.permission) for s in listed] == [
        (work.id, "read"),
        (sub.id, "write"),
        (deep.id, "write"),
    ]
    mine = await sharing.shared(ALICE)
    assert [(s.folder.id, s.permission) for s in mine] == [
        (work.id, "write"),
        (sub.id, "write"),
        (deep.id, "write"),
    ]
    assert await sharing.shared(CAROL) == []
    # Deleting the folder revokes what it shared (the grants go with the row).
    await folders.delete(ALICE, work.id, delete_contents=True)
    assert await sharing.shared(BOB) == []


async def test_a_folders_chats_pages_and_read_state(parts) -> None:
    folders, sharing, shares = parts
    work = await folders.create(ALICE, "Work", None, None, None)
    sub = await folders.create(ALICE, "Sub", None, None, work.id)
    await sharing.update_access(ADMIN, work.id, grants(("user", "bob", "read")), None)
    for i in range(25):
        chat = FolderChat(f"c{i:02d}", "alice", f"Chat {i}", 10 + i, 10 + i, None, ("alice", "bob"))
        shares.chats.append((chat, work.id, False))
    shares.chats.append((FolderChat("gone", "alice", "Archived", 1, 999, None), work.id, True))
    shares.chats.append((FolderChat("bobs", "bob", "Bob's", 1, 5, None), sub.id, False))
    first = await sharing.chats(BOB, work.id, page=1, sort_by="updated_at", ascending=False)
    assert ([c.id for c in first.chats][:2], len(first.chats), first.total, first.has_more) == (
        ["c24", "c23"],
        10,
        25,
        True,
    )
    assert first.permission == "read"
    last = await sharing.chats(BOB, work.id, page=3, sort_by="", ascending=False)
    assert (len(last.chats), last.has_more) == (5, False)
    unpaged = await sharing.chats(ALICE, work.id, page=0, sort_by="title", ascending=True)
    assert (len(unpaged.chats), unpaged.total, unpaged.has_more, unpaged.permission) == (
        25,
        None,
        None,
        "write",
    )
    with pytest.raises(errors.PermissionDenied):
        await sharing.chats(CAROL, work.id, page=1, sort_by="", ascending=False)
    with pytest.raises(errors.NotFound):
        await sharing.chats(BOB, "missing", page=1, sort_by="", ascending=False)
    # Read state is each chat owner's: Bob's call marks Bob's chats only.
    read = await sharing.mark_read(BOB, work.id)
    assert (read.folder_id, read.folder_ids, read.updated_count) == (work.id, [work.id, sub.id], 1)
    assert read.folder_unread_counts == {"counted-for": 3}
    assert shares.marked == [("bob", [work.id, sub.id])]
    assert (await sharing.mark_read(ALICE, sub.id)).folder_ids == [sub.id]
    with pytest.raises(errors.PermissionDenied):
        await sharing.mark_read(CAROL, work.id)
    with pytest.raises(errors.NotFound):
        await sharing.mark_read(BOB, "missing")
