"""Processes one file: extract, chunk, embed what is new, commit, then tell everyone."""

import asyncio
import enum
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
import numpy as np

from services.common import messages
from services.common.identity import Identity, KeyScope
from services.common.usage.estimate import count_tokens_off_loop
from services.common.usage.limiter import Limiter
from services.common.usage.record import INGEST, PendingEstimate, UsageRecord
from services.common.usage.recorder import UsageRecorder
from services.ingest.chunk_vectors import ChunkVectors
from services.ingest.chunking import split_pages
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.embedder import MODEL_NAME, Embedder
from services.ingest.events import EventPublisher
from services.ingest.extract import ExtractionError, Page, document_text, extract
from services.ingest.extract_limits import ExtractLimits
from services.ingest.freed_memory import release_freed_memory, trim_heap
from services.ingest.ingest_jobs.models import JobState
from services.ingest.ingest_jobs.repository import CANCELLED_ERROR, JobCancelled, JobsRepository
from services.ingest.models import CollectionChange, FileRecord, FileStatus, StoredChunk
from services.ingest.repository import IngestRepository
from services.ingest.shapes import chunk_metadata

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    COMPLETED = "completed"
    FAILED = "failed"
    # Gone, or already finished by an earlier delivery.
    SKIPPED = "skipped"
    # Its job was cancelled while it ran: stopped at a slice boundary, nothing committed.
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ChunkingParams:
    chunk_size: int
    chunk_overlap: int
    markdown_headers: bool
    # Texts handed to the model per call. A search query waits at most for one slice (about 3 s on
    # two cores); smaller slices cost throughput (64: +18 % time on a 2 MB file, as sentence-
    # transformers sorts by length, and so pads less, only within a call).
    embed_slice: int = 256
    extract_limits: ExtractLimits = field(default_factory=ExtractLimits)


def file_chunks(
    record: FileRecord, pages: list[Page], params: ChunkingParams, content_hash: str
) -> list[StoredChunk]:
    """A file's text split into the chunks stored for it (CPU only: run it in a thread)."""
    pieces = split_pages(
        pages,
        chunk_size=params.chunk_size,
        chunk_overlap=params.chunk_overlap,
        markdown_headers=params.markdown_headers,
    )
    return [
        StoredChunk(
            seq=seq,
            text=piece.text,
            text_hash=hashlib.sha256(piece.text.encode()).digest(),
            metadata=chunk_metadata(record, piece.metadata, piece.start_index, content_hash),
        )
        for seq, piece in enumerate(pieces)
    ]


def ingest_usage(
    payer: Identity, file_id: str, started: float, status: str, chunks: int, embedded: list[str]
) -> UsageRecord:
    """The usage of indexing a file's text: its chunks, and the texts embedded now (reused vectors
    cost nothing), tokenized later by the recorder with the model's own tokenizer."""
    usage = UsageRecord.for_caller(
        INGEST,
        payer,
        model=MODEL_NAME,
        upstream="ingest",
        status=status,
        latency_ms=int((time.perf_counter() - started) * 1000),
        chunks=chunks,
        request_id=file_id,
    )
    if embedded:
        usage.pending = PendingEstimate(input_text=lambda: "\n".join(embedded), exact=True)
    return usage


def _uploader(record: FileRecord) -> Identity:
    """Who a file's processing is charged to, as its upload was (the job runs off any request)."""
    scope = KeyScope(key_id=record.key_id) if record.key_id else None
    return Identity(user_id=record.user_id, group_ids=frozenset(record.group_ids), scope=scope)


class FileProcessor:
    """The pipeline one job runs; every step that can be retried is safe to run twice."""

    def __init__(
        self,
        repo: IngestRepository,
        embedder: Embedder,
        indexes: CollectionIndexes,
        publisher: EventPublisher,
        params: ChunkingParams,
        model_thread: DaemonThread,
        usage: UsageRecorder | None = None,
        limiter: Limiter | None = None,
        jobs: JobsRepository | None = None,
    ) -> None:
        # Only texts with no stored vector are embedded; a write racing the embedding collector
        # embeds what it took again.
        self._vectors = ChunkVectors(repo.known_embeddings, embedder, model_thread, params.embed_slice)
        # With jobs, a run belongs to an ``ingest_job``: its cancellation is checked between embed
        # slices and before the commit, and the job ends in the file's own transaction.
        self._jobs = jobs
        # The tokens a file embeds are charged to its upload's token limits: the key it came with,
        # its user and the user's groups (kept on the file row at upload).
        self._limiter = limiter
        # Every file processed queues a usage record here: chunks, and the tokens embedded.
        self._usage = usage if usage is not None and usage.enabled else None
        self._repo = repo
        self._indexes = indexes
        self._publisher = publisher
        self._params = params

    async def process(self, file_id: str, job_id: str | None = None) -> Outcome:
        try:
            return await self._process(file_id, job_id)
        except JobCancelled:
            assert self._jobs is not None and job_id is not None
            if await self._jobs.cancel_file(job_id, file_id):
                await self._publisher.status(file_id, FileStatus.CANCELLED, CANCELLED_ERROR)
            log.info("file %s: job %s cancelled while it ran", file_id, job_id)
            return Outcome.CANCELLED
        finally:
            # The chunk list, the batches' arrays and the model's buffers for them are freed by
            # now, but glibc keeps them resident until told (a 2 MB document: hundreds of MB).
            trim_heap()

    async def _stop_if_cancelled(self, job_id: str | None) -> None:
        """Raises :class:`JobCancelled` when the job no longer runs (cancelled or superseded)."""
        if self._jobs is None or job_id is None:
            return
        if await self._jobs.state(job_id) is not JobState.RUNNING:
            raise JobCancelled(job_id)

    async def _process(self, file_id: str, job_id: str | None) -> Outcome:
        record = await self._repo.claim_for_processing(file_id)
        if record is None:
            return Outcome.SKIPPED
        await self._publisher.status(file_id, FileStatus.PROCESSING)
        started = time.perf_counter()
        data = await self._repo.file_bytes(file_id)
        try:
            content, content_hash, chunks = await asyncio.to_thread(self._prepare, record, data)
        except ExtractionError as error:
            # Input that can never succeed: fail now, no retries.
            await self.fail(file_id, error.detail, job_id)
            self._record(record, started, "error", 0, [])
            return Outcome.FAILED
        finally:
            # Parsing may have taken hundreds of MB, freed by now but still resident.
            release_freed_memory()
        del data
        vectors = await self._embed_new(chunks, job_id)
        await self._stop_if_cancelled(job_id)
        guard = None
        if self._jobs is not None and job_id is not None:
            jobs = self._jobs

            async def guard(conn) -> None:  # type: ignore[no-untyped-def]
                await jobs.complete(conn, job_id)

        changed = await self._complete(file_id, content, content_hash, chunks, vectors, guard)
        if changed is None:
            return Outcome.SKIPPED
        # Recorded once the file is committed: a redelivered job that finds it done records nothing.
        embedded = {c.text_hash: c.text for c in chunks if c.text_hash in vectors}
        self._record(record, started, "ok", len(chunks), list(embedded.values()))
        if self._limiter is not None:
            # The embedding model's own tokenizer, as the usage record counts them (off the loop).
            tokens = await count_tokens_off_loop("\n".join(embedded.values()))
            await self._limiter.charge(_uploader(record), tokens)
        await self._publisher.status(file_id, FileStatus.COMPLETED)
        file_collection, file_version = changed[0]
        updates = [CollectionChange(file_collection, file_version, "drop")]
        updates += [CollectionChange(name, version, "add", file_id) for name, version in changed[1:]]
        await self._indexes.changed(updates)
        log.info("file %s completed: %d chunks, %d embedded", file_id, len(chunks), len(vectors))
        return Outcome.COMPLETED

    def _record(
        self, record: FileRecord, started: float, status: str, chunks: int, embedded: list[str]
    ) -> None:
        """The file's usage: its chunks, and the tokens of the texts embedded now (texts another file
        had embedded already cost nothing), counted later by the recorder with the model's own
        tokenizer. The upload pays: its user, the key it came with and the user's groups then."""
        if self._usage is None:
            return
        self._usage.record(ingest_usage(_uploader(record), record.id, started, status, chunks, embedded))

    async def fail(self, file_id: str, error: str, job_id: str | None = None) -> None:
        if self._jobs is not None:
            failed = await self._jobs.fail(job_id, file_id, error)
        else:
            failed = await self._repo.fail_file(file_id, error)
        if failed:
            await self._publisher.status(file_id, FileStatus.FAILED, error)
            log.info("file %s failed: %s", file_id, error)

    def _prepare(self, record: FileRecord, data: bytes) -> tuple[str, str, list[StoredChunk]]:
        """Extraction and splitting (CPU only; runs in a thread)."""
        pages = extract(data, record.filename, record.content_type, self._params.extract_limits)
        content = document_text(pages)
        content_hash = hashlib.sha256(content.encode()).hexdigest()
        chunks = file_chunks(record, pages, self._params, content_hash)
        if not chunks:
            raise ExtractionError(messages.EMPTY_CONTENT)
        return content, content_hash, chunks

    async def _complete(
        self,
        file_id: str,
        content: str,
        content_hash: str,
        chunks: list[StoredChunk],
        vectors: dict[bytes, np.ndarray],
        guard: Callable[[asyncpg.Connection], Awaitable[None]] | None,
    ) -> list[tuple[str, int]] | None:
        return await self._vectors.write(
            chunks,
            vectors,
            lambda: self._repo.complete_file(file_id, content, content_hash, chunks, vectors, guard),
        )

    async def _embed_new(
        self, chunks: list[StoredChunk], job_id: str | None = None
    ) -> dict[bytes, np.ndarray]:
        """Vectors for the distinct chunk texts no file has had embedded before; a cancelled job
        stops before its next slice."""
        return await self._vectors.missing(chunks, lambda: self._stop_if_cancelled(job_id))
