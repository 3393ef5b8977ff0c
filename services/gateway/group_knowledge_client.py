"""IngestGroupReachService client (ingest): the knowledge bases of a group preview."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import group_reach_pb2 as pb
from webui.ingest.v1 import group_reach_pb2_grpc


class GroupKnowledgeClient:
    """Calls IngestGroupReachService (served by the ingest service) over the ingest channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = group_reach_pb2_grpc.IngestGroupReachServiceStub(channel)
        self._timeout_s = timeout_s

    async def group_knowledge(self, principal: Principal, group_id: str) -> pb.GetGroupKnowledgeResponse:
        return await self._stub.GetGroupKnowledge(
            pb.GetGroupKnowledgeRequest(group_id=group_id),
            timeout=self._timeout_s,
            metadata=outgoing_metadata(principal.credential),
        )
