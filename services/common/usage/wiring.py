"""What a service that writes usage records starts: the usage migrations, the batching recorder and
the roll-up job; ``close()`` belongs on its SIGTERM path after the server drained."""

from pathlib import Path

import asyncpg

from services.common.migrations import apply_migrations
from services.common.usage.recorder import PostgresSink, UsageRecorder
from services.common.usage.rollup import RollupJob
from services.common.usage.settings import RecordingSettings

# Applied under the name "usage" by every service that writes records (inference, ingest): the
# first to start creates the tables, the others find them applied.
MIGRATIONS = Path(__file__).parent / "migrations"


class Recording:
    def __init__(self, pool: asyncpg.Pool, settings: RecordingSettings) -> None:
        self.settings = settings
        self.recorder = UsageRecorder(PostgresSink(pool, settings.write_timeout_s), settings)
        self._rollup = RollupJob(
            pool, settings.rollup_after_days, settings.rollup_interval_s, settings.rollup_batch
        )

    def start(self) -> None:
        self.recorder.start()
        self._rollup.start()

    async def close(self) -> None:
        """Stops the roll-up and writes every record still queued."""
        await self._rollup.close()
        await self.recorder.close()


async def start_recording(pool: asyncpg.Pool, settings: RecordingSettings) -> Recording:
    await apply_migrations(pool, "usage", MIGRATIONS)
    recording = Recording(pool, settings)
    recording.start()
    return recording
