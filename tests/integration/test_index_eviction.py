"""The FAISS memory cap on real Postgres, and file processing racing the embedding collector."""

from collections.abc import AsyncIterator

import asyncpg
import numpy as np
import pytest

from services.common.collection_names import file_collection
from services.common.migrations import apply_migrations
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.index_memory import estimated_bytes
from services.ingest.main import MIGRATIONS
from services.ingest.models import CollectionChange, FileStatus
from services.ingest.processing import ChunkingParams, FileProcessor, Outcome
from services.ingest.repository import IngestRepository
from services.ingest.vector_index import IndexParams
from tests.integration.index_seed import seed_file, text_hash, unit_vectors
from tests.integration.ingest_support import eventually

PARAMS = IndexParams()
PER_FILE = 60


class NullPublisher:
    """Events go nowhere: one replica, nobody listening."""

    async def change(self, change: CollectionChange) -> None:
        return None

    async def status(self, file_id: str, status: FileStatus, error: str | None = None) -> None:
        return None


@pytest.fixture
async def repo(database_url: str) -> AsyncIterator[IngestRepository]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        await apply_migrations(pool, "ingest", MIGRATIONS)
        yield IngestRepository(pool)
    finally:
        await pool.close()


async def test_evicted_collection_reloads_and_gives_the_same_hits(repo: IngestRepository) -> None:
    rng = np.random.default_rng(5)
    async with repo.pool.acquire() as conn:
        for name in "abc":
            await seed_file(conn, name, [f"{name} {i}" for i in range(PER_FILE)], unit_vectors(rng, PER_FILE))
    one = estimated_bytes("flat", PER_FILE, PARAMS)
    indexes = CollectionIndexes(repo, PARAMS, NullPublisher(), "r1", memory_cap_bytes=2 * one)  # type: ignore[arg-type]
    query = unit_vectors(rng, 2)

    first = {name: await indexes.search(file_collection(name), query, 5) for name in "abc"}
    assert list(indexes.held) == [file_collection("b"), file_collection("c")]
    assert indexes.memory.evictions == 1 and indexes.memory.held_bytes == 2 * one
    # "a" comes back from Postgres, the least recently searched ("b") makes room.
    assert await indexes.search(file_collection("a"), query, 5) == first["a"]
    assert list(indexes.held) == [file_collection("c"), file_collection("a")]
    assert indexes.memory.evictions == 2


class ForgetfulRepository(IngestRepository):
    """Has the collector take every embedding a file reuses right after the lookup found them."""

    async def known_embeddings(self, hashes):  # type: ignore[no-untyped-def]
        known = await super().known_embeddings(hashes)
        await self.pool.execute(
            "DELETE FROM ingest_embedding WHERE text_hash = ANY($1::bytea[])", list(known)
        )
        return known


class FakeEmbedder:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return unit_vectors(np.random.default_rng(len(self.texts)), len(texts))


async def test_processing_embeds_again_what_the_collector_took(repo: IngestRepository) -> None:
    text = "A reused sentence."
    rng = np.random.default_rng(6)
    async with repo.pool.acquire() as conn:
        # Another file embedded the same text once, then went away: its embedding is an orphan.
        await seed_file(conn, "old", [text], unit_vectors(rng, 1))
        await conn.execute("DELETE FROM ingest_file WHERE id = 'old'")
        await conn.execute(
            "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, updated_at) "
            "VALUES ('new', 'u1', 'new.txt', 'text/plain', 'pending', 0, 0)"
        )
        await conn.execute(
            "INSERT INTO ingest_file_part (file_id, seq, data) VALUES ('new', 0, $1)", text.encode()
        )
    forgetful = ForgetfulRepository(repo.pool)
    embedder = FakeEmbedder()
    thread = DaemonThread("test-model")
    indexes = CollectionIndexes(forgetful, PARAMS, NullPublisher(), "r1")  # type: ignore[arg-type]
    processor = FileProcessor(
        forgetful,
        embedder,  # type: ignore[arg-type]
        indexes,
        NullPublisher(),  # type: ignore[arg-type]
        ChunkingParams(1000, 100, True),
        thread,
    )
    assert await processor.process("new") is Outcome.COMPLETED
    # Known at the lookup, gone at the commit: embedded after all, and stored with the chunk.
    assert embedder.texts == [text]
    assert (
        await repo.pool.fetchval(
            "SELECT count(*) FROM ingest_chunk c JOIN ingest_embedding e USING (text_hash) "
            "WHERE c.file_id = 'new'"
        )
        == 1
    )
    assert (
        await repo.pool.fetchval("SELECT 1 FROM ingest_embedding WHERE text_hash = $1", text_hash(text)) == 1
    )


async def test_the_service_wires_the_cap_and_runs_the_collector(start_ingest) -> None:  # type: ignore[no-untyped-def]
    _, runtime = await start_ingest(INGEST_INDEX_MEMORY_MB=3, EMBEDDING_GC_INTERVAL_S=0.1)
    assert runtime.indexes.memory.cap_bytes == 3 * 2**20
    assert runtime.embedding_gc is not None and runtime.embedding_gc.healthy
    orphan = unit_vectors(np.random.default_rng(8), 1)[0]
    await runtime.pool.execute(
        "INSERT INTO ingest_embedding (text_hash, vector) VALUES ($1, $2)",
        text_hash("orphan"),
        orphan.tobytes(),
    )

    async def collected() -> bool:
        return await runtime.pool.fetchval("SELECT count(*) FROM ingest_embedding") == 0

    assert await eventually(collected, timeout_s=10)
