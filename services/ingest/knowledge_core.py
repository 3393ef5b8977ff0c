"""Knowledge collections: CRUD, file links (vectors reused, never re-embedded) and access.

Status codes follow Open WebUI's routes, which differ per route (docs/compatibility.md): most failures
are 400 with the NOT_FOUND or ACCESS_PROHIBITED text, reading one without access is 401.
"""

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from services.common import access, errors, messages, permissions
from services.common.group_check import GroupDirectory, require_known_groups
from services.common.identity import Identity
from services.common.stored_names import clean_name
from services.ingest.access import (
    can_read_file,
    can_read_knowledge,
    can_write_knowledge,
    owns_file,
    shared_grants,
)
from services.ingest.collections import CollectionIndexes
from services.ingest.files_core import FilesCore
from services.ingest.models import CollectionChange, FileRecord, FileStatus, KnowledgeRecord, UserRef
from services.ingest.repository import IngestRepository


@dataclass(frozen=True, slots=True)
class KnowledgeWithFiles:
    knowledge: KnowledgeRecord
    files: list[FileRecord]
    write_access: bool


def _not_found(status: int = 400) -> errors.ServiceError:
    return errors.NotFound(messages.NOT_FOUND, http_status=status)


def _prohibited(status: int = 400) -> errors.ServiceError:
    return errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=status)


def _grants(raw: bytes) -> object:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise errors.InvalidArgument("access_grants must be a JSON list") from None


class KnowledgeCore:
    def __init__(
        self,
        repo: IngestRepository,
        files: FilesCore,
        indexes: CollectionIndexes,
        groups: GroupDirectory | None = None,
    ) -> None:
        self._repo = repo
        self._files = files
        self._indexes = indexes
        self._groups = groups

    async def _grants(
        self, caller: Identity, knowledge_id: str, raw: bytes, existing: list[dict], *, strict: bool
    ) -> list[dict]:
        """The grants the caller may give (§6.2), every group they name checked to exist."""
        grants, records = shared_grants(_grants(raw), caller, knowledge_id, existing, strict=strict)
        await require_known_groups(self._groups, caller, grants)
        return records

    async def create(
        self, caller: Identity, name: str, description: str, grants_json: bytes
    ) -> KnowledgeRecord:
        # Open WebUI's answer without ``workspace.knowledge``: 401 UNAUTHORIZED.
        if not access.has_permission(caller, permissions.WORKSPACE_KNOWLEDGE):
            raise errors.PermissionDenied(messages.UNAUTHORIZED, http_status=401)
        knowledge_id = str(uuid.uuid4())
        stamp = int(time.time())
        grants = (
            await self._grants(caller, knowledge_id, grants_json, [], strict=False) if grants_json else []
        )
        record = KnowledgeRecord(
            knowledge_id, caller.user_id, clean_name(name), description, None, grants, stamp, stamp
        )
        await self._repo.insert_knowledge(record, caller)
        record.owner = UserRef(caller.user_id, caller.name, caller.role, caller.email)
        return record

    async def list_knowledge(
        self, caller: Identity, page: int, page_size: int
    ) -> tuple[list[KnowledgeRecord], int]:
        if caller.is_admin:
            candidates = await self._repo.all_knowledge()
        else:
            candidates = await self._repo.knowledge_readable_by(caller.user_id, sorted(caller.group_ids))
        # The query narrows; the one decider decides.
        readable = [k for k in candidates if can_read_knowledge(caller, k)]
        start = (max(page, 1) - 1) * page_size
        return readable[start : start + page_size], len(readable)

    @staticmethod
    def writable_by(caller: Identity, record: KnowledgeRecord) -> bool:
        return can_write_knowledge(caller, record)

    async def get(self, caller: Identity, knowledge_id: str) -> KnowledgeRecord:
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise _not_found(404)
        if not can_read_knowledge(caller, record):
            raise _prohibited(401)
        return record

    async def _writable(self, caller: Identity, knowledge_id: str) -> KnowledgeRecord:
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise _not_found()
        if not can_write_knowledge(caller, record):
            raise _prohibited()
        return record

    async def _with_files(self, caller: Identity, knowledge_id: str) -> KnowledgeWithFiles:
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise _not_found()
        ids = await self._repo.knowledge_file_ids(knowledge_id)
        found = await self._repo.get_files(ids)
        files = [found[i] for i in ids if i in found]
        return KnowledgeWithFiles(record, files, can_write_knowledge(caller, record))

    async def update(
        self, caller: Identity, knowledge_id: str, name: str, description: str, grants_json: bytes
    ) -> KnowledgeWithFiles:
        record = await self._writable(caller, knowledge_id)
        grants = (
            await self._grants(caller, knowledge_id, grants_json, record.access_grants, strict=False)
            if grants_json
            else None
        )
        await self._repo.update_knowledge(knowledge_id, clean_name(name), description, grants)
        return await self._with_files(caller, knowledge_id)

    async def update_access(
        self, caller: Identity, knowledge_id: str, grants_json: bytes
    ) -> KnowledgeWithFiles:
        """``POST /{id}/access/update``: replaces the grants (owner, writer, admin). A missing
        collection is 404, a non-writer 400 ACCESS_PROHIBITED, any grant the caller may not give
        403 (§6.3)."""
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise _not_found(404)
        if not can_write_knowledge(caller, record):
            raise _prohibited()
        grants = await self._grants(
            caller, knowledge_id, grants_json or b"[]", record.access_grants, strict=True
        )
        await self._repo.update_knowledge(knowledge_id, record.name, record.description, grants)
        return await self._with_files(caller, knowledge_id)

    async def delete(self, caller: Identity, knowledge_id: str) -> None:
        await self._writable(caller, knowledge_id)
        await self._repo.delete_knowledge(knowledge_id)
        await self._indexes.changed([CollectionChange(knowledge_id, 0, "drop")])

    async def reset(self, caller: Identity, knowledge_id: str) -> KnowledgeRecord:
        await self._writable(caller, knowledge_id)
        _, version = await self._repo.unlink_files(knowledge_id, None)
        if version:
            await self._indexes.changed([CollectionChange(knowledge_id, version, "drop")])
        return await self.get(caller, knowledge_id)

    async def add_files(
        self, caller: Identity, knowledge_id: str, file_ids: Sequence[str], batch: bool
    ) -> KnowledgeWithFiles:
        """Links files, reusing their vectors. A file still waiting or processing is linked too;
        it joins the index the moment its processing commits."""
        knowledge = await self._writable(caller, knowledge_id)
        found = await self._repo.get_files(file_ids)
        for file_id in file_ids:
            record = found.get(file_id)
            if record is None:
                raise errors.NotFound(
                    f"File {file_id} not found" if batch else messages.NOT_FOUND, http_status=400
                )
            # Someone else's file: a batch add refuses it; a single add needs read access through a
            # collection (only then are the file's collections read, one query per file).
            if not owns_file(caller, record) and (
                batch or not can_read_file(caller, record, await self._repo.knowledge_of_file(file_id))
            ):
                raise _prohibited(403)
            self._check_usable(record, batch)
        await self._check_duplicates(knowledge, [found[i] for i in file_ids])
        added = await self._repo.link_files(knowledge_id, file_ids)
        await self._indexes.changed(
            [CollectionChange(knowledge_id, version, "add", file_id) for file_id, version in added]
        )
        return await self._with_files(caller, knowledge_id)

    @staticmethod
    def _check_usable(record: FileRecord, batch: bool) -> None:
        if record.status is None:
            # Uploaded with process=false: no content will ever come.
            detail = messages.EMPTY_CONTENT
        elif record.status in (FileStatus.FAILED, FileStatus.CANCELLED):
            detail = record.error or messages.EMPTY_CONTENT
        else:
            return
        raise errors.InvalidArgument(detail if batch else messages.wrapped_400(detail))

    async def _check_duplicates(self, knowledge: KnowledgeRecord, adding: list[FileRecord]) -> None:
        """Open WebUI refuses a second file with the same extracted text in one collection."""
        hashes = {f.hash: f.id for f in adding if f.hash}
        if not hashes:
            return
        present = await self._repo.get_files(await self._repo.knowledge_file_ids(knowledge.id))
        for other in present.values():
            if other.hash in hashes and hashes[other.hash] != other.id:
                raise errors.InvalidArgument(messages.wrapped_400(messages.DUPLICATE_CONTENT))

    async def update_file(self, caller: Identity, knowledge_id: str, file_id: str) -> KnowledgeWithFiles:
        await self._writable(caller, knowledge_id)
        if file_id not in await self._repo.knowledge_file_ids(knowledge_id):
            raise _not_found()
        # Vectors are shared with the file, so the collection already has its current ones; a
        # version bump makes every replica re-read them.
        version = await self._repo.touch_collection(knowledge_id)
        await self._indexes.changed([CollectionChange(knowledge_id, version, "drop")])
        return await self._with_files(caller, knowledge_id)

    async def remove_file(
        self, caller: Identity, knowledge_id: str, file_id: str, delete_file: bool
    ) -> KnowledgeWithFiles:
        await self._writable(caller, knowledge_id)
        removed, version = await self._repo.unlink_files(knowledge_id, [file_id])
        if not removed:
            raise _not_found()
        await self._indexes.changed([CollectionChange(knowledge_id, version, "remove", file_id)])
        if delete_file:
            record = await self._repo.get_file(file_id)
            if record is not None and (caller.is_admin or record.user_id == caller.user_id):
                await self._files.remove(file_id)
        return await self._with_files(caller, knowledge_id)

    async def files_page(
        self, caller: Identity, knowledge_id: str, page: int, page_size: int, include_content: bool
    ) -> tuple[list[FileRecord], int, dict[str, UserRef]]:
        record = await self._repo.get_knowledge(knowledge_id)
        if record is None:
            raise _not_found()
        if not can_read_knowledge(caller, record):
            raise _prohibited()
        offset = (max(page, 1) - 1) * page_size
        files, total = await self._repo.knowledge_files(knowledge_id, page_size, offset, include_content)
        owners = await self._repo.users([f.user_id for f in files])
        return files, total, owners
