"""Knowledge directories and folder sync (diff and cleanup), with Open WebUI's rules and texts.

Every change needs write access to the base: a missing base is 404 NOT_FOUND, no write access 403
ACCESS_PROHIBITED (as Open WebUI's ``_verify_knowledge_write_access``); the listings need read
access, with ``GET /{id}/files``'s 400s. Vectors leave the base's index through collection change
events, so every replica's copy sees each unlink.
"""

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.common import errors, messages
from services.common.identity import Identity
from services.ingest.access import can_read_knowledge, can_write_knowledge, owns_file
from services.ingest.collections import CollectionIndexes
from services.ingest.files_core import FilesCore
from services.ingest.knowledge_dirs_repository import KnowledgeDirsRepository
from services.ingest.models import CollectionChange, FileRecord, KnowledgeRecord, UserRef
from services.ingest.repository import IngestRepository
from services.ingest.sync_diff import (
    DirectoryRecord,
    ManifestEntry,
    SyncDiff,
    compute_diff,
    directory_paths,
)

# A file uploaded for the base this recently and still processing counts as present.
PENDING_WINDOW_S = 3600
MAX_NAME_CHARS = 255


@dataclass(frozen=True, slots=True)
class FolderPage:
    files: list[FileRecord]
    total: int
    owners: dict[str, UserRef]
    directories: list[DirectoryRecord]
    breadcrumbs: list[DirectoryRecord]
    path: str


@dataclass(frozen=True, slots=True)
class SyncLimits:
    # Entries of a manifest, and ids of a cleanup, taken in one request.
    max_entries: int = 20000


def _check_name(name: str) -> str:
    """Directory names become path segments of the sync manifest: no '/' and not blank."""
    if not name.strip() or "/" in name or "\x00" in name or len(name) > MAX_NAME_CHARS:
        raise errors.InvalidArgument(
            f"A directory name must be 1-{MAX_NAME_CHARS} characters, not blank, without '/'."
        )
    return name


class KnowledgeSyncCore:
    def __init__(
        self,
        repo: IngestRepository,
        dirs: KnowledgeDirsRepository,
        files: FilesCore,
        indexes: CollectionIndexes,
        limits: SyncLimits = SyncLimits(),
    ) -> None:
        self._repo = repo
        self._dirs = dirs
        self._files = files
        self._indexes = indexes
        self._limits = limits

    async def _writable(self, caller: Identity, knowledge_id: str) -> KnowledgeRecord:
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND, http_status=404)
        if not can_write_knowledge(caller, record):
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=403)
        return record

    async def _directory_of(self, knowledge_id: str, directory_id: str) -> DirectoryRecord:
        directory = await self._dirs.get_directory(directory_id)
        if directory is None or directory.knowledge_id != knowledge_id:
            raise errors.NotFound(messages.NOT_FOUND, http_status=404)
        return directory

    async def _target(self, knowledge_id: str, directory_id: str) -> DirectoryRecord:
        """A directory named in a body (a parent, a move's target): one of another base is refused
        as one that does not exist (Open WebUI 0.11.4 and later)."""
        directory = await self._dirs.get_directory(directory_id)
        if directory is None or directory.knowledge_id != knowledge_id:
            raise errors.NotFound(messages.TARGET_DIRECTORY_NOT_FOUND, http_status=404)
        return directory

    def _bounded(self, count: int) -> None:
        if count > self._limits.max_entries:
            raise errors.InvalidArgument(f"At most {self._limits.max_entries} entries are taken at once.")

    async def _unlinked(self, knowledge_id: str, unlinked: Sequence[tuple[str, int]]) -> None:
        await self._indexes.changed(
            [CollectionChange(knowledge_id, version, "remove", file_id) for file_id, version in unlinked]
        )

    # --- directories ---------------------------------------------------------------------------

    async def create_directory(
        self, caller: Identity, knowledge_id: str, name: str, parent_id: str | None
    ) -> DirectoryRecord:
        await self._writable(caller, knowledge_id)
        _check_name(name)
        if parent_id is not None:
            await self._target(knowledge_id, parent_id)
        stamp = int(time.time())
        record = DirectoryRecord(
            str(uuid.uuid4()), knowledge_id, parent_id, name, caller.user_id, stamp, stamp
        )
        if not await self._dirs.insert_directory(record):
            raise errors.InvalidArgument(messages.DIRECTORY_CREATE_FAILED)
        return record

    async def update_directory(
        self,
        caller: Identity,
        knowledge_id: str,
        directory_id: str,
        name: str | None,
        move: bool,
        parent_id: str | None,
    ) -> DirectoryRecord:
        """Renames and/or moves (``move``: to ``parent_id``, None the root); a loop, a parent
        outside the base or a name taken at the new level is 400."""
        await self._writable(caller, knowledge_id)
        await self._directory_of(knowledge_id, directory_id)
        if name is not None:
            _check_name(name)
        if move and parent_id is not None:
            await self._target(knowledge_id, parent_id)
        updated = await self._dirs.update_directory(knowledge_id, directory_id, name, move, parent_id)
        if updated is None:
            raise errors.InvalidArgument(messages.DIRECTORY_UPDATE_FAILED)
        return updated

    async def delete_directory(
        self, caller: Identity, knowledge_id: str, directory_id: str, move_files: bool
    ) -> None:
        """Deletes the directory and its subtree; their files move to its parent (``move_files``)
        or leave the base."""
        await self._writable(caller, knowledge_id)
        await self._directory_of(knowledge_id, directory_id)
        _, unlinked = await self._dirs.delete_directories(knowledge_id, [directory_id], move_files)
        await self._unlinked(knowledge_id, unlinked)

    async def clear_directories(self, caller: Identity, knowledge_id: str) -> None:
        """Deletes every directory of the base (``reset?include_directories=true``)."""
        await self._writable(caller, knowledge_id)
        tops = [d.id for d in await self._dirs.directories(knowledge_id) if d.parent_id is None]
        if tops:
            _, unlinked = await self._dirs.delete_directories(knowledge_id, tops, move_files=False)
            await self._unlinked(knowledge_id, unlinked)

    async def move_file(
        self, caller: Identity, knowledge_id: str, file_id: str, directory_id: str | None
    ) -> None:
        await self._writable(caller, knowledge_id)
        if not await self._dirs.is_linked(knowledge_id, file_id):
            raise errors.NotFound(messages.NOT_FOUND, http_status=404)
        if directory_id is not None:
            await self._target(knowledge_id, directory_id)
        if not await self._dirs.move_file(knowledge_id, file_id, directory_id):
            # Unlinked, or the directory deleted, since the checks above.
            raise errors.NotFound(messages.NOT_FOUND, http_status=404)

    async def place_files(
        self, caller: Identity, knowledge_id: str, placements: Sequence[tuple[str, str]], check_only: bool
    ) -> None:
        """``file/add`` with ``directory_id``: a directory not of the base is Open WebUI's 400
        ``Target directory not found.``, checked (``check_only``) before anything is linked. For a
        base that is missing or not writable the check passes: the add that follows refuses it
        with its own answer."""
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None or not can_write_knowledge(caller, record):
            if check_only:
                return
            await self._writable(caller, knowledge_id)
        wanted = {directory_id for _, directory_id in placements}
        if wanted - {d.id for d in await self._dirs.directories(knowledge_id)}:
            raise errors.InvalidArgument(messages.TARGET_DIRECTORY_NOT_FOUND)
        if not check_only and placements:
            await self._dirs.place_files(knowledge_id, placements)

    # --- listings (read access, with ``GET /{id}/files``'s answers) ------------------------------

    async def _readable(self, caller: Identity, knowledge_id: str) -> KnowledgeRecord:
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND, http_status=400)
        if not can_read_knowledge(caller, record):
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=400)
        return record

    async def describe_files(
        self, caller: Identity, knowledge_id: str, file_ids: Sequence[str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The directory of each given file in one, and those directories' paths."""
        await self._readable(caller, knowledge_id)
        placed = await self._dirs.file_directories(knowledge_id, file_ids)
        if not placed:
            return {}, {}
        paths = directory_paths(await self._dirs.directories(knowledge_id))
        return placed, {d: paths[d] for d in set(placed.values()) if d in paths}

    async def folder(
        self,
        caller: Identity,
        knowledge_id: str,
        directory_id: str | None,
        page: int,
        page_size: int,
        include_content: bool,
    ) -> FolderPage:
        """Open WebUI's folder view of ``GET /{id}/files?directory_id=``: the files directly in
        the folder, its subdirectories by name, and the directories from the root down to it."""
        await self._readable(caller, knowledge_id)
        tree = await self._dirs.directories(knowledge_id)
        by_id = {d.id: d for d in tree}
        breadcrumbs: list[DirectoryRecord] = []
        if directory_id is not None:
            if directory_id not in by_id:
                raise errors.NotFound(messages.NOT_FOUND, http_status=400)
            current: str | None = directory_id
            while current is not None and current in by_id and len(breadcrumbs) < len(tree):
                breadcrumbs.append(by_id[current])
                current = by_id[current].parent_id
            breadcrumbs.reverse()
        children = sorted((d for d in tree if d.parent_id == directory_id), key=lambda d: (d.name, d.id))
        offset = (max(page, 1) - 1) * page_size
        files, total = await self._dirs.folder_files(
            knowledge_id, directory_id, page_size, offset, include_content
        )
        owners = await self._repo.users([f.user_id for f in files])
        path = "/".join(d.name for d in breadcrumbs)
        return FolderPage(files, total, owners, children, breadcrumbs, path)

    # --- sync ----------------------------------------------------------------------------------

    async def diff(self, caller: Identity, knowledge_id: str, manifest: Sequence[ManifestEntry]) -> SyncDiff:
        await self._writable(caller, knowledge_id)
        self._bounded(len(manifest))
        directories = await self._dirs.directories(knowledge_id)
        linked = await self._dirs.linked_files(knowledge_id)
        pending = await self._dirs.pending_files(knowledge_id, int(time.time()) - PENDING_WINDOW_S)
        return compute_diff(manifest, directories, linked, pending)

    async def cleanup(
        self, caller: Identity, knowledge_id: str, file_ids: Sequence[str], directory_ids: Sequence[str]
    ) -> None:
        """Unlinks the files of the base among ``file_ids`` (their vectors leave its index), deletes
        each that no other base links when the caller owns it (or is an admin), then removes the
        listed directories of the base (children first) and unlinks what they still held."""
        await self._writable(caller, knowledge_id)
        self._bounded(len(file_ids) + len(directory_ids))
        unlinked = await self._dirs.unlink_files(knowledge_id, file_ids)
        await self._unlinked(knowledge_id, unlinked)
        if unlinked:
            ids = [file_id for file_id, _ in unlinked]
            linked_elsewhere = await self._dirs.still_linked(ids)
            records = await self._repo.get_files([i for i in ids if i not in linked_elsewhere])
            for record in records.values():
                if owns_file(caller, record):
                    await self._files.remove(record.id)
        if directory_ids:
            _, dropped = await self._dirs.delete_directories(
                knowledge_id, list(dict.fromkeys(directory_ids)), move_files=False
            )
            await self._unlinked(knowledge_id, dropped)
