"""GroupsService client (served by the auth service): one function per RPC, each with the
caller's credential and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.auth.v1 import groups_pb2 as pb
from webui.auth.v1 import groups_pb2_grpc


class GroupsClient:
    """Calls GroupsService over the auth channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = groups_pb2_grpc.GroupsServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_groups(self, principal: Principal, share: bool | None) -> list[pb.Group]:
        request = pb.ListGroupsRequest()
        if share is not None:
            request.share = share
        return list((await self._stub.ListGroups(request, **self._opts(principal))).groups)

    async def get_groups(self, principal: Principal, ids: list[str]) -> list[pb.Group]:
        request = pb.GetGroupsRequest(ids=ids)
        return list((await self._stub.GetGroups(request, **self._opts(principal))).groups)

    async def create_group(self, principal: Principal, form: pb.GroupForm) -> pb.Group:
        request = pb.CreateGroupRequest(form=form)
        return (await self._stub.CreateGroup(request, **self._opts(principal))).group

    async def get_group(self, principal: Principal, group_id: str) -> pb.Group:
        return (await self._stub.GetGroup(pb.GetGroupRequest(id=group_id), **self._opts(principal))).group

    async def get_group_info(self, principal: Principal, group_id: str) -> pb.Group:
        request = pb.GetGroupInfoRequest(id=group_id)
        return (await self._stub.GetGroupInfo(request, **self._opts(principal))).group

    async def export_group(self, principal: Principal, group_id: str) -> pb.ExportGroupResponse:
        return await self._stub.ExportGroup(pb.ExportGroupRequest(id=group_id), **self._opts(principal))

    async def update_group(self, principal: Principal, group_id: str, form: pb.GroupForm) -> pb.Group:
        request = pb.UpdateGroupRequest(id=group_id, form=form)
        return (await self._stub.UpdateGroup(request, **self._opts(principal))).group

    async def delete_group(self, principal: Principal, group_id: str) -> None:
        await self._stub.DeleteGroup(pb.DeleteGroupRequest(id=group_id), **self._opts(principal))

    async def add_members(self, principal: Principal, group_id: str, user_ids: list[str]) -> pb.Group:
        request = pb.AddGroupMembersRequest(id=group_id, user_ids=user_ids)
        return (await self._stub.AddGroupMembers(request, **self._opts(principal))).group

    async def remove_members(self, principal: Principal, group_id: str, user_ids: list[str]) -> pb.Group:
        request = pb.RemoveGroupMembersRequest(id=group_id, user_ids=user_ids)
        return (await self._stub.RemoveGroupMembers(request, **self._opts(principal))).group

    async def group_users(self, principal: Principal, group_id: str) -> list[pb.UserWithGroups]:
        request = pb.ListGroupUsersRequest(id=group_id)
        return list((await self._stub.ListGroupUsers(request, **self._opts(principal))).users)

    async def group_members(
        self, principal: Principal, group_id: str, membership: int, query: str, page: int
    ) -> pb.ListGroupMembersResponse:
        request = pb.ListGroupMembersRequest(id=group_id, membership=membership, query=query, page=page)
        return await self._stub.ListGroupMembers(request, **self._opts(principal))

    async def preview_group(self, principal: Principal, group_id: str) -> pb.PreviewGroupResponse:
        return await self._stub.PreviewGroup(pb.PreviewGroupRequest(id=group_id), **self._opts(principal))

    async def user_groups(
        self, principal: Principal, user_id: str, include_inherited: bool
    ) -> list[pb.Group]:
        request = pb.ListUserGroupsRequest(user_id=user_id, include_inherited=include_inherited)
        return list((await self._stub.ListUserGroups(request, **self._opts(principal))).groups)

    async def user_details(
        self, principal: Principal, user_ids: list[str], require_all: bool = False
    ) -> list[pb.UserWithGroups]:
        request = pb.GetUserDetailsRequest(user_ids=user_ids, require_all=require_all)
        return list((await self._stub.GetUserDetails(request, **self._opts(principal))).users)

    async def user_permissions(self, principal: Principal) -> bytes:
        request = pb.GetUserPermissionsRequest()
        return (await self._stub.GetUserPermissions(request, **self._opts(principal))).permissions_json

    async def default_permissions(self, principal: Principal) -> bytes:
        request = pb.GetDefaultPermissionsRequest()
        return (await self._stub.GetDefaultPermissions(request, **self._opts(principal))).permissions_json

    async def set_default_permissions(self, principal: Principal, tree: bytes) -> bytes:
        request = pb.SetDefaultPermissionsRequest(permissions_json=tree)
        return (await self._stub.SetDefaultPermissions(request, **self._opts(principal))).permissions_json

    async def builtin_permissions(self, principal: Principal) -> bytes:
        request = pb.GetBuiltinPermissionsRequest()
        return (await self._stub.GetBuiltinPermissions(request, **self._opts(principal))).permissions_json
