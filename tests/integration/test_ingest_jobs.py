"""Ingest jobs over real gRPC, Postgres and JetStream: cancel (queued jobs never run, a running one
stops at a slice boundary), retry, and signed callbacks (retried, durable across a restart)."""

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import grpc
import pytest

from services.ingest.ingest_jobs.signing import verify
from tests.fakes.callback_receiver import CallbackReceiver
from tests.integration.accounts import Accounts, Who
from tests.integration.ingest_support import code_of, eventually
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc, jobs_pb2, jobs_pb2_grpc

pytestmark = pytest.mark.slow

SECRET = "integration-callback-secret"
CALLBACKS = {
    "INGEST_CALLBACK_SECRET": SECRET,
    "INGEST_CALLBACK_ALLOWED_HOSTS": "127.0.0.1",
    "INGEST_CALLBACK_RETRY_BASE_S": 0.2,
    "INGEST_CALLBACK_POLL_S": 0.1,
    "INGEST_CALLBACK_TIMEOUT_S": 10,
}


async def _upload(
    stub: ingest_pb2_grpc.IngestServiceStub,
    who: Who,
    name: str,
    text: str,
    batch_id: str = "",
    callback_url: str = "",
) -> ingest_pb2.File:
    async def requests() -> AsyncIterator[ingest_pb2.UploadFileRequest]:
        header = ingest_pb2.UploadHeader(
            filename=name,
            content_type="text/plain",
            process=True,
            batch_id=batch_id,
            callback_url=callback_url,
        )
        yield ingest_pb2.UploadFileRequest(header=header)
        yield ingest_pb2.UploadFileRequest(chunk=text.encode())

    return (await stub.UploadFile(requests(), metadata=who.metadata, timeout=60)).file


def _jobs(runtime) -> tuple[jobs_pb2_grpc.IngestJobsServiceStub, grpc.aio.Channel]:  # type: ignore[no-untyped-def]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}")
    return jobs_pb2_grpc.IngestJobsServiceStub(channel), channel


async def _file_status(conn: asyncpg.Connection, file_id: str) -> str | None:
    return await conn.fetchval("SELECT status FROM ingest_file WHERE id = $1", file_id)


async def test_cancelled_queued_jobs_never_run(start_ingest, database_url: str, accounts: Accounts) -> None:
    alice = accounts.alice
    # No workers: every job stays queued until the batch is cancelled.
    stub, idle = await start_ingest(INGEST_WORKERS=0)
    jobs, channel = _jobs(idle)
    conn = await asyncpg.connect(database_url)
    try:
        batch = (await jobs.CreateBatch(jobs_pb2.CreateBatchRequest(), metadata=alice.metadata)).batch
        files = [await _upload(stub, alice, f"q{n}.txt", f"Queued file {n}.", batch.id) for n in range(5)]
        got = (
            await jobs.GetBatch(jobs_pb2.GetBatchRequest(batch_id=batch.id), metadata=alice.metadata)
        ).batch
        assert got.counts == {"queued": 5} and not got.finished

        # Someone else's batch is not found; cancelling it is refused the same way.
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await jobs.CancelBatch(
                jobs_pb2.CancelBatchRequest(batch_id=batch.id), metadata=accounts.bob.metadata
            )
        assert code_of(refused.value)[0] == grpc.StatusCode.NOT_FOUND

        reply = await jobs.CancelBatch(
            jobs_pb2.CancelBatchRequest(batch_id=batch.id), metadata=alice.metadata
        )
        assert reply.cancelled == 5 and reply.batch.counts == {"cancelled": 5} and reply.batch.finished
        for file in files:
            assert await _file_status(conn, file.id) == "cancelled"

        # A file ended by another path while its job waited: the job ends as the file did.
        ended = await _upload(stub, alice, "ended.txt", "Ended elsewhere.")
        await conn.execute(
            "UPDATE ingest_file SET status = 'failed', error = 'elsewhere' WHERE id = $1", ended.id
        )

        # A replica with a worker drains the queue: every message is acked and skipped.
        _, worker = await start_ingest(INGEST_WORKERS=1)

        async def drained() -> bool:
            return await worker.workers._queue.depth() == 0

        assert await eventually(drained, timeout_s=20)
        assert await conn.fetchval("SELECT count(*) FROM ingest_chunk") == 0
        for file in files:
            assert await _file_status(conn, file.id) == "cancelled"
        states = await conn.fetch("SELECT state, started_at FROM ingest_job WHERE batch_id = $1", batch.id)
        assert {r["state"] for r in states} == {"cancelled"} and all(r["started_at"] is None for r in states)

        ended_job = await conn.fetchrow("SELECT state, error FROM ingest_job WHERE file_id = $1", ended.id)
        assert dict(ended_job) == {"state": "failed", "error": "elsewhere"}

        # Retrying the batch retries only failed jobs: none here.
        retried = await jobs.RetryBatch(
            jobs_pb2.RetryBatchRequest(batch_id=batch.id), metadata=alice.metadata
        )
        assert retried.retried == 0
    finally:
        await conn.close()
        await channel.close()


class SlowEmbedder:
    """The real model, each call delayed: a job runs long enough to be cancelled mid-way."""

    def __init__(self, real, delay_s: float) -> None:  # type: ignore[no-untyped-def]
        self._real = real
        self._delay_s = delay_s
        self.calls = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        time.sleep(self._delay_s)
        return self._real.embed(texts)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._real, name)


async def test_running_job_stops_at_a_slice_boundary_and_retry_completes_it(
    start_ingest, database_url: str, accounts: Accounts
) -> None:
    alice = accounts.alice
    stub, runtime = await start_ingest(CHUNK_SIZE=120, CHUNK_OVERLAP=0)
    processor = runtime.workers._processor
    # Slices of four texts, each slow: a cancel lands between slices.
    vectors = processor._vectors
    vectors._slice = 4
    slow = SlowEmbedder(vectors._embedder, 0.25)
    vectors._embedder = slow
    jobs, channel = _jobs(runtime)
    text = "\n\n".join(f"Paragraph {n} is about lighthouse number {n * 7919}." for n in range(40))
    conn = await asyncpg.connect(database_url)
    try:
        file = await _upload(stub, alice, "long.txt", text)
        listed = await jobs.ListJobs(jobs_pb2.ListJobsRequest(file_id=file.id), metadata=alice.metadata)
        (job,) = listed.jobs

        async def running() -> bool:
            return slow.calls >= 1

        assert await eventually(running, timeout_s=20)
        cancelled = (
            await jobs.CancelJob(jobs_pb2.CancelJobRequest(job_id=job.id), metadata=alice.metadata)
        ).job
        assert cancelled.state == jobs_pb2.JOB_STATE_CANCELLED

        async def settled() -> bool:
            return await worker_idle(runtime)

        assert await eventually(settled, timeout_s=20)
        assert await _file_status(conn, file.id) == "cancelled"
        assert await conn.fetchval("SELECT count(*) FROM ingest_chunk WHERE file_id = $1", file.id) == 0
        # It stopped early: far fewer slices than the file's 10.
        assert slow.calls <= 3, slow.calls

        # A completed job cannot be retried; a cancelled one can, as a new job.
        vectors._embedder = slow._real
        retry = (await jobs.RetryJob(jobs_pb2.RetryJobRequest(job_id=job.id), metadata=alice.metadata)).job
        assert retry.id != job.id and retry.retry_of == job.id

        async def completed() -> bool:
            return await _file_status(conn, file.id) == "completed"

        assert await eventually(completed, timeout_s=60)
        again = (await jobs.GetJob(jobs_pb2.GetJobRequest(job_id=retry.id), metadata=alice.metadata)).job
        assert again.state == jobs_pb2.JOB_STATE_COMPLETED and again.attempts == 1 and again.finished_at
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await jobs.RetryJob(jobs_pb2.RetryJobRequest(job_id=retry.id), metadata=alice.metadata)
        assert code_of(refused.value)[0] == grpc.StatusCode.INVALID_ARGUMENT
        # Bob sees none of it; the admin sees it all.
        with pytest.raises(grpc.aio.AioRpcError) as hidden:
            await jobs.GetJob(jobs_pb2.GetJobRequest(job_id=retry.id), metadata=accounts.bob.metadata)
        assert code_of(hidden.value)[0] == grpc.StatusCode.NOT_FOUND
        everyone = await jobs.ListJobs(jobs_pb2.ListJobsRequest(), metadata=accounts.admin.metadata)
        assert {j.id for j in everyone.jobs} >= {job.id, retry.id}
        assert (await jobs.ListJobs(jobs_pb2.ListJobsRequest(), metadata=accounts.bob.metadata)).total == 0
    finally:
        await conn.close()
        await channel.close()


async def worker_idle(runtime) -> bool:  # type: ignore[no-untyped-def]
    return await runtime.workers._queue.depth() == 0


async def test_callbacks_are_signed_retried_and_survive_a_restart(
    start_ingest, database_url: str, accounts: Accounts
) -> None:
    alice = accounts.alice
    stub, runtime = await start_ingest(**CALLBACKS)
    jobs, channel = _jobs(runtime)
    conn = await asyncpg.connect(database_url)
    try:
        with CallbackReceiver() as receiver:
            # Refused at creation: a host off the allow-list, for a batch and for an upload.
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await jobs.CreateBatch(
                    jobs_pb2.CreateBatchRequest(callback_url="http://10.1.2.3/hook"), metadata=alice.metadata
                )
            assert code_of(refused.value)[:2] == (
                grpc.StatusCode.INVALID_ARGUMENT,
                "The callback host 10.1.2.3 is not on the allow-list.",
            )
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await _upload(stub, alice, "x.txt", "x", callback_url="http://example.com/hook")
            assert code_of(refused.value)[0] == grpc.StatusCode.INVALID_ARGUMENT
            assert await conn.fetchval("SELECT count(*) FROM ingest_file WHERE filename = 'x.txt'") == 0

            # The receiver fails twice, then takes the job's and the batch's callbacks.
            receiver.fail_next(2)
            batch = (
                await jobs.CreateBatch(
                    jobs_pb2.CreateBatchRequest(callback_url=receiver.url("/batch")), metadata=alice.metadata
                )
            ).batch
            first = await _upload(stub, alice, "one.txt", "The first file.", batch.id, receiver.url("/job"))
            second = await _upload(stub, alice, "two.txt", "The second file.", batch.id)

            # A batch calls back each time it has no unfinished job: maybe once after the first file
            # alone, surely once both are done.
            async def both_done() -> bool:
                paths = {r.path for r in receiver.delivered()}
                return "/job" in paths and any(
                    r.json["batch"]["total"] == 2 for r in receiver.delivered() if r.path == "/batch"
                )

            assert await eventually(both_done, timeout_s=30)

            async def outbox_empty() -> bool:
                pending = "SELECT count(*) FROM ingest_callback WHERE delivered_at IS NULL"
                return not await conn.fetchval(pending)

            assert await eventually(outbox_empty, timeout_s=30)
            delivered = receiver.delivered()
            for got in delivered:
                assert verify(SECRET, got.headers, got.body, now=int(time.time()))
            (job_call,) = [r.json for r in delivered if r.path == "/job"]
            assert job_call["event"] == "job.finished"
            assert job_call["job"]["file_id"] == first.id and job_call["job"]["state"] == "completed"
            batch_call = [r.json for r in delivered if r.path == "/batch"][-1]
            assert batch_call["event"] == "batch.finished"
            assert batch_call["batch"]["counts"] == {"completed": 2} and batch_call["batch"]["finished"]
            assert len([r for r in receiver.received if r.status == 500]) == 2
            rows = await conn.fetch("SELECT attempts, delivered_at FROM ingest_callback")
            assert all(r["delivered_at"] for r in rows) and len(rows) == len(delivered)
            assert sum(r["attempts"] for r in rows) == len(rows) + 2
            assert second.id

            # Written while the receiver is down; the service stops; a new one delivers it.
            receiver.fail_next(10_000)
            third = await _upload(stub, alice, "three.txt", "The third file.", "", receiver.url("/later"))

            async def tried() -> bool:
                return bool(
                    await conn.fetchval(
                        "SELECT attempts FROM ingest_callback WHERE job_id IN "
                        "(SELECT id FROM ingest_job WHERE file_id = $1)",
                        third.id,
                    )
                )

            assert await eventually(tried, timeout_s=30)
            await channel.close()
            await runtime.stop(0)
            receiver.fail_next(0)
            await conn.execute("UPDATE ingest_callback SET next_at = 0 WHERE delivered_at IS NULL")
            await start_ingest(**CALLBACKS)

            async def later() -> bool:
                return any(r.path == "/later" for r in receiver.delivered())

            assert await eventually(later, timeout_s=30)

            # A redirect is not followed: the try fails, and after the last one the callback is failed.
            await conn.execute(
                "INSERT INTO ingest_callback (url, payload, next_at, created_at, attempts) "
                "VALUES ($1, '{}'::bytea, 0, 0, 7)",
                receiver.url("/redirect"),
            )

            async def failed() -> bool:
                return bool(
                    await conn.fetchval(
                        "SELECT failed_at IS NOT NULL FROM ingest_callback WHERE url LIKE '%/redirect'"
                    )
                )

            assert await eventually(failed, timeout_s=30)
            assert [r.status for r in receiver.received if r.path == "/redirect"] == [302]
            assert not any(r.path == "/hook" for r in receiver.received)
    finally:
        await conn.close()
        await asyncio.sleep(0)
