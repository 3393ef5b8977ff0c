"""GroupReachService client (inference): the models and tools of a group preview."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import group_reach_pb2 as pb
from webui.inference.v1 import group_reach_pb2_grpc


class GroupReachClient:
    """Calls GroupReachService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = group_reach_pb2_grpc.GroupReachServiceStub(channel)
        self._timeout_s = timeout_s

    async def group_reach(self, principal: Principal, group_id: str) -> pb.GetGroupReachResponse:
        return await self._stub.GetGroupReach(
            pb.GetGroupReachRequest(group_id=group_id),
            timeout=self._timeout_s,
            metadata=outgoing_metadata(principal.credential),
        )
