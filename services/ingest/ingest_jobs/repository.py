"""Postgres access for jobs, batches and the callback outbox.

Every change of a job's state that ends it writes its callbacks (the job's own, and its batch's
when that was the batch's last unfinished job) in the same transaction.

Lock order, everywhere: file rows (by id), then job rows, then the batch row, so that a cancel, a
retry, a worker's commit and a worker's failure never deadlock one another.
"""

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import orjson

from services.ingest.ingest_jobs.models import BatchRecord, JobRecord, JobState
from services.ingest.ingest_jobs.shapes import BATCH_FINISHED, JOB_FINISHED, batch_json, job_json

CANCELLED_ERROR = "Processing was cancelled."
SUPERSEDED_ERROR = "Superseded by a newer processing request."
SKIPPED_ERROR = "The file was not waiting for processing any more."
_JOB_COLUMNS = (
    "j.id, j.file_id, j.batch_id, j.user_id, j.key_id, j.state, j.attempts, j.error, j.callback_url, "
    "j.retry_of, j.created_at, j.started_at, j.finished_at"
)


def now() -> int:
    return int(time.time())


def _job(row: asyncpg.Record) -> JobRecord:
    return JobRecord(
        id=row["id"],
        file_id=row["file_id"],
        batch_id=row["batch_id"],
        user_id=row["user_id"],
        key_id=row["key_id"],
        state=JobState(row["state"]),
        attempts=row["attempts"],
        error=row["error"],
        callback_url=row["callback_url"],
        retry_of=row["retry_of"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def _storable(value: str) -> bool:
    return "\x00" not in value


class JobCancelled(Exception):
    """The job was cancelled (or superseded) while it ran: stop, commit nothing."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A processing request for a stored file. ``user_id``/``key_id``: who asked (the owner of the
    job, who may list and cancel it)."""

    file_id: str
    user_id: str
    key_id: str = ""
    batch_id: str | None = None
    callback_url: str | None = None
    retry_of: str | None = None


@dataclass(frozen=True, slots=True)
class JobFilter:
    owner_id: str | None
    state: JobState | None = None
    batch_id: str | None = None
    file_id: str | None = None


async def insert_job(conn: asyncpg.Connection, spec: JobSpec) -> str:
    """Queues processing of ``spec.file_id`` in the caller's transaction; an unfinished job of the
    same file is superseded (cancelled), and the file set ``pending``. Returns the new job id."""
    stamp = now()
    await conn.execute("SELECT 1 FROM ingest_file WHERE id = $1 FOR UPDATE", spec.file_id)
    superseded = await conn.fetch(
        f"UPDATE ingest_job j SET state = 'cancelled', error = $2, finished_at = $3 "
        f"WHERE j.file_id = $1 AND j.state IN ('queued', 'running') RETURNING {_JOB_COLUMNS}",
        spec.file_id,
        SUPERSEDED_ERROR,
        stamp,
    )
    job_id = str(uuid.uuid4())
    await conn.execute(
        "INSERT INTO ingest_job (id, file_id, batch_id, user_id, key_id, state, callback_url, retry_of, "
        "created_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8)",
        job_id,
        spec.file_id,
        spec.batch_id,
        spec.user_id,
        spec.key_id,
        spec.callback_url,
        spec.retry_of,
        stamp,
    )
    await conn.execute(
        "UPDATE ingest_file SET status = 'pending', error = NULL, updated_at = $2 WHERE id = $1",
        spec.file_id,
        stamp,
    )
    await _ended(conn, [_job(r) for r in superseded])
    return job_id


async def _ended(conn: asyncpg.Connection, jobs: Sequence[JobRecord]) -> None:
    """Writes the callbacks of jobs that just ended: each job's own, and each batch's that has no
    unfinished job left (its row locked first, so that of two transactions ending a batch's last
    two jobs, the later one sees the other's and writes the batch's callback)."""
    stamp = time.time()
    rows = [
        (job.id, None, job.callback_url, orjson.dumps({"event": JOB_FINISHED, "job": job_json(job)}))
        for job in jobs
        if job.callback_url
    ]
    for batch_id in sorted({job.batch_id for job in jobs if job.batch_id}):
        batch = await conn.fetchrow(
            "SELECT id, user_id, callback_url, created_at FROM ingest_batch WHERE id = $1 FOR UPDATE",
            batch_id,
        )
        if batch is None or not batch["callback_url"]:
            continue
        record = BatchRecord(
            batch["id"],
            batch["user_id"],
            batch["callback_url"],
            batch["created_at"],
            await _counts(conn, batch_id),
        )
        if record.finished:
            body = orjson.dumps({"event": BATCH_FINISHED, "batch": batch_json(record)})
            rows.append((None, batch_id, record.callback_url, body))
    if rows:
        await conn.executemany(
            "INSERT INTO ingest_callback (job_id, batch_id, url, payload, next_at, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            [(*row, stamp, int(stamp)) for row in rows],
        )


async def _counts(conn: asyncpg.Connection | asyncpg.Pool, batch_id: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT state, count(*) AS n FROM ingest_job WHERE batch_id = $1 GROUP BY state", batch_id
    )
    return {r["state"]: r["n"] for r in rows}


@dataclass(frozen=True, slots=True)
class DueCallback:
    id: int
    url: str
    payload: bytes
    attempts: int


class JobsRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- the worker's side -------------------------------------------------------------------

    async def start(self, job_id: str, attempt: int) -> JobRecord | None:
        """Marks a queued (or interrupted) job running; None when it is gone, ended or cancelled."""
        if not _storable(job_id):
            return None
        row = await self.pool.fetchrow(
            f"UPDATE ingest_job j SET state = 'running', attempts = $2, "
            f"started_at = COALESCE(j.started_at, $3) "
            f"WHERE j.id = $1 AND j.state IN ('queued', 'running') RETURNING {_JOB_COLUMNS}",
            job_id,
            attempt,
            now(),
        )
        return _job(row) if row is not None else None

    async def requeue(self, job_id: str) -> None:
        """A running job handed back (its worker stops): queued again, its file pending."""
        async with self.pool.acquire() as conn, conn.transaction():
            file_id = await conn.fetchval("SELECT file_id FROM ingest_job WHERE id = $1", job_id)
            if file_id is None:
                return
            await conn.execute("SELECT 1 FROM ingest_file WHERE id = $1 FOR UPDATE", file_id)
            file_id = await conn.fetchval(
                "UPDATE ingest_job SET state = 'queued' WHERE id = $1 AND state = 'running' "
                "RETURNING file_id",
                job_id,
            )
            if file_id is not None:
                await conn.execute(
                    "UPDATE ingest_file SET status = 'pending', updated_at = $2 "
                    "WHERE id = $1 AND status = 'processing'",
                    file_id,
                    now(),
                )

    async def state(self, job_id: str) -> JobState | None:
        value = await self.pool.fetchval("SELECT state FROM ingest_job WHERE id = $1", job_id)
        return JobState(value) if value is not None else None

    @staticmethod
    async def complete(conn: asyncpg.Connection, job_id: str) -> None:
        """Inside the transaction that stores the file's chunks: the job completes with it, or,
        cancelled meanwhile, :class:`JobCancelled` rolls everything back."""
        row = await conn.fetchrow(
            f"UPDATE ingest_job j SET state = 'completed', error = NULL, finished_at = $2 "
            f"WHERE j.id = $1 AND j.state = 'running' RETURNING {_JOB_COLUMNS}",
            job_id,
            now(),
        )
        if row is None:
            raise JobCancelled(job_id)
        await _ended(conn, [_job(row)])

    async def fail(self, job_id: str | None, file_id: str, error: str) -> bool:
        """The file and its job fail together; False when the file was not unfinished."""
        stamp = now()
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "UPDATE ingest_file SET status = 'failed', error = $2, hash = NULL, updated_at = $3 "
                "WHERE id = $1 AND status IN ('pending', 'processing')",
                file_id,
                error,
                stamp,
            )
            if job_id is not None:
                rows = await conn.fetch(
                    f"UPDATE ingest_job j SET state = 'failed', error = $2, finished_at = $3 "
                    f"WHERE j.id = $1 AND j.state IN ('queued', 'running') RETURNING {_JOB_COLUMNS}",
                    job_id,
                    error,
                    stamp,
                )
                await _ended(conn, [_job(r) for r in rows])
            return status.endswith(" 1")

    async def cancel_file(self, job_id: str, file_id: str) -> bool:
        """After the worker saw its job cancelled: the file too, unless a newer job took it over."""
        status = await self.pool.execute(
            "UPDATE ingest_file SET status = 'cancelled', error = $2, hash = NULL, updated_at = $3 "
            "WHERE id = $1 AND status IN ('pending', 'processing') "
            "AND EXISTS (SELECT 1 FROM ingest_job WHERE id = $4 AND state = 'cancelled') AND NOT EXISTS ("
            "SELECT 1 FROM ingest_job WHERE file_id = $1 AND state IN ('queued', 'running') AND id <> $4)",
            file_id,
            CANCELLED_ERROR,
            now(),
            job_id,
        )
        return status.endswith(" 1")

    async def settle_skipped(self, job_id: str) -> None:
        """A running job whose file was not there to process (deleted, or ended by another path):
        it ends as its file did, so that no job (and no batch) waits forever."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"UPDATE ingest_job j SET state = CASE f.status WHEN 'completed' THEN 'completed' "
                f"WHEN 'cancelled' THEN 'cancelled' ELSE 'failed' END, "
                f"error = CASE WHEN f.status = 'completed' THEN NULL ELSE COALESCE(f.error, $2) END, "
                f"finished_at = $3 FROM ingest_file f WHERE j.id = $1 AND j.state = 'running' "
                f"AND f.id = j.file_id AND COALESCE(f.status, '') NOT IN ('pending', 'processing') "
                f"RETURNING {_JOB_COLUMNS}",
                job_id,
                SKIPPED_ERROR,
                now(),
            )
            await _ended(conn, [_job(r) for r in rows])

    async def stale_queued(self, older_than: int, limit: int = 500) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT id FROM ingest_job WHERE state = 'queued' AND created_at < $1 "
            "ORDER BY created_at LIMIT $2",
            older_than,
            limit,
        )
        return [r["id"] for r in rows]

    async def adopt_orphans(self, older_than: int, limit: int = 500) -> list[str]:
        """Pending files with no unfinished job (stored before jobs existed, or whose job row was
        lost): each gets a job, returned for publishing."""
        created = []
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT f.id, f.user_id, f.key_id FROM ingest_file f WHERE f.status = 'pending' "
                "AND f.updated_at < $1 AND NOT EXISTS (SELECT 1 FROM ingest_job j WHERE j.file_id = f.id "
                "AND j.state IN ('queued', 'running')) ORDER BY f.updated_at LIMIT $2",
                older_than,
                limit,
            )
            for row in rows:
                async with conn.transaction():
                    created.append(
                        await insert_job(conn, JobSpec(row["id"], row["user_id"], row["key_id"] or ""))
                    )
        return created

    # --- the API's side ----------------------------------------------------------------------

    async def get(self, job_id: str) -> JobRecord | None:
        if not _storable(job_id):
            return None
        row = await self.pool.fetchrow(
            f"SELECT {_JOB_COLUMNS}, f.filename FROM ingest_job j "
            "JOIN ingest_file f ON f.id = j.file_id WHERE j.id = $1",
            job_id,
        )
        if row is None:
            return None
        job = _job(row)
        job.filename = row["filename"]
        return job

    async def list_jobs(self, where: JobFilter, limit: int, offset: int) -> tuple[list[JobRecord], int]:
        """A page of jobs, newest first."""
        clause = (
            "WHERE ($1::text IS NULL OR j.user_id = $1) AND ($2::text IS NULL OR j.state = $2) "
            "AND ($3::text IS NULL OR j.batch_id = $3) AND ($4::text IS NULL OR j.file_id = $4)"
        )
        if not all(_storable(v) for v in (where.batch_id or "", where.file_id or "")):
            return [], 0
        args = (where.owner_id, where.state.value if where.state else None, where.batch_id, where.file_id)
        rows = await self.pool.fetch(
            f"SELECT {_JOB_COLUMNS}, f.filename FROM ingest_job j JOIN ingest_file f ON f.id = j.file_id "
            f"{clause} ORDER BY j.seq DESC LIMIT $5 OFFSET $6",
            *args,
            limit,
            offset,
        )
        total = await self.pool.fetchval(f"SELECT count(*) FROM ingest_job j {clause}", *args)
        jobs = []
        for row in rows:
            job = _job(row)
            job.filename = row["filename"]
            jobs.append(job)
        return jobs, total

    async def cancel(self, job_ids: Sequence[str] | None, batch_id: str | None) -> list[JobRecord]:
        """Cancels the unfinished jobs named (by id, or all of a batch) in one transaction, their
        files with them; returns the jobs cancelled. No worker is contacted: a queued job is
        skipped when picked, a running one stops at its next slice boundary."""
        stamp = now()
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "SELECT f.id FROM ingest_file f JOIN ingest_job j ON j.file_id = f.id "
                "WHERE j.state IN ('queued', 'running') AND (($1::text[] IS NOT NULL "
                "AND j.id = ANY($1::text[])) OR ($2::text IS NOT NULL AND j.batch_id = $2)) "
                "ORDER BY f.id FOR UPDATE OF f",
                list(job_ids) if job_ids is not None else None,
                batch_id,
            )
            rows = await conn.fetch(
                f"UPDATE ingest_job j SET state = 'cancelled', error = $3, finished_at = $4 "
                f"WHERE j.state IN ('queued', 'running') AND (($1::text[] IS NOT NULL "
                f"AND j.id = ANY($1::text[])) OR ($2::text IS NOT NULL AND j.batch_id = $2)) "
                f"RETURNING {_JOB_COLUMNS}",
                list(job_ids) if job_ids is not None else None,
                batch_id,
                CANCELLED_ERROR,
                stamp,
            )
            jobs = [_job(r) for r in rows]
            if jobs:
                await conn.execute(
                    "UPDATE ingest_file SET status = 'cancelled', error = $2, hash = NULL, updated_at = $3 "
                    "WHERE id = ANY($1::text[]) AND status IN ('pending', 'processing')",
                    [job.file_id for job in jobs],
                    CANCELLED_ERROR,
                    stamp,
                )
                await _ended(conn, jobs)
            return jobs

    async def retry(self, jobs: Sequence[JobRecord]) -> list[str]:
        """A new queued job for each of ``jobs`` (same file, batch and callback), in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            # Files in id order (the lock order of a batch's cancel).
            return [
                await insert_job(
                    conn,
                    JobSpec(job.file_id, job.user_id, job.key_id, job.batch_id, job.callback_url, job.id),
                )
                for job in sorted(jobs, key=lambda job: job.file_id)
            ]

    async def retryable_of_batch(self, batch_id: str) -> list[JobRecord]:
        """The batch's failed jobs that no later job has retried, whose file has no unfinished job."""
        rows = await self.pool.fetch(
            f"SELECT {_JOB_COLUMNS} FROM ingest_job j WHERE j.batch_id = $1 AND j.state = 'failed' "
            "AND NOT EXISTS (SELECT 1 FROM ingest_job r WHERE r.retry_of = j.id) "
            "AND NOT EXISTS (SELECT 1 FROM ingest_job a WHERE a.file_id = j.file_id "
            "AND a.state IN ('queued', 'running')) ORDER BY j.seq",
            batch_id,
        )
        return [_job(r) for r in rows]

    async def create_batch(self, user_id: str, callback_url: str | None) -> BatchRecord:
        record = BatchRecord(str(uuid.uuid4()), user_id, callback_url, now())
        await self.pool.execute(
            "INSERT INTO ingest_batch (id, user_id, callback_url, created_at) VALUES ($1, $2, $3, $4)",
            record.id,
            record.user_id,
            record.callback_url,
            record.created_at,
        )
        return record

    async def get_batch(self, batch_id: str, with_counts: bool = True) -> BatchRecord | None:
        if not _storable(batch_id):
            return None
        row = await self.pool.fetchrow(
            "SELECT id, user_id, callback_url, created_at FROM ingest_batch WHERE id = $1", batch_id
        )
        if row is None:
            return None
        counts = await _counts(self.pool, batch_id) if with_counts else {}
        return BatchRecord(row["id"], row["user_id"], row["callback_url"], row["created_at"], counts)

    # --- the callback outbox -----------------------------------------------------------------

    async def take_due(self, limit: int, lease_s: float) -> list[DueCallback]:
        """Up to ``limit`` callbacks due now, leased to this replica for ``lease_s`` (SKIP LOCKED:
        replicas polling together take different rows)."""
        stamp = time.time()
        rows = await self.pool.fetch(
            "UPDATE ingest_callback c SET next_at = $2, attempts = c.attempts + 1 WHERE c.id IN ("
            "SELECT id FROM ingest_callback WHERE delivered_at IS NULL AND failed_at IS NULL "
            "AND next_at <= $1 ORDER BY next_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
            "RETURNING c.id, c.url, c.payload, c.attempts",
            stamp,
            stamp + lease_s,
            limit,
        )
        return [DueCallback(r["id"], r["url"], bytes(r["payload"]), r["attempts"]) for r in rows]

    async def delivered(self, callback_id: int) -> None:
        await self.pool.execute(
            "UPDATE ingest_callback SET delivered_at = $2, last_error = NULL WHERE id = $1",
            callback_id,
            now(),
        )

    async def attempt_failed(self, callback_id: int, error: str, retry_at: float | None) -> None:
        """Records a failed try: due again at ``retry_at``, or failed for good when None."""
        await self.pool.execute(
            "UPDATE ingest_callback SET last_error = $2, next_at = COALESCE($3, next_at), "
            "failed_at = CASE WHEN $3::double precision IS NULL THEN $4::bigint END WHERE id = $1",
            callback_id,
            error[:500],
            retry_at,
            now(),
        )
