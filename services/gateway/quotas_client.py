"""QuotasService client: one function per RPC, each with the caller's credential and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from services.gateway.forms.usage_limits import UsageLimitsForm
from webui.inference.v1 import quotas_pb2 as pb
from webui.inference.v1 import quotas_pb2_grpc


class QuotasClient:
    """Calls QuotasService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = quotas_pb2_grpc.QuotasServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_limits(self, principal: Principal) -> pb.ListLimitsResponse:
        return await self._stub.ListLimits(pb.ListLimitsRequest(), **self._opts(principal))

    async def put_limits(self, principal: Principal, form: UsageLimitsForm) -> pb.SubjectLimits:
        values = {name: value for name, value in form.model_dump().items() if value is not None}
        request = pb.PutLimitsRequest(limits=pb.SubjectLimits(**values))
        return (await self._stub.PutLimits(request, **self._opts(principal))).limits

    async def delete_limits(self, principal: Principal, subject_type: str, subject_id: str) -> None:
        request = pb.DeleteLimitsRequest(subject_type=subject_type, subject_id=subject_id)
        await self._stub.DeleteLimits(request, **self._opts(principal))
