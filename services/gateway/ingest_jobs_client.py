"""IngestJobsService client: one method per RPC, each with the caller's credential and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import jobs_pb2 as pb
from webui.ingest.v1 import jobs_pb2_grpc


class IngestJobsClient:
    """Calls IngestJobsService (served by the ingest service) over the ingest channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = jobs_pb2_grpc.IngestJobsServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_jobs(
        self, principal: Principal, state: int, batch_id: str, file_id: str, page: int
    ) -> pb.ListJobsResponse:
        request = pb.ListJobsRequest(state=state, batch_id=batch_id, file_id=file_id, page=page)
        return await self._stub.ListJobs(request, **self._opts(principal))

    async def get_job(self, principal: Principal, job_id: str) -> pb.Job:
        reply = await self._stub.GetJob(pb.GetJobRequest(job_id=job_id), **self._opts(principal))
        return reply.job

    async def cancel_job(self, principal: Principal, job_id: str) -> pb.Job:
        reply = await self._stub.CancelJob(pb.CancelJobRequest(job_id=job_id), **self._opts(principal))
        return reply.job

    async def retry_job(self, principal: Principal, job_id: str) -> pb.Job:
        reply = await self._stub.RetryJob(pb.RetryJobRequest(job_id=job_id), **self._opts(principal))
        return reply.job

    async def create_batch(self, principal: Principal, callback_url: str) -> pb.Batch:
        request = pb.CreateBatchRequest(callback_url=callback_url)
        reply = await self._stub.CreateBatch(request, **self._opts(principal))
        return reply.batch

    async def get_batch(self, principal: Principal, batch_id: str) -> pb.Batch:
        reply = await self._stub.GetBatch(pb.GetBatchRequest(batch_id=batch_id), **self._opts(principal))
        return reply.batch

    async def cancel_batch(self, principal: Principal, batch_id: str) -> pb.CancelBatchResponse:
        request = pb.CancelBatchRequest(batch_id=batch_id)
        return await self._stub.CancelBatch(request, **self._opts(principal))

    async def retry_batch(self, principal: Principal, batch_id: str) -> pb.RetryBatchResponse:
        request = pb.RetryBatchRequest(batch_id=batch_id)
        return await self._stub.RetryBatch(request, **self._opts(principal))
