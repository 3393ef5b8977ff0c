"""Processes one file: extract, chunk, embed what is new, commit, then tell everyone."""

import asyncio
import enum
import hashlib
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from services.common import messages
from services.common.identity import Identity, KeyScope
from services.common.usage.limiter import Limiter
from services.common.usage.record import INGEST, PendingEstimate, UsageRecord
from services.common.usage.recorder import UsageRecorder
from services.ingest.chunking import split_pages
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.embedder import MODEL_NAME, Embedder
from services.ingest.events import EventPublisher
from services.ingest.extract import ExtractionError, document_text, extract
from services.ingest.extract_limits import ExtractLimits
from services.ingest.freed_memory import release_freed_memory
from services.ingest.models import CollectionChange, FileRecord, FileStatus, StoredChunk
from services.ingest.repository import IngestRepository
from services.ingest.shapes import chunk_metadata

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    COMPLETED = "completed"
    FAILED = "failed"
    # Gone, or already finished by an earlier delivery.
    SKIPPED = "skipped"


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
    ) -> None:
        self._thread = model_thread
        # The tokens a file embeds are charged to its upload's token limits: the key it came with,
        # its user and the user's groups (kept on the file row at upload).
        self._limiter = limiter
        # Every file processed queues a usage record here: chunks, and the tokens embedded.
        self._usage = usage if usage is not None and usage.enabled else None
        self._repo = repo
        self._embedder = embedder
        self._indexes = indexes
        self._publisher = publisher
        self._params = params

    async def process(self, file_id: str) -> Outcome:
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
            await self.fail(file_id, error.detail)
            self._record(record, started, "error", 0, [])
            return Outcome.FAILED
        finally:
            # Parsing may have taken hundreds of MB, freed by now but still resident.
            release_freed_memory()
        del data
        vectors = await self._embed_new(chunks)
        changed = await self._repo.complete_file(file_id, content, content_hash, chunks, vectors)
        if changed is None:
            return Outcome.SKIPPED
        # Recorded once the file is committed: a redelivered job that finds it done records nothing.
        embedded = {c.text_hash: c.text for c in chunks if c.text_hash in vectors}
        self._record(record, started, "ok", len(chunks), list(embedded.values()))
        if self._limiter is not None:
            # bytes / 4, as chat admission estimates: cheap, on the worker, no tokenizer pass.
            tokens = sum(len(text) for text in embedded.values()) // 4
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
        usage = UsageRecord(
            INGEST,
            record.user_id,
            record.key_id,
            record.group_ids,
            model=MODEL_NAME,
            upstream="ingest",
            status=status,
            latency_ms=int((time.perf_counter() - started) * 1000),
            chunks=chunks,
            request_id=record.id,
        )
        if embedded:
            usage.pending = PendingEstimate(input_text=lambda: "\n".join(embedded), exact=True)
        self._usage.record(usage)

    async def fail(self, file_id: str, error: str) -> None:
        if await self._repo.fail_file(file_id, error):
            await self._publisher.status(file_id, FileStatus.FAILED, error)
            log.info("file %s failed: %s", file_id, error)

    def _prepare(self, record: FileRecord, data: bytes) -> tuple[str, str, list[StoredChunk]]:
        """Extraction and splitting (CPU only; runs in a thread)."""
        pages = extract(data, record.filename, record.content_type, self._params.extract_limits)
        content = document_text(pages)
        pieces = split_pages(
            pages,
            chunk_size=self._params.chunk_size,
            chunk_overlap=self._params.chunk_overlap,
            markdown_headers=self._params.markdown_headers,
        )
        if not pieces:
            raise ExtractionError(messages.EMPTY_CONTENT)
        content_hash = hashlib.sha256(content.encode()).hexdigest()
        chunks = []
        for seq, piece in enumerate(pieces):
            chunks.append(
                StoredChunk(
                    seq=seq,
                    text=piece.text,
                    text_hash=hashlib.sha256(piece.text.encode()).digest(),
                    metadata=chunk_metadata(record, piece.metadata, piece.start_index, content_hash),
                )
            )
        return content, content_hash, chunks

    async def _embed_new(self, chunks: list[StoredChunk]) -> dict[bytes, np.ndarray]:
        """Vectors for the distinct chunk texts no file has had embedded before."""
        distinct: dict[bytes, str] = {}
        for chunk in chunks:
            distinct.setdefault(chunk.text_hash, chunk.text)
        known = await self._repo.known_embeddings(list(distinct))
        todo = [(h, t) for h, t in distinct.items() if h not in known]
        vectors: dict[bytes, np.ndarray] = {}
        step = self._params.embed_slice
        for start in range(0, len(todo), step):
            part = todo[start : start + step]
            embedded = await self._thread.run(self._embedder.embed, [t for _, t in part])
            for (text_hash, _), vector in zip(part, embedded, strict=True):
                vectors[text_hash] = vector
        return vectors
