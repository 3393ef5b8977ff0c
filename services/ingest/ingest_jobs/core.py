"""Jobs and batches for their owners (admins: everyone's): list, read, cancel, retry, batches.

Access: a job or batch is its creator's; ``services.common.access`` decides (owner or admin), and
anything else is a 404 that reveals nothing."""

import logging

from services.common import access, errors, messages
from services.common.identity import Identity
from services.ingest.access import key_lists_reads
from services.ingest.events import EventPublisher
from services.ingest.ingest_jobs.callback_urls import CallbackPolicy, CallbackUrlRefused
from services.ingest.ingest_jobs.models import RETRYABLE_STATES, BatchRecord, JobRecord, JobState
from services.ingest.ingest_jobs.repository import CANCELLED_ERROR, JobFilter, JobsRepository
from services.ingest.ingest_jobs.starter import JobStarter
from services.ingest.models import FileStatus

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_ID_CHARS = 255


def _mine(caller: Identity, owner_id: str) -> bool:
    return access.can_write(caller, owner_id, ())


def _key_reaches(caller: Identity, job: JobRecord) -> bool:
    """An API key that names files or collections reaches only the jobs of files it names."""
    return not key_lists_reads(caller) or access.key_allows_file(caller, job.file_id)


class JobsCore:
    def __init__(
        self,
        repo: JobsRepository,
        starter: JobStarter,
        publisher: EventPublisher,
        policy: CallbackPolicy,
    ) -> None:
        self._repo = repo
        self._starter = starter
        self._publisher = publisher
        self.policy = policy

    def check_callback_url(self, url: str) -> str | None:
        """``url`` if allowed (None when empty); a 400 with the reason otherwise."""
        if not url:
            return None
        try:
            return self.policy.check(url)
        except CallbackUrlRefused as refusal:
            raise errors.InvalidArgument(str(refusal)) from None

    async def usable_batch(self, caller: Identity, batch_id: str) -> str | None:
        """``batch_id`` if the caller may add jobs to it (None when empty); 404 otherwise."""
        if not batch_id:
            return None
        await self.batch(caller, batch_id, with_counts=False)
        return batch_id

    async def job(self, caller: Identity, job_id: str) -> JobRecord:
        job = await self._repo.get(job_id) if len(job_id) <= MAX_ID_CHARS else None
        if job is None or not _mine(caller, job.user_id) or not _key_reaches(caller, job):
            raise errors.NotFound(messages.NOT_FOUND)
        return job

    async def batch(self, caller: Identity, batch_id: str, with_counts: bool = True) -> BatchRecord:
        batch = await self._repo.get_batch(batch_id, with_counts) if len(batch_id) <= MAX_ID_CHARS else None
        if batch is None or not _mine(caller, batch.user_id):
            raise errors.NotFound(messages.NOT_FOUND)
        return batch

    async def list_jobs(
        self, caller: Identity, state: JobState | None, batch_id: str, file_id: str, page: int
    ) -> tuple[list[JobRecord], int]:
        if len(batch_id) > MAX_ID_CHARS or len(file_id) > MAX_ID_CHARS:
            return [], 0
        where = JobFilter(
            owner_id=None if caller.is_admin else caller.user_id,
            state=state,
            batch_id=batch_id or None,
            file_id=file_id or None,
        )
        jobs, total = await self._repo.list_jobs(where, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE)
        if key_lists_reads(caller):
            # A key that names its files sees only those jobs (on this page), as the files list does.
            jobs = [job for job in jobs if _key_reaches(caller, job)]
        return jobs, total

    async def cancel_job(self, caller: Identity, job_id: str) -> JobRecord:
        job = await self.job(caller, job_id)
        await self._announce(await self._repo.cancel([job.id], None))
        return await self.job(caller, job_id)

    async def cancel_batch(self, caller: Identity, batch_id: str) -> tuple[int, BatchRecord]:
        batch = await self.batch(caller, batch_id, with_counts=False)
        cancelled = await self._repo.cancel(None, batch.id)
        await self._announce(cancelled)
        return len(cancelled), await self.batch(caller, batch_id)

    async def retry_job(self, caller: Identity, job_id: str) -> JobRecord:
        job = await self.job(caller, job_id)
        if job.state not in RETRYABLE_STATES:
            raise errors.InvalidArgument(
                f"Only a failed or cancelled job can be retried; this one is {job.state}."
            )
        (new_id,) = await self._repo.retry([job])
        await self._starter.publish(new_id)
        return await self.job(caller, new_id)

    async def retry_batch(self, caller: Identity, batch_id: str) -> tuple[int, BatchRecord]:
        batch = await self.batch(caller, batch_id, with_counts=False)
        new_ids = await self._repo.retry(await self._repo.retryable_of_batch(batch.id))
        await self._starter.publish(*new_ids)
        return len(new_ids), await self.batch(caller, batch_id)

    async def create_batch(self, caller: Identity, callback_url: str) -> BatchRecord:
        return await self._repo.create_batch(caller.user_id, self.check_callback_url(callback_url))

    async def _announce(self, cancelled: list[JobRecord]) -> None:
        """Status events for the cancelled jobs' files (watchers end at once); core NATS
        publishes, buffered, no round trip each."""
        for job in cancelled:
            await self._publisher.status(job.file_id, FileStatus.CANCELLED, CANCELLED_ERROR)
        if cancelled:
            log.info("cancelled %d jobs", len(cancelled))
