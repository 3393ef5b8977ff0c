"""Uploads still arriving: their parts are staged in short statements, so a slow client holds no
pooled connection and no transaction; the file row takes them over in one short transaction at the
end. Also the per-user bound on uploads in flight, the idle bound on a stalled stream, and the
sweep of uploads whose process died."""

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from services.common import errors, messages

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StagingLimits:
    # Uploads one user may have arriving at once (over every replica).
    max_per_user: int
    # A stream that sends nothing for this long is ended (its staged parts dropped).
    idle_timeout_s: float
    # Staged uploads of a live process are touched this often; one untouched for ``stale_after_s``
    # belonged to a process that died, and is dropped.
    heartbeat_s: float = 30.0
    stale_after_s: float = 300.0


def _user_lock_key(user_id: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"ingest-upload:{user_id}".encode()).digest()[:8], "big", signed=True
    )


async def with_idle_timeout(items: AsyncIterator[T], idle_s: float) -> AsyncIterator[T]:
    """``items`` as they come; a gap longer than ``idle_s`` ends the stream with a timeout."""
    iterator = aiter(items)
    while True:
        try:
            async with asyncio.timeout(idle_s):
                item = await anext(iterator)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise errors.Timeout(messages.UPLOAD_STALLED) from None
        yield item


class UploadStaging:
    def __init__(self, pool: asyncpg.Pool, limits: StagingLimits) -> None:
        self._pool = pool
        self.limits = limits
        # Uploads this process is receiving: kept touched so that no sweep takes them.
        self._live: set[str] = set()

    async def begin(self, upload_id: str, user_id: str) -> None:
        """Registers an upload, or refuses it when the user already has the most allowed arriving.
        The user's advisory lock makes count-then-insert atomic across replicas."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _user_lock_key(user_id))
            arriving = await conn.fetchval(
                "SELECT count(*) FROM ingest_upload WHERE user_id = $1 AND touched_at > $2",
                user_id,
                int(time.time() - self.limits.stale_after_s),
            )
            if arriving >= self.limits.max_per_user:
                raise errors.ResourceExhausted(messages.too_many_uploads(self.limits.max_per_user))
            await conn.execute(
                "INSERT INTO ingest_upload (id, user_id, touched_at) VALUES ($1, $2, $3)",
                upload_id,
                user_id,
                int(time.time()),
            )
        self._live.add(upload_id)

    async def stage(self, upload_id: str, seq: int, data: bytes) -> None:
        await self._pool.execute(
            "INSERT INTO ingest_upload_part (upload_id, seq, data) VALUES ($1, $2, $3)", upload_id, seq, data
        )

    async def take_over(self, conn: asyncpg.Connection, upload_id: str, file_id: str) -> None:
        """Inside the transaction that creates the file row: its parts move to the file."""
        await conn.execute(
            "INSERT INTO ingest_file_part (file_id, seq, data) "
            "SELECT $2, seq, data FROM ingest_upload_part WHERE upload_id = $1",
            upload_id,
            file_id,
        )
        await conn.execute("DELETE FROM ingest_upload WHERE id = $1", upload_id)

    async def release(self, upload_id: str, *, drop: bool) -> None:
        """The upload is over: committed (its row is gone already) or abandoned (``drop``)."""
        self._live.discard(upload_id)
        if drop:
            try:
                await self._pool.execute("DELETE FROM ingest_upload WHERE id = $1", upload_id)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                # The sweep drops it once it is no longer touched.
                log.warning("abandoned upload %s left for the sweep: %s", upload_id, type(error).__name__)

    async def keep_alive(self) -> None:
        """Touches this process's uploads and drops those no live process touches; runs for ever
        (supervised)."""
        while True:
            stamp = int(time.time())
            if self._live:
                await self._pool.execute(
                    "UPDATE ingest_upload SET touched_at = $2 WHERE id = ANY($1::text[])",
                    list(self._live),
                    stamp,
                )
            swept = await self._pool.execute(
                "DELETE FROM ingest_upload WHERE touched_at < $1", stamp - int(self.limits.stale_after_s)
            )
            if swept != "DELETE 0":
                log.info("dropped abandoned uploads: %s", swept)
            await asyncio.sleep(self.limits.heartbeat_s)
