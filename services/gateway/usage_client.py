"""UsageService client: the caller's credential and a deadline on every call."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import usage_pb2 as pb
from webui.inference.v1 import usage_pb2_grpc


class UsageClient:
    """Calls UsageService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = usage_pb2_grpc.UsageServiceStub(channel)
        self._timeout_s = timeout_s

    async def query(self, principal: Principal, request: pb.QueryUsageRequest) -> list[pb.UsageRow]:
        reply = await self._stub.QueryUsage(
            request, timeout=self._timeout_s, metadata=outgoing_metadata(principal.credential)
        )
        return list(reply.rows)
