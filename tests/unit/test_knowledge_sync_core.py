"""KnowledgeSyncCore alone, over in-memory fakes of its repositories, files core and indexes: who
may act, which files a cleanup deletes, and the index changes it makes."""

import asyncio

import pytest

from services.common import errors, messages
from services.common.identity import Identity
from services.ingest.knowledge_sync_core import KnowledgeSyncCore, SyncLimits
from services.ingest.models import CollectionChange, FileRecord, FileStatus, KnowledgeRecord
from services.ingest.sync_diff import DirectoryRecord, ManifestEntry

OWNER = Identity("owner")
STRANGER = Identity("stranger")
ADMIN = Identity("root", role="admin")


def _file(file_id: str, user_id: str = "owner") -> FileRecord:
    return FileRecord(
        file_id,
        user_id,
        f"{file_id}.md",
        "text/markdown",
        1,
        "h",
        "h",
        FileStatus.COMPLETED,
        None,
        None,
        {},
        1,
        1,
    )


class FakeRepo:
    def __init__(self) -> None:
        self.knowledge = {"kb": KnowledgeRecord("kb", "owner", "kb", "", None, [], 1, 1)}
        self.files = {f.id: f for f in (_file("mine"), _file("theirs", "other"), _file("shared"))}

    async def get_knowledge(self, knowledge_id: str) -> KnowledgeRecord | None:
        return self.knowledge.get(knowledge_id)

    async def get_files(self, ids: list[str]) -> dict[str, FileRecord]:
        return {i: self.files[i] for i in ids if i in self.files}

    async def users(self, ids: list[str]) -> dict:
        return {}


class FakeDirs:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str], str | None] = {
            ("kb", "mine"): None,
            ("kb", "theirs"): None,
            ("kb", "shared"): "d1",
            ("kb2", "shared"): None,
        }
        self.dirs = {"d1": DirectoryRecord("d1", "kb", None, "docs", "owner", 1, 1)}
        self.version = 10

    async def directories(self, knowledge_id: str) -> list[DirectoryRecord]:
        return [d for d in self.dirs.values() if d.knowledge_id == knowledge_id]

    async def get_directory(self, directory_id: str) -> DirectoryRecord | None:
        return self.dirs.get(directory_id)

    async def unlink_files(self, knowledge_id: str, file_ids: list[str]) -> list[tuple[str, int]]:
        out = []
        for file_id in dict.fromkeys(file_ids):
            if self.links.pop((knowledge_id, file_id), "absent") != "absent":
                self.version += 1
                out.append((file_id, self.version))
        return out

    async def still_linked(self, file_ids: list[str]) -> set[str]:
        return {f for (_, f) in self.links if f in file_ids}

    async def delete_directories(self, knowledge_id: str, ids: list[str], move_files: bool):
        gone = [i for i in ids if i in self.dirs and self.dirs[i].knowledge_id == knowledge_id]
        unlinked = []
        for (kb, file_id), directory in list(self.links.items()):
            if kb == knowledge_id and directory in gone:
                del self.links[(kb, file_id)]
                self.version += 1
                unlinked.append((file_id, self.version))
        for i in gone:
            del self.dirs[i]
        return gone, unlinked

    async def linked_files(self, knowledge_id: str) -> list:
        return []

    async def pending_files(self, knowledge_id: str, since: int) -> list:
        return []

    async def place_files(self, knowledge_id: str, placements) -> None:
        for file_id, directory_id in placements:
            self.links[(knowledge_id, file_id)] = directory_id


class FakeFiles:
    def __init__(self) -> None:
        self.removed: list[str] = []

    async def remove(self, file_id: str) -> None:
        self.removed.append(file_id)


class FakeIndexes:
    def __init__(self) -> None:
        self.changes: list[CollectionChange] = []

    async def changed(self, changes: list[CollectionChange]) -> None:
        self.changes += changes


def _core(max_entries: int = 100) -> tuple[KnowledgeSyncCore, FakeDirs, FakeFiles, FakeIndexes]:
    dirs, files, indexes = FakeDirs(), FakeFiles(), FakeIndexes()
    core = KnowledgeSyncCore(FakeRepo(), dirs, files, indexes, SyncLimits(max_entries))  # type: ignore[arg-type]
    return core, dirs, files, indexes


def run(coro):
    return asyncio.run(coro)


def test_missing_base_is_404_and_no_write_access_403() -> None:
    core, *_ = _core()
    with pytest.raises(errors.NotFound) as missing:
        run(core.diff(OWNER, "nope", []))
    assert (missing.value.http_status, missing.value.detail) == (404, messages.NOT_FOUND)
    with pytest.raises(errors.PermissionDenied) as refused:
        run(core.cleanup(STRANGER, "kb", ["mine"], []))
    assert (refused.value.http_status, refused.value.detail) == (403, messages.ACCESS_PROHIBITED)


def test_cleanup_deletes_only_owned_files_no_other_base_links() -> None:
    core, dirs, files, indexes = _core()
    run(core.cleanup(OWNER, "kb", ["mine", "theirs", "shared", "mine", "ghost"], []))
    # Each unlink is its own version, so every replica applies each removal in turn.
    assert [(c.op, c.file_id, c.version) for c in indexes.changes] == [
        ("remove", "mine", 11),
        ("remove", "theirs", 12),
        ("remove", "shared", 13),
    ]
    assert files.removed == ["mine"]
    assert ("kb2", "shared") in dirs.links


def test_an_admin_deletes_files_of_others() -> None:
    core, _, files, _ = _core()
    run(core.cleanup(ADMIN, "kb", ["theirs"], []))
    assert files.removed == ["theirs"]


def test_cleanup_of_directories_unlinks_their_files() -> None:
    core, dirs, files, indexes = _core()
    run(core.cleanup(OWNER, "kb", [], ["d1", "d1", "missing"]))
    assert dirs.dirs == {}
    assert [(c.op, c.file_id) for c in indexes.changes] == [("remove", "shared")]
    assert files.removed == []


def test_entries_are_bounded() -> None:
    core, *_ = _core(max_entries=2)
    manifest = [ManifestEntry(f"f{i}", "", "c", 1) for i in range(3)]
    with pytest.raises(errors.InvalidArgument):
        run(core.diff(OWNER, "kb", manifest))
    with pytest.raises(errors.InvalidArgument):
        run(core.cleanup(OWNER, "kb", ["a", "b"], ["c"]))


def test_directory_names_are_checked() -> None:
    core, *_ = _core()
    for name in ("", "   ", "a/b", "x" * 256):
        with pytest.raises(errors.InvalidArgument):
            run(core.create_directory(OWNER, "kb", name, None))


def test_place_files_checks_before_the_add() -> None:
    core, dirs, *_ = _core()
    # A base the caller cannot write: nothing checked (the add that follows refuses it).
    run(core.place_files(STRANGER, "kb", [("mine", "elsewhere")], check_only=True))
    with pytest.raises(errors.InvalidArgument) as refused:
        run(core.place_files(OWNER, "kb", [("mine", "elsewhere")], check_only=True))
    assert refused.value.detail == messages.TARGET_DIRECTORY_NOT_FOUND
    run(core.place_files(OWNER, "kb", [("mine", "d1")], check_only=True))
    assert dirs.links[("kb", "mine")] is None
    run(core.place_files(OWNER, "kb", [("mine", "d1")], check_only=False))
    assert dirs.links[("kb", "mine")] == "d1"
