"""Chunk texts kept in memory for search, so that a search's hits need no database round trip.

Chunk rows never change: an edit deletes a file's chunks and inserts new ones under new ids (ids
come from a sequence and are never reused), so a cached (text, metadata) is right for as long as
its id exists. A search only looks up ids its collection's current FAISS copy returned.

Filled two ways: the hits a search had to fetch, and, after a collection's copy is first searched
(or changed), the texts of its whole copy in the background when they fit the budget. Bounded by an
estimate of the bytes held; least recently used texts are dropped beyond it.
"""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import asyncpg
import orjson

log = logging.getLogger(__name__)

# Per entry besides the texts' own bytes: two str headers, the tuple, the int key and the
# OrderedDict's links, rounded up.
_OVERHEAD = 300
# Ids fetched per query when a whole collection is read in.
_BATCH = 5000
# A chunk's text, metadata and overhead, about (CHUNK_SIZE 1000): what a read-in is sized by.
_TYPICAL_CHUNK = 2000


async def chunk_rows(pool: asyncpg.Pool, chunk_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(text, metadata JSON) of the chunks among ``chunk_ids`` that exist (file chunks and the
    chunks of free-standing text collections)."""
    rows = await pool.fetch(
        "SELECT id, text, metadata::text AS metadata FROM ingest_chunk WHERE id = ANY($1::bigint[]) "
        "UNION ALL SELECT id, text, metadata::text FROM ingest_text_chunk WHERE id = ANY($1::bigint[])",
        list(chunk_ids),
    )
    return {r["id"]: (r["text"], r["metadata"]) for r in rows}


def _size(entry: tuple[str, str]) -> int:
    return len(entry[0]) + len(entry[1]) + _OVERHEAD


class ChunkTextCache:
    """Chunk id → (text, metadata JSON), least recently used dropped beyond ``max_bytes``."""

    def __init__(self, pool: asyncpg.Pool, max_bytes: int) -> None:
        self._pool = pool
        self._max = max_bytes
        self._entries: OrderedDict[int, tuple[str, str]] = OrderedDict()
        self._bytes = 0
        # Collection → the copy version whose texts were read in (or are being read).
        self._warmed: dict[str, int] = {}
        self._tasks: set[asyncio.Task] = set()

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    async def chunks(self, chunk_ids: Sequence[int]) -> dict[int, tuple[str, dict]]:
        """(text, metadata) of the chunks among ``chunk_ids`` that exist, as
        ``IngestRepository.chunks`` gives them; only those not held are read from Postgres."""
        held: dict[int, tuple[str, str]] = {}
        missing: list[int] = []
        for chunk_id in chunk_ids:
            entry = self._entries.get(chunk_id)
            if entry is None:
                missing.append(chunk_id)
            else:
                self._entries.move_to_end(chunk_id)
                held[chunk_id] = entry
        if missing:
            fetched = await chunk_rows(self._pool, missing)
            self._put(fetched.items())
            held.update(fetched)
        # Parsed per call: callers get metadata dicts of their own.
        return {chunk_id: (text, orjson.loads(metadata)) for chunk_id, (text, metadata) in held.items()}

    def warm(self, name: str, version: int, chunk_ids: Iterable[int], count: int) -> None:
        """Reads in the texts of a collection's copy (``count`` chunks) in the background, once
        per version, when they would fit in half the budget."""
        if self._warmed.get(name) == version or not self._max:
            return
        self._warmed[name] = version
        if count * _TYPICAL_CHUNK > self._max // 2:
            return
        task = asyncio.get_running_loop().create_task(self._read_in(name, list(chunk_ids)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_in(self, name: str, chunk_ids: list[int]) -> None:
        wanted = [chunk_id for chunk_id in chunk_ids if chunk_id not in self._entries]
        try:
            for start in range(0, len(wanted), _BATCH):
                self._put((await chunk_rows(self._pool, wanted[start : start + _BATCH])).items())
        except (OSError, asyncpg.PostgresError) as error:
            # Only a warm-up: searches still read what they miss.
            log.warning("reading in the chunk texts of %s failed: %s", name, type(error).__name__)
            self._warmed.pop(name, None)

    def _put(self, entries: Iterable[tuple[int, tuple[str, str]]]) -> None:
        for chunk_id, entry in entries:
            old = self._entries.pop(chunk_id, None)
            if old is not None:
                self._bytes -= _size(old)
            self._entries[chunk_id] = entry
            self._bytes += _size(entry)
        while self._bytes > self._max and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= _size(dropped)
