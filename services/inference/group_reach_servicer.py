"""GroupReachService over gRPC: protobuf in, GroupReach's plain lists, protobuf out."""

import grpc

from services.common.errors import InvalidArgument
from services.inference.group_reach import GroupReach, Item
from services.inference.servicer import caller_of
from webui.inference.v1 import group_reach_pb2, group_reach_pb2_grpc


def _items(items: list[Item]) -> list[group_reach_pb2.ReachableItem]:
    return [group_reach_pb2.ReachableItem(id=item_id, name=name) for item_id, name in items]


class GroupReachServicer(group_reach_pb2_grpc.GroupReachServiceServicer):
    def __init__(self, reach: GroupReach) -> None:
        self._reach = reach

    async def GetGroupReach(  # noqa: N802 - gRPC method names
        self, request: group_reach_pb2.GetGroupReachRequest, context: grpc.aio.ServicerContext
    ) -> group_reach_pb2.GetGroupReachResponse:
        if not request.group_id:
            raise InvalidArgument("group_id is required")
        models, tools = await self._reach.reach(caller_of(), request.group_id)
        return group_reach_pb2.GetGroupReachResponse(models=_items(models), tools=_items(tools))
