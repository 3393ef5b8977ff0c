"""IngestJobsService over gRPC: protobuf to JobsCore calls and back."""

from services.ingest.ingest_jobs.core import JobsCore
from services.ingest.ingest_jobs.models import BatchRecord, JobRecord, JobState
from services.ingest.servicer import caller_of
from webui.ingest.v1 import jobs_pb2, jobs_pb2_grpc

SERVICE_NAME = jobs_pb2.DESCRIPTOR.services_by_name["IngestJobsService"].full_name

_STATE_TO_PB = {
    JobState.QUEUED: jobs_pb2.JOB_STATE_QUEUED,
    JobState.RUNNING: jobs_pb2.JOB_STATE_RUNNING,
    JobState.COMPLETED: jobs_pb2.JOB_STATE_COMPLETED,
    JobState.FAILED: jobs_pb2.JOB_STATE_FAILED,
    JobState.CANCELLED: jobs_pb2.JOB_STATE_CANCELLED,
}
_STATE_FROM_PB = {value: key for key, value in _STATE_TO_PB.items()}


def job_pb(job: JobRecord) -> jobs_pb2.Job:
    return jobs_pb2.Job(
        id=job.id,
        file_id=job.file_id,
        batch_id=job.batch_id or "",
        user_id=job.user_id,
        state=_STATE_TO_PB[job.state],
        attempts=job.attempts,
        error=job.error or "",
        retry_of=job.retry_of or "",
        created_at=job.created_at,
        started_at=job.started_at or 0,
        finished_at=job.finished_at or 0,
        filename=job.filename,
        has_callback=bool(job.callback_url),
    )


def batch_pb(batch: BatchRecord) -> jobs_pb2.Batch:
    return jobs_pb2.Batch(
        id=batch.id,
        user_id=batch.user_id,
        created_at=batch.created_at,
        counts=batch.counts,
        total=batch.total,
        finished=batch.finished,
        has_callback=bool(batch.callback_url),
    )


class IngestJobsServicer(jobs_pb2_grpc.IngestJobsServiceServicer):
    def __init__(self, core: JobsCore) -> None:
        self._core = core

    async def ListJobs(self, request, context):  # noqa: N802 - gRPC method names
        jobs, total = await self._core.list_jobs(
            caller_of(), _STATE_FROM_PB.get(request.state), request.batch_id, request.file_id, request.page
        )
        return jobs_pb2.ListJobsResponse(jobs=[job_pb(j) for j in jobs], total=total)

    async def GetJob(self, request, context):  # noqa: N802
        return jobs_pb2.GetJobResponse(job=job_pb(await self._core.job(caller_of(), request.job_id)))

    async def CancelJob(self, request, context):  # noqa: N802
        return jobs_pb2.CancelJobResponse(
            job=job_pb(await self._core.cancel_job(caller_of(), request.job_id))
        )

    async def RetryJob(self, request, context):  # noqa: N802
        return jobs_pb2.RetryJobResponse(job=job_pb(await self._core.retry_job(caller_of(), request.job_id)))

    async def CreateBatch(self, request, context):  # noqa: N802
        batch = await self._core.create_batch(caller_of(), request.callback_url)
        return jobs_pb2.CreateBatchResponse(batch=batch_pb(batch))

    async def GetBatch(self, request, context):  # noqa: N802
        return jobs_pb2.GetBatchResponse(
            batch=batch_pb(await self._core.batch(caller_of(), request.batch_id))
        )

    async def CancelBatch(self, request, context):  # noqa: N802
        cancelled, batch = await self._core.cancel_batch(caller_of(), request.batch_id)
        return jobs_pb2.CancelBatchResponse(cancelled=cancelled, batch=batch_pb(batch))

    async def RetryBatch(self, request, context):  # noqa: N802
        retried, batch = await self._core.retry_batch(caller_of(), request.batch_id)
        return jobs_pb2.RetryBatchResponse(retried=retried, batch=batch_pb(batch))
