"""Folder rules without storage: names, cycles, subtrees, and the folder service over a fake store."""

import re
from dataclasses import replace

import pytest

from services.common import errors
from services.common.identity import Identity
from services.inference.folders import tree
from services.inference.folders.service import EXISTS, INTO_ITSELF, FolderService
from tests.unit.fake_folder_store import FakeFolderStore

ALICE = Identity("alice", role="user", name="Alice")
BOB = Identity("bob", role="user", name="Bob")
# a ─ b ─ c, and d at the root.
PARENTS = {"a": None, "b": "a", "c": "b", "d": None}


def service(store: FakeFolderStore) -> FolderService:
    ids = iter(f"f{i}" for i in range(100))
    return FolderService(store, clock=lambda: 1000.0, new_id=lambda: next(ids))


def test_names_compare_without_case() -> None:
    assert tree.name_key("Work") == tree.name_key("wORK")
    assert tree.name_key("Work") != tree.name_key("Work ")


def test_cycles_and_subtrees() -> None:
    assert tree.is_within("c", "a", PARENTS)
    assert tree.is_within("a", "a", PARENTS)
    assert not tree.is_within("a", "c", PARENTS)
    assert not tree.is_within(None, "a", PARENTS)
    assert sorted(tree.subtree("a", PARENTS)) == ["a", "b", "c"]
    assert tree.subtree("d", PARENTS) == ["d"]
    # A loop already stored neither hangs nor counts as "within" an outside folder.
    looped = {"x": "y", "y": "x"}
    assert not tree.is_within("x", "z", looped)
    assert tree.shown_parent("x", looped) is None
    assert tree.shown_parent("c", PARENTS) == "b"
    assert tree.shown_parent("e", {"e": "gone"}) is None


async def test_create_update_and_the_name_rule() -> None:
    store = FakeFolderStore()
    folders = service(store)
    work = await folders.create(ALICE, "Work", None, {"icon": "📁"}, None)
    assert (work.parent_id, work.data, work.meta, work.is_expanded) == (None, None, {"icon": "📁"}, False)
    with pytest.raises(errors.InvalidArgument, match=re.escape(EXISTS)):
        await folders.create(ALICE, "work", None, None, None)
    # Same name elsewhere: another parent, another user.
    sub = await folders.create(ALICE, "Work", None, None, work.id)
    await folders.create(BOB, "Work", None, None, None)
    with pytest.raises(errors.NotFound):
        await folders.create(BOB, "x", None, None, work.id)
    updated = await folders.update(ALICE, work.id, None, {"system_prompt": "Be brief."}, {"color": "red"})
    assert updated.meta == {"icon": "📁", "color": "red"}
    assert updated.data == {"system_prompt": "Be brief."}
    with pytest.raises(errors.InvalidArgument):
        await folders.update(ALICE, sub.id, "x\x00", None, None)
    with pytest.raises(errors.InvalidArgument, match="longer than 255"):
        await folders.create(ALICE, "é" * 256, None, None, None)
    with pytest.raises(errors.NotFound):
        await folders.get(BOB, work.id)


async def test_moves_refuse_cycles_and_deletes_take_the_subtree() -> None:
    store = FakeFolderStore()
    folders = service(store)
    a = await folders.create(ALICE, "a", None, None, None)
    b = await folders.create(ALICE, "b", None, None, a.id)
    c = await folders.create(ALICE, "c", None, None, b.id)
    for target in (a.id, c.id):
        with pytest.raises(errors.InvalidArgument) as refused:
            await folders.move(ALICE, a.id, target)
        assert refused.value.detail == INTO_ITSELF
    moved = await folders.move(ALICE, c.id, None)
    assert moved.parent_id is None
    await folders.create(ALICE, "b", None, None, None)
    with pytest.raises(errors.InvalidArgument, match="already exists"):
        await folders.move(ALICE, b.id, None)
    assert (await folders.set_expanded(ALICE, a.id, True)).is_expanded
    await folders.move(ALICE, c.id, b.id)
    assert await folders.delete(ALICE, a.id, delete_contents=False)
    assert store.deleted == [([a.id, b.id, c.id], False)]
    # Listing resets a parent that is gone.
    store.rows["orphan"] = replace(a, id="orphan", name="o", parent_id="gone")
    assert [(f.id, f.parent_id) for f in await folders.list_folders(ALICE) if f.id == "orphan"] == [
        ("orphan", None)
    ]
