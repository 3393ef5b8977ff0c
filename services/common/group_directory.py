"""Which group ids exist, asked of AuthService (``webui.auth.v1.GroupsService.GetGroups``) with the
caller's own credential, within a deadline: how a service checks the groups grants name before it
stores them (``services.common.group_check``)."""

from collections.abc import Collection

import grpc

from services.common import messages
from services.common.grpc_errors import service_error_from_rpc
from services.common.identity import Identity
from services.common.request_context import outgoing_metadata
from webui.auth.v1 import groups_pb2, groups_pb2_grpc


class RemoteGroupDirectory:
    """``GroupDirectory`` over a channel to AuthService (the channel is the caller's to close)."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = groups_pb2_grpc.GroupsServiceStub(channel)
        self._timeout_s = timeout_s

    async def existing(self, identity: Identity, group_ids: Collection[str]) -> set[str]:
        if not group_ids:
            return set()
        try:
            reply = await self._stub.GetGroups(
                groups_pb2.GetGroupsRequest(ids=list(group_ids)),
                timeout=self._timeout_s,
                metadata=outgoing_metadata(identity.credential),
            )
        except grpc.aio.AioRpcError as error:
            raise service_error_from_rpc(error, messages.SERVICE_UNAVAILABLE) from None
        return {group.id for group in reply.groups}
