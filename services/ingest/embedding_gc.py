"""Deletes embeddings no chunk uses any more, safely against writers that reuse them.

``ingest_embedding`` is content-addressed and shared: a writer (file processing, a content update,
a text added to a collection) looks up which of its chunk texts are embedded already, embeds only
the others, and later inserts chunks naming the hashes it found. A collector that deleted one of
those embeddings in between would leave chunks without a vector. Row locks close that gap:

- the writer, in the transaction that inserts its chunks, locks every embedding they name
  ``FOR KEY SHARE`` (``pin_embeddings``); one found missing (collected since the lookup) aborts
  the transaction with ``EmbeddingsGone``, and the writer embeds those texts again and retries;
- the collector locks its candidates ``FOR UPDATE SKIP LOCKED`` (skipping any a writer holds),
  then, in a second statement (a new snapshot under READ COMMITTED), deletes those still unused.
  A writer that locked and committed before the collector's lock has its chunks visible to the
  delete; one that asks for its lock later waits for the collector and then finds the row gone.

Several replicas may collect at once: SKIP LOCKED makes them pass over each other's rows. Each
round looks at a bounded window of embeddings in hash order and moves on, so a round costs the same
whatever the table's size.
"""

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg
import numpy as np

from services.common.errors import Unavailable

log = logging.getLogger(__name__)

# The pause between two rounds of one pass, so that a pass over a large table stays in the
# background of the database's work.
_BETWEEN_ROUNDS_S = 0.1

# A chunk naming the embedding (a file's or a free-standing text's) keeps it.
_UNUSED = (
    "NOT EXISTS (SELECT 1 FROM ingest_chunk c WHERE c.text_hash = e.text_hash) "
    "AND NOT EXISTS (SELECT 1 FROM ingest_text_chunk t WHERE t.text_hash = e.text_hash)"
)


class EmbeddingsGone(Unavailable):
    """Embeddings a writer counted on were collected meanwhile: embed these again and retry.

    A writer that does not retry by itself answers 503: the client's retry looks them up again.
    """

    def __init__(self, missing: frozenset[bytes]) -> None:
        super().__init__("Some stored embeddings changed meanwhile; please try again.")
        self.missing = missing


async def pin_embeddings(
    conn: asyncpg.Connection, hashes: Iterable[bytes], new_vectors: dict[bytes, np.ndarray]
) -> None:
    """Inside the writer's transaction: stores ``new_vectors`` and locks every embedding in
    ``hashes`` against collection until commit; raises ``EmbeddingsGone`` for any not there."""
    if new_vectors:
        await conn.executemany(
            "INSERT INTO ingest_embedding (text_hash, vector) VALUES ($1, $2) "
            "ON CONFLICT (text_hash) DO NOTHING",
            [(h, v.astype("<f4").tobytes()) for h, v in new_vectors.items()],
        )
    wanted = set(hashes) | set(new_vectors)
    if not wanted:
        return
    # Sorted, so that writers lock in one order (KEY SHARE locks never conflict with each other,
    # but a collector's FOR UPDATE may sit between them).
    rows = await conn.fetch(
        "SELECT text_hash FROM ingest_embedding WHERE text_hash = ANY($1::bytea[]) "
        "ORDER BY text_hash FOR KEY SHARE",
        sorted(wanted),
    )
    missing = wanted - {bytes(r["text_hash"]) for r in rows}
    if missing:
        raise EmbeddingsGone(frozenset(missing))


@dataclass(frozen=True, slots=True)
class GcRound:
    scanned: int
    deleted: int


class EmbeddingCollector:
    """The periodic collection loop of one replica (supervised by the caller)."""

    def __init__(self, pool: asyncpg.Pool, batch: int, interval_s: float) -> None:
        self._pool = pool
        self._batch = batch
        self._interval_s = interval_s
        # Where the next round's window starts (hash order); wraps to the start at the end.
        self._after = b""
        self.deleted = 0

    @property
    def pass_done(self) -> bool:
        """True when the next round starts again from the top of the table."""
        return self._after == b""

    async def collect_round(self) -> GcRound:
        """Looks at up to ``batch`` embeddings after the cursor; deletes those unused."""
        start = self._after
        window = await self._pool.fetchrow(
            "SELECT count(*) AS n, max(text_hash) AS last FROM ("
            "SELECT text_hash FROM ingest_embedding WHERE text_hash > $1 ORDER BY text_hash LIMIT $2) w",
            start,
            self._batch,
        )
        scanned, last = window["n"], window["last"]
        # A short window reached the end of the table: the next round starts again from the top.
        self._after = bytes(last) if last is not None and scanned >= self._batch else b""
        if not scanned:
            return GcRound(0, 0)
        async with self._pool.acquire() as conn, conn.transaction():
            candidates = await conn.fetch(
                "SELECT e.text_hash FROM ingest_embedding e WHERE e.text_hash > $1 AND e.text_hash <= $2 "
                f"AND {_UNUSED} FOR UPDATE OF e SKIP LOCKED",
                start,
                last,
            )
            if not candidates:
                return GcRound(scanned, 0)
            # A second statement, a new snapshot: chunks committed by writers that held one of
            # these rows until our lock are seen here and keep their embedding.
            status = await conn.execute(
                f"DELETE FROM ingest_embedding e WHERE e.text_hash = ANY($1::bytea[]) AND {_UNUSED}",
                [r["text_hash"] for r in candidates],
            )
        deleted = int(status.split()[-1])
        self.deleted += deleted
        if deleted:
            log.info("collected %d unused embeddings", deleted)
        return GcRound(scanned, deleted)

    async def run(self) -> None:
        """Rounds for ever: a pass over the whole table, then a pause of one interval."""
        while True:
            await self.collect_round()
            await asyncio.sleep(self._interval_s if self.pass_done else _BETWEEN_ROUNDS_S)
