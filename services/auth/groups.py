"""The groups core: group CRUD, members, nesting, and every user's effective groups and
permissions (Open WebUI §6.1, §6.4). Rules are in ``group_rules``; storage is behind a repository.
"""

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from services.auth import group_errors, group_rules
from services.auth.group_models import (
    MEMBERSHIP_DIRECT,
    MEMBERSHIP_EFFECTIVE,
    GroupFields,
    GroupRecord,
    MemberPage,
    UserAccess,
)
from services.auth.models import UserRecord
from services.common import messages, permissions

MEMBERS_PAGE_SIZE = 30


class GroupsRepository(Protocol):
    """Storage the groups core needs (services/auth/groups_repository.py on Postgres)."""

    async def access_of(self, user_id: str) -> tuple[list[str], list[dict], dict | None]: ...
    async def list_groups(self) -> list[GroupRecord]: ...
    async def get_group(self, group_id: str) -> GroupRecord | None: ...
    async def get_groups(self, group_ids: list[str]) -> list[GroupRecord]: ...
    async def direct_group_ids(self, user_id: str) -> list[str]: ...
    async def insert_group(self, group: GroupRecord, check) -> GroupRecord: ...
    async def update_group(self, group_id: str, fields: GroupFields, check) -> GroupRecord | None: ...
    async def delete_group(self, group_id: str) -> bool: ...
    async def add_members(self, group_id: str, user_ids: list[str]) -> GroupRecord | None: ...
    async def remove_members(self, group_id: str, user_ids: list[str]) -> GroupRecord | None: ...
    async def member_ids(self, group_id: str) -> list[str]: ...
    async def members_by_group(self, group_ids: list[str]) -> dict[str, list[UserRecord]]: ...
    async def group_refs_of_users(self, user_ids: list[str]) -> dict[str, list[tuple[str, str]]]: ...
    async def users_with_ids(self, user_ids: list[str]) -> list[UserRecord]: ...
    async def get_default_permissions(self) -> dict | None: ...
    async def set_default_permissions(self, tree: dict) -> None: ...


@dataclass(frozen=True, slots=True)
class GroupPreview:
    group: GroupRecord
    local_models: list[str]
    effective_models: list[str]
    models_source_group_id: str | None
    permissions: dict
    inherited_permissions: dict
    effective_permissions: dict


class GroupsCore:
    """Groups and permissions over a repository; ``builtin`` is this deployment's built-in tree."""

    def __init__(
        self,
        repo: GroupsRepository,
        builtin: dict,
        default_share: bool | str,
        api_keys_enabled: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self._repo = repo
        self._builtin = builtin
        self._default_share = group_rules.share_setting(default_share)
        # ``features.api_keys`` of the built-in tree follows the live ENABLE_API_KEYS when given.
        self._api_keys_enabled = api_keys_enabled

    async def _base(self) -> dict:
        """The built-in tree now (its api_keys switch may change while the service runs)."""
        if self._api_keys_enabled is None:
            return self._builtin
        enabled = await self._api_keys_enabled()
        if self._builtin["features"].get("api_keys") is enabled:
            return self._builtin
        return permissions.fill({"features": {"api_keys": enabled}}, self._builtin)

    # -- identity ---------------------------------------------------------------------------------

    async def access_of(self, user_id: str) -> UserAccess:
        """Effective groups and true permission keys: one repository call (one SQL statement)."""
        group_ids, trees, stored = await self._repo.access_of(user_id)
        tree = permissions.effective(permissions.fill(stored, await self._base()), trees)
        return UserAccess(group_ids=frozenset(group_ids), permissions=permissions.true_keys(tree))

    # -- permissions ------------------------------------------------------------------------------

    async def builtin_permissions(self) -> dict:
        return permissions.fill(None, await self._base())

    async def default_permissions(self) -> dict:
        return permissions.fill(await self._repo.get_default_permissions(), await self._base())

    async def set_default_permissions(self, tree: dict) -> dict:
        missing = [s for s in permissions.SECTIONS if not isinstance(tree.get(s), dict)]
        if missing:
            raise group_errors.BadGroupForm(f"missing permission sections: {', '.join(missing)}")
        filled = permissions.fill(tree, await self._base())
        await self._repo.set_default_permissions(filled)
        return filled

    async def user_permissions(self, user_id: str) -> dict:
        """The effective tree (§6.4): stored defaults over built-in, OR'd with every group's."""
        _, trees, stored = await self._repo.access_of(user_id)
        return permissions.effective(permissions.fill(stored, await self._base()), trees)

    # -- groups -----------------------------------------------------------------------------------

    async def list_groups(self, user_id: str, is_admin: bool, share: bool | None) -> list[GroupRecord]:
        groups = await self._repo.list_groups()
        direct = frozenset(await self._repo.direct_group_ids(user_id))
        if not is_admin:
            groups = [g for g in groups if g.id in direct]
        if share is not None:
            groups = [g for g in groups if group_rules.may_share_to(g, user_id, direct) is share]
        return groups

    async def get_group(self, group_id: str, missing: str = messages.NOT_FOUND) -> GroupRecord:
        group = await self._repo.get_group(group_id) if _plausible(group_id) else None
        if group is None:
            raise group_errors.GroupNotFound(missing)
        return group

    async def get_groups(self, group_ids: list[str]) -> list[GroupRecord]:
        """The groups among ``group_ids`` that exist (the others are simply left out)."""
        wanted = list(dict.fromkeys(g for g in group_ids if _plausible(g)))
        return await self._repo.get_groups(wanted) if wanted else []

    async def create_group(self, creator_id: str, fields: GroupFields) -> GroupRecord:
        now = int(time.time())
        group = GroupRecord(
            id=str(uuid.uuid4()),
            user_id=creator_id,
            name=fields.name.strip(),
            description=fields.description,
            data=group_rules.normalise_data(fields.data, self._default_share),
            meta=fields.meta,
            permissions=group_rules.normalise_permissions(fields.permissions),
            parent_group_id=fields.parent_group_id or None,
            created_at=now,
            updated_at=now,
        )
        return await self._repo.insert_group(
            group, lambda parents: group_rules.check_parent(None, group.parent_group_id, parents)
        )

    async def update_group(self, group_id: str, fields: GroupFields) -> GroupRecord:
        if not _plausible(group_id):
            raise group_errors.write_failed("updating group")
        fields = replace(
            fields,
            name=fields.name.strip(),
            data=group_rules.normalise_data(fields.data, self._default_share),
            permissions=group_rules.normalise_permissions(fields.permissions),
            parent_group_id=fields.parent_group_id or None,
        )
        updated = await self._repo.update_group(
            group_id,
            fields,
            lambda parents: group_rules.check_parent(group_id, fields.parent_group_id, parents),
        )
        if updated is None:
            raise group_errors.write_failed("updating group")
        return updated

    async def delete_group(self, group_id: str) -> None:
        if not _plausible(group_id) or not await self._repo.delete_group(group_id):
            raise group_errors.write_failed("deleting group")

    async def add_members(self, group_id: str, user_ids: list[str]) -> GroupRecord:
        group = await self._repo.add_members(group_id, _ids(user_ids)) if _plausible(group_id) else None
        if group is None:
            raise group_errors.write_failed("adding users to group")
        return group

    async def remove_members(self, group_id: str, user_ids: list[str]) -> GroupRecord:
        group = await self._repo.remove_members(group_id, _ids(user_ids)) if _plausible(group_id) else None
        if group is None:
            raise group_errors.write_failed("removing users from group")
        return group

    async def member_ids(self, group_id: str) -> list[str]:
        await self.get_group(group_id)
        return await self._repo.member_ids(group_id)

    async def direct_members(self, group_id: str) -> list[UserRecord]:
        if not _plausible(group_id) or await self._repo.get_group(group_id) is None:
            raise group_errors.write_failed("getting group members")
        return (await self._repo.members_by_group([group_id])).get(group_id, [])

    async def members(self, group_id: str, membership: str, query: str, page: int) -> MemberPage:
        await self.get_group(group_id, group_errors.GROUP_NOT_FOUND_TEXT)
        groups = await self._repo.list_groups()
        parents = {g.id: g.parent_group_id for g in groups}
        subtree = [group_id, *sorted(group_rules.descendants(group_id, parents))]
        by_group = await self._repo.members_by_group(subtree)
        if membership not in (MEMBERSHIP_EFFECTIVE, MEMBERSHIP_DIRECT, "inherited"):
            membership = MEMBERSHIP_EFFECTIVE
        return group_rules.member_page(
            group_id, parents, by_group, membership, query, page, MEMBERS_PAGE_SIZE
        )

    async def preview(self, group_id: str) -> GroupPreview:
        group = await self.get_group(group_id)
        groups = {g.id: g for g in await self._repo.list_groups()}
        local, effective_models, source = group_rules.default_models(group, groups)
        own = group.permissions or {}
        inherited = group_rules.inherited_permissions(group, groups)
        return GroupPreview(
            group=group,
            local_models=local,
            effective_models=effective_models,
            models_source_group_id=source,
            permissions=own,
            inherited_permissions=inherited,
            effective_permissions=permissions.effective(await self.default_permissions(), [own, inherited]),
        )

    # -- users' groups ----------------------------------------------------------------------------

    async def groups_of_user(self, user_id: str, include_inherited: bool) -> list[GroupRecord]:
        direct = await self._repo.direct_group_ids(user_id)
        if not include_inherited:
            return await self._repo.get_groups(direct) if direct else []
        group_ids, _, _ = await self._repo.access_of(user_id)
        return await self._repo.get_groups(group_ids) if group_ids else []

    async def group_refs_of_users(self, user_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        wanted = _ids(user_ids)
        return await self._repo.group_refs_of_users(wanted) if wanted else {}

    async def users_with_groups(
        self, user_ids: list[str]
    ) -> tuple[list[UserRecord], dict[str, list[tuple[str, str]]]]:
        """The users among ``user_ids`` that exist, and their direct groups: two statements."""
        wanted = _ids(user_ids)
        if not wanted:
            return [], {}
        users = await self._repo.users_with_ids(wanted)
        return users, await self._repo.group_refs_of_users([u.id for u in users])


def _plausible(value: str) -> bool:
    """Ids are ours (uuid4 strings); anything else names nothing, and NUL cannot reach SQL."""
    return 0 < len(value) <= 64 and "\x00" not in value


def _ids(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if _plausible(v)))
