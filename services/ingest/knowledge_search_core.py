"""Knowledge search, knowledge file search, pending files, exports and reindexing.

Status codes follow Open WebUI's routes (docs/compatibility.md): a missing collection is 404 on
these routes; a reader without access gets 400 ACCESS_PROHIBITED from ``files/pending``; exports
and both reindexes are for admins (401).
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from services.common import errors, messages
from services.common.identity import Identity
from services.ingest.access import can_read_knowledge, can_write_knowledge, key_lists_reads
from services.ingest.collections import CollectionIndexes
from services.ingest.knowledge_search_repository import (
    KnowledgeQuery,
    KnowledgeSearchRepository,
    Reader,
)
from services.ingest.models import CollectionChange, FileRecord, KnowledgeRecord, UserRef
from services.ingest.pending_feed import PendingFeed
from services.ingest.repository import IngestRepository

EXTERNAL_READ_ONLY = "External knowledge bases are read-only."
# Collections whose indexes one reindex step bumps and drops together.
_REINDEX_BATCH = 500


@dataclass(frozen=True, slots=True)
class PendingLimits:
    # Re-read Postgres at least this often while files are pending: an upload publishes no event
    # until its processing starts (Open WebUI's clients poll at the same interval).
    recheck_s: float = 3.0
    # After an event, wait this long for the rest of a burst before re-reading.
    settle_s: float = 0.2
    # Open WebUI's stream stops after an hour.
    max_watch_s: float = 3600.0
    # The most pending files one answer lists.
    max_files: int = 1000


@dataclass(frozen=True, slots=True)
class FileHit:
    file: FileRecord
    knowledge: KnowledgeRecord
    directory_id: str | None
    directory_path: str


@dataclass(frozen=True, slots=True)
class FileHitPage:
    hits: list[FileHit]
    total: int
    owners: dict[str, UserRef]


def export_entry_name(filename: str, taken: set[str]) -> str:
    """``<filename>.txt`` (no second ``.txt``), made unique within one archive."""
    base = filename[:-4] if filename.endswith(".txt") else filename
    name = f"{base}.txt"
    number = 1
    while name in taken:
        number += 1
        name = f"{base} ({number}).txt"
    taken.add(name)
    return name


def _reader(caller: Identity) -> Reader:
    return Reader(
        user_id=caller.user_id,
        group_ids=None if caller.is_admin else sorted(caller.group_ids),
        knowledge_ids=sorted(caller.scope.knowledge_ids)
        if key_lists_reads(caller) and caller.scope is not None
        else None,
    )


def _is_external(record: KnowledgeRecord) -> bool:
    return isinstance(record.meta, dict) and record.meta.get("source") == "external"


class KnowledgeSearchCore:
    def __init__(
        self,
        repo: KnowledgeSearchRepository,
        files: IngestRepository,
        indexes: CollectionIndexes,
        feed: PendingFeed,
        limits: PendingLimits | None = None,
    ) -> None:
        self._repo = repo
        self._files = files
        self._indexes = indexes
        self._feed = feed
        self._limits = limits or PendingLimits()

    @staticmethod
    def writable_by(caller: Identity, record: KnowledgeRecord) -> bool:
        return can_write_knowledge(caller, record)

    async def search(self, caller: Identity, query: KnowledgeQuery) -> tuple[list[KnowledgeRecord], int]:
        if "\x00" in query.text:
            # Nothing stored holds a NUL (PostgreSQL text cannot), and it cannot be a parameter.
            return [], 0
        records, total = await self._repo.search_knowledge(_reader(caller), query)
        # The query narrows; the one decider decides.
        return [k for k in records if can_read_knowledge(caller, k)], total

    async def search_files(
        self, caller: Identity, text: str, include_content: bool, limit: int, offset: int
    ) -> FileHitPage:
        if "\x00" in text:
            return FileHitPage([], 0, {})
        rows, total = await self._repo.search_files(_reader(caller), text, include_content, limit, offset)
        knowledge = await self._repo.knowledge_by_ids([r.knowledge_id for r in rows])
        paths = await self._repo.directory_paths([r.directory_id for r in rows if r.directory_id])
        hits = []
        for row in rows:
            record = knowledge.get(row.knowledge_id)
            if record is None or not can_read_knowledge(caller, record):
                continue
            path = paths.get(row.directory_id, "") if row.directory_id else ""
            hits.append(FileHit(row.file, record, row.directory_id, path))
        owners = await self._files.users([h.file.user_id for h in hits])
        return FileHitPage(hits, total, owners)

    async def _readable(self, caller: Identity, knowledge_id: str) -> KnowledgeRecord:
        record = await self._files.get_knowledge(knowledge_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND, http_status=404)
        if not can_read_knowledge(caller, record):
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=400)
        return record

    async def pending(self, caller: Identity, knowledge_id: str) -> list[FileRecord]:
        await self._readable(caller, knowledge_id)
        return await self._repo.pending_files(knowledge_id, self._limits.max_files)

    async def watch_pending(
        self, caller: Identity, knowledge_id: str, max_s: float = 0
    ) -> AsyncIterator[list[FileRecord]]:
        """The pending files now, then each time the set (or a file's status) changes; ends with
        an empty set, or when ``max_s`` (at most the limit) has passed."""
        await self._readable(caller, knowledge_id)
        loop = asyncio.get_running_loop()
        limit_s = min(max_s, self._limits.max_watch_s) if max_s > 0 else self._limits.max_watch_s
        deadline = loop.time() + limit_s
        # Subscribed before the first read, so that no change falls between the two.
        async with self._feed.subscribe() as wakeup:
            shown: list[tuple] | None = None
            while True:
                files = await self._repo.pending_files(knowledge_id, self._limits.max_files)
                state = [(f.id, f.status, f.updated_at) for f in files]
                if state != shown:
                    shown = state
                    yield files
                if not files:
                    return
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                if await wakeup.wait(min(self._limits.recheck_s, remaining)):
                    await asyncio.sleep(self._limits.settle_s)

    async def export(self, caller: Identity, knowledge_id: str) -> tuple[str, AsyncIterator[tuple[str, str]]]:
        """The collection's name and, one at a time, (entry name, text) of each file with text."""
        if not caller.is_admin:
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=401)
        record = await self._files.get_knowledge(knowledge_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND, http_status=404)
        if _is_external(record):
            raise errors.InvalidArgument(EXTERNAL_READ_ONLY)
        file_ids = await self._repo.linked_file_ids(knowledge_id)

        async def entries() -> AsyncIterator[tuple[str, str]]:
            taken: set[str] = set()
            # One file's text in memory at a time.
            for file_id in file_ids:
                found = await self._repo.file_text(file_id)
                if found is not None:
                    yield export_entry_name(found[0], taken), found[1]

        return record.name, entries()

    async def reindex(self, caller: Identity) -> tuple[int, int]:
        """Every replica rebuilds every collection's index from the stored vectors: each
        collection's version is bumped and its copies dropped, in batches. Returns (collections,
        linked files)."""
        if not caller.is_admin:
            raise errors.PermissionDenied(messages.UNAUTHORIZED, http_status=401)
        collections = files = 0
        after = ""
        while batch := await self._repo.knowledge_ids_after(after, _REINDEX_BATCH):
            after = batch[-1][0]
            bumped = await self._repo.bump_collections([name for name, _ in batch])
            await self._indexes.changed([CollectionChange(name, version, "drop") for name, version in bumped])
            collections += len(batch)
            files += sum(count for _, count in batch)
        return collections, files

    async def reindex_metadata(self, caller: Identity) -> tuple[int, int]:
        """(total, success): knowledge search reads names and descriptions straight from Postgres,
        so every collection is searchable as it stands and nothing needs embedding."""
        if not caller.is_admin:
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=401)
        total = await self._repo.count_knowledge()
        return total, total
