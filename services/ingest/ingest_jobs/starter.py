"""Creating a job and handing it to the workers (see the package docstring)."""

import logging

import asyncpg

from services.ingest.ingest_jobs.repository import JobSpec, insert_job
from services.ingest.jobs import JobQueue

log = logging.getLogger(__name__)

# Inside the caller's transaction: ``await create_job(conn, JobSpec(...))`` returns the job id.
create_job = insert_job

__all__ = ["JobSpec", "JobStarter", "create_job"]


class JobStarter:
    """Creates jobs and publishes them (the message is the job id, deduplicated on it)."""

    def __init__(self, pool: asyncpg.Pool, queue: JobQueue) -> None:
        self._pool = pool
        self._queue = queue

    async def start(self, spec: JobSpec) -> str:
        """Creates a job in a transaction of its own and publishes it; returns its id."""
        async with self._pool.acquire() as conn, conn.transaction():
            job_id = await create_job(conn, spec)
        await self.publish(job_id)
        return job_id

    async def publish(self, *job_ids: str) -> None:
        """Publishes committed jobs; one that cannot be published is left to the re-queue sweep."""
        for job_id in job_ids:
            await self._queue.try_publish(job_id)
