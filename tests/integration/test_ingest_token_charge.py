"""A processed file is charged to its uploader's token limits at the tokens its embedded texts
count with the packaged tokenizer (as its usage record counts them), not a characters/4 guess."""

from collections.abc import AsyncIterator

import asyncpg
import numpy as np
import pytest

from services.common.identity import Identity
from services.common.migrations import apply_migrations
from services.common.usage.estimate import TokenEstimator
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.main import MIGRATIONS
from services.ingest.models import CollectionChange, FileStatus
from services.ingest.processing import ChunkingParams, FileProcessor, Outcome
from services.ingest.repository import IngestRepository
from services.ingest.vector_index import IndexParams
from tests.integration.index_seed import unit_vectors

# Words the WordPiece tokenizer splits into several tokens each: characters/4 would be far off.
TEXT = "Quotas charge tokenization of antidisestablishmentarianism. " * 6


class _Publisher:
    async def change(self, change: CollectionChange) -> None:
        return None

    async def status(self, file_id: str, status: FileStatus, error: str | None = None) -> None:
        return None


class _Embedder:
    def embed(self, texts: list[str]) -> np.ndarray:
        return unit_vectors(np.random.default_rng(len(texts)), len(texts))


class _Limiter:
    def __init__(self) -> None:
        self.charged: list[tuple[Identity, int]] = []

    async def charge(self, identity: Identity, tokens: int) -> None:
        self.charged.append((identity, tokens))


@pytest.fixture
async def repo(database_url: str) -> AsyncIterator[IngestRepository]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        await apply_migrations(pool, "ingest", MIGRATIONS)
        yield IngestRepository(pool)
    finally:
        await pool.close()


async def test_processing_charges_the_tokenizer_count(repo: IngestRepository) -> None:
    async with repo.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, updated_at) "
            "VALUES ('charged', 'u7', 'charged.txt', 'text/plain', 'pending', 0, 0)"
        )
        await conn.execute(
            "INSERT INTO ingest_file_part (file_id, seq, data) VALUES ('charged', 0, $1)", TEXT.encode()
        )
    limiter = _Limiter()
    processor = FileProcessor(
        repo,
        _Embedder(),  # type: ignore[arg-type]
        CollectionIndexes(repo, IndexParams(), _Publisher(), "r1"),  # type: ignore[arg-type]
        _Publisher(),  # type: ignore[arg-type]
        ChunkingParams(10_000, 0, True),
        DaemonThread("test-model"),
        limiter=limiter,  # type: ignore[arg-type]
    )
    assert await processor.process("charged") is Outcome.COMPLETED
    [(who, tokens)] = limiter.charged
    assert who.user_id == "u7"
    expected = TokenEstimator().count(TEXT.strip())
    assert tokens == expected
    assert tokens != len(TEXT.strip()) // 4
