"""GroupsService over gRPC: converts protobuf to GroupsCore calls and back, and decides who may
call what from the identity the interceptor resolved (group administration needs an admin)."""

import json

from services.auth import group_errors
from services.auth.core import AuthCore
from services.auth.group_models import (
    MEMBERSHIP_DIRECT,
    MEMBERSHIP_EFFECTIVE,
    MEMBERSHIP_INHERITED,
    GroupFields,
    GroupRecord,
)
from services.auth.groups import GroupsCore
from services.auth.models import UserRecord
from services.auth.servicer import user_pb
from services.common import errors as common_errors
from services.common.grpc_identity import current_identity, require_admin, require_verified
from webui.auth.v1 import groups_pb2 as pb
from webui.auth.v1 import groups_pb2_grpc

_MEMBERSHIP_FROM_PB = {
    pb.MEMBERSHIP_DIRECT: MEMBERSHIP_DIRECT,
    pb.MEMBERSHIP_INHERITED: MEMBERSHIP_INHERITED,
}
_MEMBERSHIP_TO_PB = {
    MEMBERSHIP_DIRECT: pb.MEMBERSHIP_DIRECT,
    MEMBERSHIP_INHERITED: pb.MEMBERSHIP_INHERITED,
    MEMBERSHIP_EFFECTIVE: pb.MEMBERSHIP_EFFECTIVE,
}


def _dump(value: object) -> bytes:
    return b"" if value is None else json.dumps(value).encode()


def _object(raw: bytes, name: str) -> dict | None:
    """A JSON object field of a request; empty is null."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise common_errors.InvalidArgument(f"{name} is not valid JSON") from None
    if value is not None and not isinstance(value, dict):
        raise common_errors.InvalidArgument(f"{name} must be an object")
    return value


def group_pb(group: GroupRecord) -> pb.Group:
    message = pb.Group(
        id=group.id,
        user_id=group.user_id,
        name=group.name,
        description=group.description,
        data_json=_dump(group.data),
        meta_json=_dump(group.meta),
        permissions_json=_dump(group.permissions),
        created_at=group.created_at,
        updated_at=group.updated_at,
        member_count=group.member_count,
    )
    if group.parent_group_id is not None:
        message.parent_group_id = group.parent_group_id
    return message


def _fields(form: pb.GroupForm) -> GroupFields:
    return GroupFields(
        name=form.name,
        description=form.description,
        data=_object(form.data_json, "data"),
        meta=_object(form.meta_json, "meta"),
        permissions=_object(form.permissions_json, "permissions"),
        parent_group_id=form.parent_group_id if form.HasField("parent_group_id") else None,
    )


def _with_groups(user: UserRecord, refs: dict[str, list[tuple[str, str]]]) -> pb.UserWithGroups:
    return pb.UserWithGroups(
        user=user_pb(user), groups=[pb.GroupRef(id=i, name=n) for i, n in refs.get(user.id, [])]
    )


class GroupsServicer(groups_pb2_grpc.GroupsServiceServicer):
    """Thin gRPC adapter over GroupsCore (and AuthCore for user rows)."""

    def __init__(self, groups: GroupsCore, auth: AuthCore) -> None:
        self._groups = groups
        self._auth = auth

    async def ListGroups(self, request, context):  # noqa: N802 - gRPC method names
        identity = require_verified(current_identity())
        share = request.share if request.HasField("share") else None
        groups = await self._groups.list_groups(identity.user_id, identity.is_admin, share)
        return pb.ListGroupsResponse(groups=[group_pb(g) for g in groups])

    async def GetGroups(self, request, context):  # noqa: N802
        require_verified(current_identity())
        groups = await self._groups.get_groups(list(request.ids))
        return pb.GetGroupsResponse(groups=[group_pb(g) for g in groups])

    async def CreateGroup(self, request, context):  # noqa: N802
        actor = require_admin(current_identity())
        group = await self._groups.create_group(actor.user_id, _fields(request.form))
        return pb.CreateGroupResponse(group=group_pb(group))

    async def GetGroup(self, request, context):  # noqa: N802
        require_admin(current_identity())
        return pb.GetGroupResponse(group=group_pb(await self._groups.get_group(request.id)))

    async def GetGroupInfo(self, request, context):  # noqa: N802
        require_verified(current_identity())
        return pb.GetGroupInfoResponse(group=group_pb(await self._groups.get_group(request.id)))

    async def ExportGroup(self, request, context):  # noqa: N802
        require_admin(current_identity())
        group = await self._groups.get_group(request.id)
        user_ids = await self._groups.member_ids(request.id)
        return pb.ExportGroupResponse(group=group_pb(group), user_ids=user_ids)

    async def UpdateGroup(self, request, context):  # noqa: N802
        require_admin(current_identity())
        group = await self._groups.update_group(request.id, _fields(request.form))
        return pb.UpdateGroupResponse(group=group_pb(group))

    async def DeleteGroup(self, request, context):  # noqa: N802
        require_admin(current_identity())
        await self._groups.delete_group(request.id)
        return pb.DeleteGroupResponse()

    async def AddGroupMembers(self, request, context):  # noqa: N802
        require_admin(current_identity())
        group = await self._groups.add_members(request.id, list(request.user_ids))
        return pb.AddGroupMembersResponse(group=group_pb(group))

    async def RemoveGroupMembers(self, request, context):  # noqa: N802
        require_admin(current_identity())
        group = await self._groups.remove_members(request.id, list(request.user_ids))
        return pb.RemoveGroupMembersResponse(group=group_pb(group))

    async def ListGroupUsers(self, request, context):  # noqa: N802
        require_admin(current_identity())
        users = await self._groups.direct_members(request.id)
        refs = await self._groups.group_refs_of_users([u.id for u in users])
        return pb.ListGroupUsersResponse(users=[_with_groups(u, refs) for u in users])

    async def ListGroupMembers(self, request, context):  # noqa: N802
        require_admin(current_identity())
        membership = _MEMBERSHIP_FROM_PB.get(request.membership, MEMBERSHIP_EFFECTIVE)
        page = await self._groups.members(request.id, membership, request.query, request.page or 1)
        refs = await self._groups.group_refs_of_users([m.user.id for m in page.items])
        return pb.ListGroupMembersResponse(
            items=[
                pb.GroupMember(
                    user=_with_groups(m.user, refs),
                    membership_type=_MEMBERSHIP_TO_PB[m.membership_type],
                    via_group_ids=m.via_group_ids,
                )
                for m in page.items
            ],
            total=page.total,
            direct_count=page.direct,
            effective_count=page.effective,
            inherited_count=page.inherited,
        )

    async def PreviewGroup(self, request, context):  # noqa: N802
        require_admin(current_identity())
        preview = await self._groups.preview(request.id)
        response = pb.PreviewGroupResponse(
            group=group_pb(preview.group),
            local_default_models=preview.local_models,
            effective_default_models=preview.effective_models,
            permissions_json=_dump(preview.permissions),
            inherited_permissions_json=_dump(preview.inherited_permissions),
            effective_permissions_json=_dump(preview.effective_permissions),
        )
        if preview.models_source_group_id is not None:
            response.default_models_source_group_id = preview.models_source_group_id
        return response

    async def ListUserGroups(self, request, context):  # noqa: N802
        identity = require_verified(current_identity())
        user_id = request.user_id or identity.user_id
        if user_id != identity.user_id:
            require_admin(identity)
            await self._auth.get_user(user_id)
        groups = await self._groups.groups_of_user(user_id, request.include_inherited)
        return pb.ListUserGroupsResponse(groups=[group_pb(g) for g in groups])

    async def GetUserDetails(self, request, context):  # noqa: N802
        require_verified(current_identity())
        users, refs = await self._groups.users_with_groups(list(request.user_ids))
        if request.require_all and {u.id for u in users} != set(request.user_ids):
            raise group_errors.UserNotFoundAs400()
        return pb.GetUserDetailsResponse(users=[_with_groups(u, refs) for u in users])

    async def GetUserPermissions(self, request, context):  # noqa: N802
        identity = current_identity()
        tree = await self._groups.user_permissions(identity.user_id)
        return pb.GetUserPermissionsResponse(permissions_json=_dump(tree))

    async def GetDefaultPermissions(self, request, context):  # noqa: N802
        require_admin(current_identity())
        return pb.GetDefaultPermissionsResponse(
            permissions_json=_dump(await self._groups.default_permissions())
        )

    async def SetDefaultPermissions(self, request, context):  # noqa: N802
        require_admin(current_identity())
        tree = await self._groups.set_default_permissions(
            _object(request.permissions_json, "permissions") or {}
        )
        return pb.SetDefaultPermissionsResponse(permissions_json=_dump(tree))

    async def GetBuiltinPermissions(self, request, context):  # noqa: N802
        require_admin(current_identity())
        return pb.GetBuiltinPermissionsResponse(
            permissions_json=_dump(await self._groups.builtin_permissions())
        )
