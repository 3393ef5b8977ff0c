"""Seeds files, chunks and embeddings straight into ingest's tables (no extraction, no model)."""

import hashlib
import time

import asyncpg
import numpy as np

from services.common.collection_names import file_collection


def unit_vectors(rng: np.random.Generator, count: int, dimension: int = 384) -> np.ndarray:
    vectors = rng.standard_normal((count, dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def text_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


async def seed_file(
    conn: asyncpg.Connection, file_id: str, texts: list[str], vectors: np.ndarray | None = None
) -> None:
    """A completed file with one chunk per text; ``vectors`` (one per text) are stored as their
    embeddings where none exists yet."""
    stamp = int(time.time())
    await conn.execute(
        "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, updated_at) "
        "VALUES ($1, 'u1', $2, 'text/plain', 'completed', $3, $3)",
        file_id,
        f"{file_id}.txt",
        stamp,
    )
    if vectors is not None:
        await conn.executemany(
            "INSERT INTO ingest_embedding (text_hash, vector) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [(text_hash(t), v.astype("<f4").tobytes()) for t, v in zip(texts, vectors, strict=True)],
        )
    await conn.copy_records_to_table(
        "ingest_chunk",
        records=[(file_id, seq, t, text_hash(t), "{}") for seq, t in enumerate(texts)],
        columns=["file_id", "seq", "text", "text_hash", "metadata"],
    )
    await conn.execute(
        "INSERT INTO ingest_collection (name, version) VALUES ($1, 1) "
        "ON CONFLICT (name) DO UPDATE SET version = ingest_collection.version + 1",
        file_collection(file_id),
    )
