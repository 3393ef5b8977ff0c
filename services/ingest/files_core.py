"""Files: streamed uploads into Postgres, reads, deletes and status watches, with access checks."""

import asyncio
import hashlib
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from services.common import errors, messages
from services.common.collection_names import file_collection
from services.common.forms.types import has_nul
from services.common.identity import Identity
from services.common.stored_names import clean_name
from services.ingest.access import can_read_file, key_lists_reads, owns_file
from services.ingest.collections import CollectionIndexes
from services.ingest.events import EventPublisher, StatusFeed
from services.ingest.ingest_jobs.repository import JobSpec
from services.ingest.ingest_jobs.starter import create_job
from services.ingest.jobs import JobQueue
from services.ingest.models import (
    TERMINAL_STATUSES,
    CollectionChange,
    FileRecord,
    FileStatus,
)
from services.ingest.repository import IngestRepository
from services.ingest.upload_staging import UploadStaging, with_idle_timeout

if TYPE_CHECKING:
    from services.ingest.ingest_jobs.core import JobsCore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UploadHeader:
    caller: Identity
    filename: str
    content_type: str
    process: bool
    wait_for_processing: bool
    # The processing job joins this batch / calls this back when it ends (ingest jobs API).
    batch_id: str = ""
    callback_url: str = ""


@dataclass(frozen=True, slots=True)
class ClientMetadata:
    """The form field ``metadata``, as the client sent it."""

    text: str


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    status: FileStatus | None
    error: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class FileLimits:
    max_size_mb: int
    part_bytes: int
    # A watcher re-reads Postgres this often in case a status event was lost.
    status_recheck_s: float = 5.0


def parse_client_metadata(text: str) -> dict:
    """The ``metadata`` field: a JSON object (or nothing); anything else is Open WebUI's 400."""
    if not text.strip():
        return {}
    try:
        value = orjson.loads(text)
        if isinstance(value, str):
            value = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise errors.InvalidArgument(messages.INVALID_METADATA) from None
    if value is None:
        return {}
    if not isinstance(value, dict) or not _storable(value):
        raise errors.InvalidArgument(messages.INVALID_METADATA)
    return value


def _storable(value: dict) -> bool:
    """Whether jsonb can hold ``value``: no NUL character anywhere (keys included), and not nested
    deeper than JSON is written back (orjson's limit)."""
    try:
        orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return not has_nul(value)


class FilesCore:
    def __init__(
        self,
        repo: IngestRepository,
        queue: JobQueue,
        publisher: EventPublisher,
        feed: StatusFeed,
        indexes: CollectionIndexes,
        limits: FileLimits,
        staging: UploadStaging,
        jobs: "JobsCore | None" = None,
    ) -> None:
        # Processing requests become ingest jobs (a batch and callback checked before any byte is read).
        self._jobs = jobs
        self._repo = repo
        self._queue = queue
        self._publisher = publisher
        self._feed = feed
        self._indexes = indexes
        self._limits = limits
        self._staging = staging

    async def upload(self, header: UploadHeader, items: AsyncIterator[bytes | ClientMetadata]) -> FileRecord:
        """Stages the bytes as they arrive, creates the file with them (all or nothing), then queues
        its processing."""
        max_bytes = self._limits.max_size_mb * 1024 * 1024
        batch_id = callback_url = None
        if self._jobs is not None and header.process:
            batch_id = await self._jobs.usable_batch(header.caller, header.batch_id)
            callback_url = self._jobs.check_callback_url(header.callback_url)
        elif header.batch_id or header.callback_url:
            raise errors.InvalidArgument("batch_id and callback_url apply to uploads that are processed.")
        job_id = None
        stamp = int(time.time())
        record = FileRecord(
            id=str(uuid.uuid4()),
            user_id=header.caller.user_id,
            # A percent-encoded `filename*` can carry any character: NUL (which PostgreSQL text
            # cannot hold), CR/LF, bidirectional overrides.
            filename=os.path.basename(clean_name(header.filename).replace("\\", "/")) or "file",
            content_type=clean_name(header.content_type) or "application/octet-stream",
            size=0,
            file_hash=None,
            hash=None,
            status=FileStatus.PENDING if header.process else None,
            error=None,
            content=None,
            client_meta={},
            created_at=stamp,
            updated_at=stamp,
            key_id=header.caller.scope.key_id if header.caller.scope is not None else "",
            group_ids=tuple(sorted(header.caller.group_ids)),
        )
        digest = hashlib.sha256()
        client_meta: dict = {}
        # The bytes are staged as they arrive; nothing holds a connection between parts.
        await self._staging.begin(record.id, record.user_id)
        committed = False
        try:
            buffer = bytearray()
            seq = 0
            async for item in with_idle_timeout(items, self._staging.limits.idle_timeout_s):
                if isinstance(item, ClientMetadata):
                    client_meta = parse_client_metadata(item.text)
                    continue
                record.size += len(item)
                if record.size > max_bytes:
                    raise errors.PayloadTooLarge(messages.file_too_large(self._limits.max_size_mb))
                digest.update(item)
                buffer += item
                while len(buffer) >= self._limits.part_bytes:
                    await self._staging.stage(record.id, seq, bytes(buffer[: self._limits.part_bytes]))
                    del buffer[: self._limits.part_bytes]
                    seq += 1
            if buffer or seq == 0:
                await self._staging.stage(record.id, seq, bytes(buffer))
            del buffer
            given_hash = client_meta.get("file_hash")
            record.file_hash = (
                given_hash if isinstance(given_hash, str) and given_hash else digest.hexdigest()
            )
            record.client_meta = client_meta
            # The file appears with all its bytes, or not at all.
            async with self._repo.pool.acquire() as conn, conn.transaction():
                await self._repo.remember_user(conn, header.caller)
                await self._repo.insert_file(conn, record)
                await self._staging.take_over(conn, record.id, record.id)
                await self._repo.finish_upload(conn, record.id, record.size, record.file_hash, client_meta)
                if self._jobs is not None and header.process:
                    job_id = await create_job(
                        conn, JobSpec(record.id, record.user_id, record.key_id, batch_id, callback_url)
                    )
            committed = True
        finally:
            # Shielded: a cancelled call (the client left) must still drop what it staged.
            await asyncio.shield(self._staging.release(record.id, drop=not committed))
        log.info("stored file %s (%d bytes)", record.id, record.size)
        if not header.process:
            return record
        await self._queue.try_publish(job_id or record.id)
        if header.wait_for_processing:
            async for _ in self.watch(header.caller, record.id):
                pass
            return await self.readable(header.caller, record.id, include_content=True)
        return record

    async def readable(self, caller: Identity, file_id: str, include_content: bool = False) -> FileRecord:
        """The file if the caller may read it; otherwise NOT_FOUND, revealing nothing."""
        record = await self._repo.get_file(file_id, include_content)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND)
        if owns_file(caller, record) and not key_lists_reads(caller):
            return record
        if can_read_file(caller, record, await self._repo.knowledge_of_file(file_id)):
            return record
        raise errors.NotFound(messages.NOT_FOUND)

    async def list_files(
        self, caller: Identity, page: int, page_size: int, include_content: bool
    ) -> tuple[list[FileRecord], int]:
        owner = None if caller.is_admin else caller.user_id
        offset = (max(page, 1) - 1) * page_size
        files, total = await self._repo.list_files(owner, page_size, offset, include_content)
        if key_lists_reads(caller):
            # A key that names its files or collections sees only those (on this page).
            links = {f.id: await self._repo.knowledge_of_file(f.id) for f in files}
            files = [f for f in files if can_read_file(caller, f, links[f.id])]
        return files, total

    async def delete(self, caller: Identity, file_id: str) -> None:
        record = await self.readable(caller, file_id)
        if not owns_file(caller, record):
            raise errors.NotFound(messages.NOT_FOUND)
        await self.remove(record.id)

    async def remove(self, file_id: str) -> None:
        """Deletes without checks (the caller checked): bytes, chunks, links, indexes, watchers."""
        left = await self._repo.delete_file(file_id)
        changes = [CollectionChange(file_collection(file_id), 0, "drop")]
        changes += [CollectionChange(name, version, "remove", file_id) for name, version in left]
        await self._indexes.changed(changes)
        await self._publisher.status(file_id, None, deleted=True)

    async def content(self, caller: Identity, file_id: str) -> tuple[FileRecord, AsyncIterator[bytes]]:
        record = await self.readable(caller, file_id)
        return record, self._repo.file_parts(file_id)

    async def watch(self, caller: Identity, file_id: str) -> AsyncIterator[StatusUpdate]:
        """The current status, then each change; ends after a final one (or the file's deletion).

        Subscribes before reading Postgres, so that no change falls between the two.
        """
        await self.readable(caller, file_id)
        async with self._feed.subscribe(file_id) as subscription:
            current = await self._repo.get_file(file_id)
            if current is None:
                yield StatusUpdate(None, deleted=True)
                return
            last = StatusUpdate(current.status, current.error)
            yield last
            while last.status is not None and last.status not in TERMINAL_STATUSES:
                event = await subscription.next(self._limits.status_recheck_s)
                if event is None:
                    record = await self._repo.get_file(file_id)
                    update = (
                        StatusUpdate(record.status, record.error)
                        if record
                        else StatusUpdate(None, deleted=True)
                    )
                else:
                    update = StatusUpdate(*event)
                if update.deleted:
                    yield update
                    return
                if update != last:
                    last = update
                    yield update
