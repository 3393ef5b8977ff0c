"""Embedding garbage collection on real Postgres: orphans only, and never one a writer reuses."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import numpy as np
import pytest

from services.common.migrations import apply_migrations
from services.ingest.embedding_gc import EmbeddingCollector, EmbeddingsGone, pin_embeddings
from services.ingest.file_ops_repository import FileOpsRepository
from services.ingest.main import MIGRATIONS
from services.ingest.models import StoredChunk
from services.ingest.repository import IngestRepository
from services.ingest.text_repository import TextDocument, TextRepository
from tests.integration.index_seed import seed_file, text_hash, unit_vectors


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=6)
    try:
        await apply_migrations(pool, "ingest", MIGRATIONS)
        yield pool
    finally:
        await pool.close()


async def stored(pool: asyncpg.Pool) -> set[bytes]:
    return {bytes(r["text_hash"]) for r in await pool.fetch("SELECT text_hash FROM ingest_embedding")}


async def add_orphans(pool: asyncpg.Pool, texts: list[str]) -> None:
    vectors = unit_vectors(np.random.default_rng(len(texts)), len(texts))
    await pool.executemany(
        "INSERT INTO ingest_embedding (text_hash, vector) VALUES ($1, $2)",
        [(text_hash(t), v.tobytes()) for t, v in zip(texts, vectors, strict=True)],
    )


async def add_text(pool: asyncpg.Pool, collection: str, text: str) -> None:
    """A free-standing text of one chunk in ``collection``, through the text repository."""
    chunk = StoredChunk(0, text, text_hash(text), {})
    await TextRepository(pool).add(
        collection, "u1", [TextDocument("n", text_hash(text).hex(), [chunk], text)], {}
    )


async def test_only_unused_embeddings_are_collected(pool: asyncpg.Pool) -> None:
    rng = np.random.default_rng(1)
    async with pool.acquire() as conn:
        await seed_file(conn, "f1", ["kept", "shared"], unit_vectors(rng, 2))
        await seed_file(conn, "f2", ["shared", "second"], unit_vectors(rng, 2))
    await add_orphans(pool, [f"orphan {i}" for i in range(7)])
    # A free-standing text's chunk keeps its embedding too.
    await add_orphans(pool, ["text only"])
    await add_text(pool, "notes", "text only")
    used = {text_hash(t) for t in ["kept", "shared", "second", "text only"]}

    # Windows of 3 rows: several rounds, each bounded, until the pass wraps around.
    collector = EmbeddingCollector(pool, batch=3, interval_s=60)
    rounds = [await collector.collect_round() for _ in range(4)]
    assert all(r.scanned <= 3 for r in rounds)
    assert await stored(pool) == used
    assert collector.deleted == 7

    # Deleting a file cascades to its chunks; the embedding it shared stays with the other file.
    await pool.execute("DELETE FROM ingest_file WHERE id = 'f2'")
    for _ in range(3):
        await collector.collect_round()
    assert await stored(pool) == used - {text_hash("second")}


async def test_a_reused_embedding_locked_by_a_writer_survives(pool: asyncpg.Pool) -> None:
    rng = np.random.default_rng(2)
    async with pool.acquire() as conn:
        await seed_file(conn, "f1", ["old"], unit_vectors(rng, 1))
    await add_orphans(pool, ["reused", "lost"])
    collector = EmbeddingCollector(pool, batch=100, interval_s=60)

    # A writer found "reused" in known_embeddings and now commits chunks naming it.
    async with pool.acquire() as writer, writer.transaction():
        await pin_embeddings(writer, [text_hash("reused")], {})
        await writer.execute(
            "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, updated_at) "
            "VALUES ('f2', 'u1', 'f2', 'text/plain', 'completed', 0, 0)"
        )
        # The collector meanwhile passes over the locked row rather than wait for it.
        done = await asyncio.wait_for(collector.collect_round(), 5)
        assert done.deleted == 1
        await writer.execute(
            "INSERT INTO ingest_chunk (file_id, seq, text, text_hash, metadata) "
            "VALUES ('f2', 0, 'reused', $1, '{}')",
            text_hash("reused"),
        )
    await collector.collect_round()
    assert await stored(pool) == {text_hash("old"), text_hash("reused")}


async def test_a_writer_after_the_collector_finds_the_embedding_gone(pool: asyncpg.Pool) -> None:
    await add_orphans(pool, ["reused"])
    async with pool.acquire() as collector, pool.acquire() as writer:
        # The collector's two statements, with the writer arriving between lock and commit.
        tx = collector.transaction()
        await tx.start()
        locked = await collector.fetch(
            "SELECT text_hash FROM ingest_embedding WHERE text_hash = $1 FOR UPDATE SKIP LOCKED",
            text_hash("reused"),
        )
        assert len(locked) == 1

        async def write() -> None:
            async with writer.transaction():
                await pin_embeddings(writer, [text_hash("reused")], {})

        writing = asyncio.create_task(write())
        await asyncio.sleep(0.2)
        assert not writing.done()  # waits for the collector's lock
        await collector.execute("DELETE FROM ingest_embedding WHERE text_hash = $1", text_hash("reused"))
        await tx.commit()
        with pytest.raises(EmbeddingsGone) as gone:
            await asyncio.wait_for(writing, 5)
        assert gone.value.missing == {text_hash("reused")}

    # Embedded again and stored with the chunks, the retry goes through.
    vector = unit_vectors(np.random.default_rng(3), 1)[0]
    async with pool.acquire() as writer, writer.transaction():
        await pin_embeddings(writer, [text_hash("reused")], {text_hash("reused"): vector})
    assert await stored(pool) == {text_hash("reused")}


async def test_concurrent_collectors_and_writers_never_leave_a_chunk_without_its_vector(
    pool: asyncpg.Pool,
) -> None:
    """Replicas collecting while writers keep reusing orphaned embeddings: every chunk committed
    names an embedding that exists."""
    texts = [f"text {i}" for i in range(200)]
    await add_orphans(pool, texts)
    rng = np.random.default_rng(4)
    collectors = [EmbeddingCollector(pool, batch=50, interval_s=60) for _ in range(2)]
    gone = 0

    async def writer(number: int) -> None:
        nonlocal gone
        for round_ in range(10):
            file_id = f"w{number}-{round_}"
            picked = [texts[i] for i in rng.choice(len(texts), 5, replace=False)]
            new: dict[bytes, np.ndarray] = {}
            # Each retry supplies what was missing; others may go meanwhile, until all are pinned.
            for _ in range(len(picked) + 1):
                try:
                    async with pool.acquire() as conn, conn.transaction():
                        await pin_embeddings(conn, [text_hash(t) for t in picked], new)
                        await seed_file(conn, file_id, picked)
                    break
                except EmbeddingsGone as error:
                    gone += 1
                    new.update({h: unit_vectors(rng, 1)[0] for h in error.missing})

    async def collect(collector: EmbeddingCollector) -> None:
        for _ in range(20):
            await collector.collect_round()
            await asyncio.sleep(0)

    await asyncio.gather(*(writer(n) for n in range(3)), *(collect(c) for c in collectors))
    dangling = await pool.fetchval(
        "SELECT count(*) FROM ingest_chunk c WHERE NOT EXISTS "
        "(SELECT 1 FROM ingest_embedding e WHERE e.text_hash = c.text_hash)"
    )
    assert dangling == 0
    assert await pool.fetchval("SELECT count(*) FROM ingest_chunk") == 3 * 10 * 5


async def test_deleting_a_knowledge_base_leaves_its_texts_embeddings_to_the_collector(
    pool: asyncpg.Pool,
) -> None:
    repo = IngestRepository(pool)
    await pool.execute(
        "INSERT INTO ingest_knowledge (id, user_id, name, created_at, updated_at) "
        "VALUES ('kb', 'u1', 'kb', 0, 0)"
    )
    await add_orphans(pool, ["kb text"])
    await add_text(pool, "kb", "kb text")
    collector = EmbeddingCollector(pool, batch=100, interval_s=60)
    await collector.collect_round()
    assert await stored(pool) == {text_hash("kb text")}
    await repo.delete_knowledge("kb")
    assert await pool.fetchval("SELECT count(*) FROM ingest_text_chunk") == 0
    await collector.collect_round()
    assert await stored(pool) == set()


async def test_every_writer_refuses_chunks_whose_embedding_was_collected(pool: asyncpg.Pool) -> None:
    """Files processed, file texts replaced and texts added to a collection all pin what they reuse:
    a reused embedding that is gone rolls the write back (nothing half-written), and with its vector
    supplied the same write goes through."""
    repo, file_ops, texts = IngestRepository(pool), FileOpsRepository(pool), TextRepository(pool)
    await pool.execute(
        "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, updated_at) "
        "VALUES ('f', 'u1', 'f.txt', 'text/plain', 'pending', 0, 0)"
    )
    await texts.create("notes", "u1")
    chunk = StoredChunk(0, "gone", text_hash("gone"), {})
    vector = {text_hash("gone"): unit_vectors(np.random.default_rng(7), 1)[0]}
    writes = [
        lambda new: repo.complete_file("f", "gone", "h1", [chunk], new),
        lambda new: file_ops.replace_text("f", "gone", "h2", [chunk], new),
        lambda new: texts.add("notes", "u1", [TextDocument("n", "h3", [chunk])], new),
    ]
    for write in writes:
        await pool.execute("DELETE FROM ingest_embedding")
        with pytest.raises(EmbeddingsGone):
            await write({})
        assert await pool.fetchval("SELECT count(*) FROM ingest_text_chunk") == 0
        assert await write(dict(vector)) is not None
    dangling = await pool.fetchval(
        "SELECT count(*) FROM (SELECT text_hash FROM ingest_chunk UNION ALL "
        "SELECT text_hash FROM ingest_text_chunk) c WHERE NOT EXISTS "
        "(SELECT 1 FROM ingest_embedding e WHERE e.text_hash = c.text_hash)"
    )
    assert dangling == 0
