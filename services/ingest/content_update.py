"""Replacing a file's text and re-indexing it: only chunk texts never embedded before are embedded.

``ingest_embedding`` is content-addressed (sha256 of the chunk text), so the chunks an edit left
unchanged find their vectors there and cost no model time. The new chunks and text are committed in
one transaction that bumps every collection holding the file (``file-<id>`` and each knowledge
collection linking it); the changes are then applied here and published, so every replica's FAISS
copy serves the new text as soon as the call returns (a copy that missed the event is rebuilt
before its next search).
"""

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass

import numpy as np

from services.common import errors, messages
from services.common.collection_names import file_collection
from services.common.identity import Identity
from services.common.usage.estimate import count_tokens_off_loop
from services.common.usage.limiter import Limiter
from services.common.usage.recorder import UsageRecorder
from services.ingest.chunk_vectors import ChunkVectors
from services.ingest.collections import CollectionIndexes
from services.ingest.events import EventPublisher
from services.ingest.extract import Page
from services.ingest.file_ops_repository import FileOpsRepository
from services.ingest.models import CollectionChange, FileRecord, FileStatus, StoredChunk
from services.ingest.processing import ChunkingParams, file_chunks, ingest_usage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UpdateResult:
    content: str
    chunks: int
    # Distinct chunk texts embedded by this call (the rest had vectors already).
    embedded: int
    seconds: float


class ContentUpdater:
    """Replaces a file's text (given, or extracted pages) and re-indexes it everywhere."""

    def __init__(
        self,
        repo: FileOpsRepository,
        vectors: ChunkVectors,
        indexes: CollectionIndexes,
        publisher: EventPublisher,
        params: ChunkingParams,
        max_bytes: int,
        limiter: Limiter | None = None,
        usage: UsageRecorder | None = None,
    ) -> None:
        self._repo = repo
        self._vectors = vectors
        self._indexes = indexes
        self._publisher = publisher
        self._params = params
        self._max_bytes = max_bytes
        self._limiter = limiter
        # Each replacement queues a usage record as a processed file does (chunks, tokens embedded).
        self._usage = usage if usage is not None and usage.enabled else None

    def check_size(self, content: str) -> None:
        """413 past RAG_FILE_MAX_SIZE (as UTF-8) or RAG_MAX_EXTRACTED_CHARS; 400 when blank."""
        max_chars = self._params.extract_limits.max_chars
        # The exact byte count only when the cheap bound (4 bytes a character) could be over.
        too_many_bytes = len(content) * 4 > self._max_bytes and len(content.encode()) > self._max_bytes
        if len(content) > max_chars or too_many_bytes:
            raise errors.PayloadTooLarge(messages.file_too_large(self._max_bytes // (1024 * 1024)))
        if not content.strip():
            raise errors.InvalidArgument(messages.EMPTY_CONTENT)
        if "\x00" in content:
            # PostgreSQL text cannot hold NUL (the gateway refuses it with a 422 already).
            raise errors.InvalidArgument("The content must not contain NUL characters")

    async def replace(self, caller: Identity, record: FileRecord, content: str) -> UpdateResult:
        """Replaces the file's text with ``content`` (the caller's access was checked)."""
        self.check_size(content)
        return await self.reindex(caller, record, [Page(text=content, metadata={})], content)

    async def reindex(
        self, caller: Identity, record: FileRecord, pages: list[Page], content: str
    ) -> UpdateResult:
        """Chunks ``pages``, embeds what is new, commits, and brings every copy up to date."""
        started = time.perf_counter()
        if self._limiter is not None:
            await self._limiter.refuse_if_spent(caller)
        content_hash = hashlib.sha256(content.encode()).hexdigest()
        chunks = await asyncio.to_thread(file_chunks, record, pages, self._params, content_hash)
        if not chunks:
            raise errors.InvalidArgument(messages.EMPTY_CONTENT)
        vectors = await self._vectors.missing(chunks)
        committed = await self._commit(record.id, content, content_hash, chunks, vectors)
        if committed is None:
            raise errors.NotFound(messages.NOT_FOUND)
        # The texts embedded now (reused vectors cost nothing), once each.
        embedded = list({c.text_hash: c.text for c in chunks if c.text_hash in vectors}.values())
        if self._limiter is not None:
            # The model's own tokenizer, as processing charges.
            await self._limiter.charge(caller, await count_tokens_off_loop("\n".join(embedded)))
        self._record(caller, record.id, started, len(chunks), embedded)
        file_version, knowledge = committed
        # The file's own collection is rebuilt from Postgres on its next search (it is all this
        # file); each knowledge collection swaps this file's vectors: old out, new in.
        changes = [CollectionChange(file_collection(record.id), file_version, "drop")]
        for name, removed, added in knowledge:
            changes.append(CollectionChange(name, removed, "remove", record.id))
            changes.append(CollectionChange(name, added, "add", record.id))
        await self._indexes.changed(changes)
        await self._publisher.status(record.id, FileStatus.COMPLETED)
        seconds = time.perf_counter() - started
        log.info(
            "file %s re-indexed: %d chunks, %d embedded, %.2f s",
            record.id,
            len(chunks),
            len(vectors),
            seconds,
        )
        return UpdateResult(content, len(chunks), len(vectors), seconds)

    def _record(
        self, caller: Identity, file_id: str, started: float, chunks: int, embedded: list[str]
    ) -> None:
        """The usage of a replacement, paid by the caller (its key and groups)."""
        if self._usage is not None:
            self._usage.record(ingest_usage(caller, file_id, started, "ok", chunks, embedded))

    async def _commit(
        self,
        file_id: str,
        content: str,
        content_hash: str,
        chunks: list[StoredChunk],
        vectors: dict[bytes, np.ndarray],
    ) -> tuple[int, list[tuple[str, int, int]]] | None:
        return await self._vectors.write(
            chunks,
            vectors,
            lambda: self._repo.replace_text(file_id, content, content_hash, chunks, vectors),
        )
