"""GroupsService on a real auth server and Postgres: nesting, members, and what Authenticate puts
in the identity (effective groups, permission keys)."""

import asyncio
import json
from collections.abc import Callable

import asyncpg
import grpc
import pytest

from services.auth.groups_repository import PostgresGroupsRepository
from tests.integration.accounts import Accounts, create_accounts
from webui.auth.v1 import auth_pb2, groups_pb2, groups_pb2_grpc


async def _setup(start_auth: Callable) -> tuple[groups_pb2_grpc.GroupsServiceStub, object, Accounts]:
    stub, channel, _ = await start_auth()
    return groups_pb2_grpc.GroupsServiceStub(channel), stub, await create_accounts(stub)


def _form(
    name: str, parent: str | None = None, permissions: dict | None = None, **data
) -> groups_pb2.GroupForm:
    form = groups_pb2.GroupForm(
        name=name,
        description=f"{name} group",
        permissions_json=json.dumps(permissions).encode() if permissions is not None else b"",
        data_json=json.dumps(data).encode() if data else b"",
    )
    if parent is not None:
        form.parent_group_id = parent
    return form


async def _identity(auth, token: str):
    return (await auth.Authenticate(auth_pb2.AuthenticateRequest(credential=token), timeout=10)).identity


async def test_nesting_members_and_identity(start_auth: Callable) -> None:
    groups, auth, acc = await _setup(start_auth)
    admin = acc.admin.metadata
    parent = (
        await groups.CreateGroup(
            groups_pb2.CreateGroupRequest(
                form=_form("Parent", permissions={"workspace": {"knowledge": True}})
            ),
            metadata=admin,
        )
    ).group
    assert json.loads(parent.data_json) == {"config": {"share": "members"}}
    assert parent.member_count == 0 and not parent.HasField("parent_group_id")
    child = (
        await groups.CreateGroup(
            groups_pb2.CreateGroupRequest(form=_form("Child", parent.id)), metadata=admin
        )
    ).group
    assert child.parent_group_id == parent.id

    before = await _identity(auth, acc.alice.token)
    assert list(before.group_ids) == [] and "workspace.knowledge" not in before.permissions
    assert "chat.delete" in before.permissions

    added = await groups.AddGroupMembers(
        groups_pb2.AddGroupMembersRequest(id=child.id, user_ids=[acc.alice.user_id, "no-such-user"]),
        metadata=admin,
    )
    assert added.group.member_count == 1
    after = await _identity(auth, acc.alice.token)
    assert set(after.group_ids) == {parent.id, child.id}
    assert "workspace.knowledge" in after.permissions

    members = await groups.ListGroupMembers(groups_pb2.ListGroupMembersRequest(id=parent.id), metadata=admin)
    assert (members.total, members.direct_count, members.effective_count, members.inherited_count) == (
        1,
        0,
        1,
        1,
    )
    assert members.items[0].membership_type == groups_pb2.MEMBERSHIP_INHERITED
    assert list(members.items[0].via_group_ids) == [child.id]

    # A cycle is refused with its reason; so is a parent that does not exist.
    with pytest.raises(grpc.aio.AioRpcError) as cycle:
        await groups.UpdateGroup(
            groups_pb2.UpdateGroupRequest(id=parent.id, form=_form("Parent", child.id)), metadata=admin
        )
    assert cycle.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "subgroups" in cycle.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("X", "nope")), metadata=admin)
    assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    # Deleting the parent re-parents the child to the parent's parent (none), and the user's
    # effective groups shrink with it.
    grand = (
        await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("Grand")), metadata=admin)
    ).group
    await groups.UpdateGroup(
        groups_pb2.UpdateGroupRequest(id=parent.id, form=_form("Parent", grand.id)), metadata=admin
    )
    await groups.DeleteGroup(groups_pb2.DeleteGroupRequest(id=parent.id), metadata=admin)
    moved = (await groups.GetGroup(groups_pb2.GetGroupRequest(id=child.id), metadata=admin)).group
    assert moved.parent_group_id == grand.id
    final = await _identity(auth, acc.alice.token)
    assert set(final.group_ids) == {grand.id, child.id}
    assert "workspace.knowledge" not in final.permissions


async def test_who_may_call_what(start_auth: Callable) -> None:
    groups, _, acc = await _setup(start_auth)
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("G")), metadata=acc.alice.metadata)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    group = (
        await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("G")), metadata=acc.admin.metadata)
    ).group
    # Any verified user may ask which group ids exist.
    found = await groups.GetGroups(
        groups_pb2.GetGroupsRequest(ids=[group.id, "unknown"]), metadata=acc.alice.metadata
    )
    assert [g.id for g in found.groups] == [group.id]
    # A user lists only its own groups.
    mine = await groups.ListGroups(groups_pb2.ListGroupsRequest(), metadata=acc.alice.metadata)
    assert list(mine.groups) == []
    with pytest.raises(grpc.aio.AioRpcError) as pending:
        await groups.GetGroups(groups_pb2.GetGroupsRequest(ids=[group.id]), metadata=acc.pending.metadata)
    assert pending.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_default_permissions_need_every_section(start_auth: Callable) -> None:
    groups, auth, acc = await _setup(start_auth)
    admin = acc.admin.metadata
    tree = json.loads(
        (
            await groups.GetBuiltinPermissions(groups_pb2.GetBuiltinPermissionsRequest(), metadata=admin)
        ).permissions_json
    )
    with pytest.raises(grpc.aio.AioRpcError) as partial:
        await groups.SetDefaultPermissions(
            groups_pb2.SetDefaultPermissionsRequest(permissions_json=json.dumps({"chat": {}}).encode()),
            metadata=admin,
        )
    assert partial.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    tree["workspace"]["prompts"] = True
    tree["chat"]["delete"] = False
    await groups.SetDefaultPermissions(
        groups_pb2.SetDefaultPermissionsRequest(permissions_json=json.dumps(tree).encode()), metadata=admin
    )
    identity = await _identity(auth, acc.bob.token)
    assert "workspace.prompts" in identity.permissions and "chat.delete" not in identity.permissions
    mine = await groups.GetUserPermissions(groups_pb2.GetUserPermissionsRequest(), metadata=acc.bob.metadata)
    assert json.loads(mine.permissions_json)["workspace"]["prompts"] is True


async def test_repository_add_members_and_cascades(start_auth: Callable, database_url: str) -> None:
    groups, auth, acc = await _setup(start_auth)
    group = (
        await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("G")), metadata=acc.admin.metadata)
    ).group
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        repo = PostgresGroupsRepository(pool)
        updated = await repo.add_members(group.id, [acc.alice.user_id, acc.bob.user_id, "ghost"])
        assert updated is not None and updated.member_count == 2
        assert await repo.add_members("no-such-group", [acc.alice.user_id]) is None
        await auth.DeleteUser(
            auth_pb2.DeleteUserRequest(user_id=acc.bob.user_id), metadata=acc.admin.metadata
        )
        assert await repo.member_ids(group.id) == [acc.alice.user_id]
        refs = await repo.group_refs_of_users([acc.alice.user_id])
        assert refs == {acc.alice.user_id: [(group.id, "G")]}
    finally:
        await pool.close()


async def test_concurrent_moves_cannot_close_a_cycle(start_auth: Callable) -> None:
    groups, _, acc = await _setup(start_auth)
    admin = acc.admin.metadata
    a = (await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("A")), metadata=admin)).group
    b = (await groups.CreateGroup(groups_pb2.CreateGroupRequest(form=_form("B")), metadata=admin)).group
    moves = [
        groups.UpdateGroup(groups_pb2.UpdateGroupRequest(id=a.id, form=_form("A", b.id)), metadata=admin),
        groups.UpdateGroup(groups_pb2.UpdateGroupRequest(id=b.id, form=_form("B", a.id)), metadata=admin),
    ]
    results = await asyncio.gather(*moves, return_exceptions=True)
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(refused) == 1 and refused[0].code() == grpc.StatusCode.INVALID_ARGUMENT
