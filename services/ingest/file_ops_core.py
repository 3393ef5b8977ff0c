"""File operations beyond upload and read: search, counts, rename, text replacement, deleting every
file, and processing a file into a collection (Open WebUI's ``/retrieval/process/file``)."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from services.common import access, errors, messages
from services.common.collection_names import file_collection, file_id_of
from services.common.identity import Identity
from services.common.stored_names import clean_name
from services.ingest.access import can_read_file, can_write_knowledge, key_lists_reads, owns_file
from services.ingest.collections import CollectionIndexes
from services.ingest.content_update import ContentUpdater
from services.ingest.events import EventPublisher
from services.ingest.extract import ExtractionError, document_text, extract
from services.ingest.extract_limits import ExtractLimits
from services.ingest.file_ops_repository import FileOpsRepository
from services.ingest.knowledge_core import KnowledgeCore
from services.ingest.models import CollectionChange, FileRecord, FileStatus
from services.ingest.repository import IngestRepository

log = logging.getLogger(__name__)

# Open WebUI's bounds on `limit` of /files/search.
MAX_SEARCH_LIMIT = 1000
# A file name longer than this is refused (it is shown in lists and headers).
MAX_FILENAME_CHARS = 1024
_ONLY_OWN_OR_KNOWLEDGE = "a file's chunks go only into its own collection or a knowledge base"


class TextCollections(Protocol):
    """Where a file's text goes for a collection name that is neither a file's nor a knowledge
    base's: the free-standing text collections of ``/retrieval/process/files/batch``."""

    async def add_file_text(
        self, caller: Identity, file_id: str, content: str, collection_name: str
    ) -> str | None:
        """Adds the text; the reason it was refused, or None."""
        ...


@dataclass(frozen=True, slots=True)
class Processed:
    collection_name: str
    filename: str
    content: str


class FileOpsCore:
    def __init__(
        self,
        repo: IngestRepository,
        ops: FileOpsRepository,
        updater: ContentUpdater,
        knowledge: KnowledgeCore,
        indexes: CollectionIndexes,
        publisher: EventPublisher,
        extract_limits: ExtractLimits,
    ) -> None:
        self._repo = repo
        self._ops = ops
        self._updater = updater
        self._knowledge = knowledge
        self._indexes = indexes
        self._publisher = publisher
        self._extract_limits = extract_limits
        self._texts: TextCollections | None = None

    def use_text_collections(self, texts: TextCollections) -> None:
        self._texts = texts

    async def search(
        self, caller: Identity, pattern: str, include_content: bool, skip: int, limit: int, own_only: bool
    ) -> list[FileRecord]:
        if "\x00" in pattern:
            # PostgreSQL text cannot hold NUL, so no name contains one.
            return []
        owner = None if caller.is_admin and not own_only else caller.user_id
        limit = min(max(limit, 1), MAX_SEARCH_LIMIT)
        files = await self._ops.search(owner, pattern, max(skip, 0), limit, include_content)
        if key_lists_reads(caller):
            # A key that names its files or collections sees only those.
            files = [f for f in files if can_read_file(caller, f, await self._repo.knowledge_of_file(f.id))]
        return files

    async def count(self, caller: Identity, own_only: bool) -> int:
        return await self._ops.count(None if caller.is_admin and not own_only else caller.user_id)

    async def writable(self, caller: Identity, file_id: str) -> FileRecord:
        """The file if the caller may change it (owner, admin, or a writer of a collection holding
        it); otherwise NOT_FOUND, revealing nothing."""
        record = await self._repo.get_file(file_id, include_content=True)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND)
        containing = await self._repo.knowledge_of_file(file_id)
        if not access.key_allows_file(caller, record.id, [k.id for k in containing]):
            raise errors.NotFound(messages.NOT_FOUND)
        if owns_file(caller, record) or any(can_write_knowledge(caller, k) for k in containing):
            return record
        raise errors.NotFound(messages.NOT_FOUND)

    async def rename(self, caller: Identity, file_id: str, filename: str) -> FileRecord:
        await self.writable(caller, file_id)
        name = clean_name(filename)
        if not name.strip() or len(name) > MAX_FILENAME_CHARS:
            raise errors.InvalidArgument(messages.RENAME_FAILED)
        renamed = await self._ops.rename(file_id, name)
        if renamed is None:
            raise errors.NotFound(messages.NOT_FOUND)
        return renamed

    async def update_content(self, caller: Identity, file_id: str, content: str) -> str:
        # Size and blankness first: a refused body costs no lookup.
        self._updater.check_size(content)
        record = await self.writable(caller, file_id)
        return (await self._updater.replace(caller, record, content)).content

    async def delete_all(self, caller: Identity) -> int:
        """Every file of every user, with bytes, chunks and links; every replica drops the
        collections. Admins only (401 ACCESS_PROHIBITED otherwise, as Open WebUI)."""
        if not caller.is_admin:
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=401)
        ids, knowledge = await self._ops.delete_all()
        changes = [CollectionChange(file_collection(i), 0, "drop") for i in ids]
        changes += [CollectionChange(name, version, "drop") for name, version in knowledge]
        await self._indexes.changed(changes)
        for file_id in ids:
            await self._publisher.status(file_id, None, deleted=True)
        log.warning("deleted all %d files at the request of %s", len(ids), caller.user_id)
        return len(ids)

    async def process(
        self, caller: Identity, file_id: str, content: str | None, collection_name: str
    ) -> Processed:
        """The three modes of ``/retrieval/process/file``: ``content`` replaces the text;
        ``collection_name`` (another than the file's own) puts the file's chunks into it; neither
        extracts the stored upload into ``file-<id>``."""
        if content is not None:
            self._updater.check_size(content)
        record = await self.writable(caller, file_id)
        own = file_collection(record.id)
        target = collection_name or own
        if target != own and file_id_of(target) is not None:
            raise errors.InvalidArgument(_ONLY_OWN_OR_KNOWLEDGE)
        if content is not None:
            stored = (await self._updater.replace(caller, record, content)).content
        elif record.status is FileStatus.COMPLETED and target != own:
            stored = record.content or ""
        else:
            stored = await self._extract(caller, record)
        if target != own:
            await self._into_collection(caller, record.id, stored, target)
        return Processed(target, record.filename, stored)

    async def _extract(self, caller: Identity, record: FileRecord) -> str:
        data = await self._repo.file_bytes(record.id)
        try:
            pages = await asyncio.to_thread(
                extract, data, record.filename, record.content_type, self._extract_limits
            )
        except ExtractionError as error:
            await self._ops.fail(record.id, error.detail)
            await self._publisher.status(record.id, FileStatus.FAILED, error.detail)
            raise errors.InvalidArgument(error.detail) from None
        finally:
            del data
        content = document_text(pages)
        await self._updater.reindex(caller, record, pages, content)
        return content

    async def _into_collection(self, caller: Identity, file_id: str, content: str, name: str) -> None:
        if await self._repo.get_knowledge(name) is None and self._texts is not None:
            refused = await self._texts.add_file_text(caller, file_id, content, name)
            if refused is not None:
                raise errors.InvalidArgument(refused)
            return
        if await self._repo.get_knowledge(name) is None:
            # Free-standing named collections hold texts, not files (POST /retrieval/process/text).
            detail = f"Collection {name} is not a knowledge base: {_ONLY_OWN_OR_KNOWLEDGE}"
            raise errors.InvalidArgument(detail)
        # Linking is what puts a file into a knowledge base: its vectors are reused, not copied.
        await self._knowledge.add_files(caller, name, [file_id], batch=True)
