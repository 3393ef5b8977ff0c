"""The rules of groups, as plain functions over plain data: nesting, membership, sharing, the
default models and the permission trees a group gives. No I/O."""

import copy
from collections.abc import Iterable, Mapping

from services.auth import group_errors
from services.auth.group_models import (
    MEMBERSHIP_DIRECT,
    MEMBERSHIP_INHERITED,
    GroupRecord,
    Member,
    MemberPage,
)
from services.auth.models import UserRecord
from services.common import permissions

SHARE_MEMBERS = "members"
# Parent map: group id -> its parent id (None at the top).
Parents = Mapping[str, str | None]


def share_setting(value: object) -> bool | str:
    """``DEFAULT_GROUP_SHARE_PERMISSION`` / ``data.config.share``: "members", true or false."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return SHARE_MEMBERS


def normalise_data(data: object, default_share: bool | str) -> dict:
    """A group's ``data`` with ``config.share`` set (default ``default_share``) and
    ``config.default_models`` checked (non-empty strings) and de-duplicated in order."""
    result = copy.deepcopy(data) if isinstance(data, dict) else {}
    config = result.get("config")
    config = dict(config) if isinstance(config, dict) else {}
    config["share"] = share_setting(config["share"]) if "share" in config else default_share
    if "default_models" in config and config["default_models"] is not None:
        models = config["default_models"]
        if not isinstance(models, list) or not all(isinstance(m, str) and m.strip() for m in models):
            raise group_errors.BadGroupForm(group_errors.BAD_DEFAULT_MODELS_TEXT)
        config["default_models"] = list(dict.fromkeys(m.strip() for m in models))
    result["config"] = config
    return result


def normalise_permissions(tree: object) -> dict | None:
    """A group's partial permission tree: sections of booleans; None stays None."""
    if tree is None:
        return None
    if not isinstance(tree, dict) or not all(
        isinstance(values, dict) and all(isinstance(v, bool) for v in values.values())
        for values in tree.values()
    ):
        raise group_errors.BadGroupForm(group_errors.BAD_PERMISSIONS_TEXT)
    return copy.deepcopy(tree)


def ancestors(group_id: str, parents: Parents) -> list[str]:
    """The chain above ``group_id``, nearest first (stops on a cycle, should one exist)."""
    chain: list[str] = []
    seen = {group_id}
    current = parents.get(group_id)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parents.get(current)
    return chain


def descendants(group_id: str, parents: Parents) -> set[str]:
    """Every group below ``group_id``."""
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found: set[str] = set()
    stack = [group_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found and child != group_id:
                found.add(child)
                stack.append(child)
    return found


def effective_group_ids(direct: Iterable[str], parents: Parents) -> frozenset[str]:
    """The groups a member of ``direct`` is effectively in: those and all their ancestors."""
    result: set[str] = set()
    for group_id in direct:
        if group_id in parents:
            result.add(group_id)
            result.update(ancestors(group_id, parents))
    return frozenset(result)


def check_parent(group_id: str | None, parent_id: str | None, parents: Parents) -> None:
    """Refuses a parent that does not exist, the group itself, or one of its subgroups."""
    if parent_id is None:
        return
    if group_id is not None and parent_id == group_id:
        raise group_errors.HierarchyError(group_errors.SELF_PARENT_TEXT)
    if parent_id not in parents:
        raise group_errors.HierarchyError(group_errors.PARENT_NOT_FOUND_TEXT)
    if group_id is not None and parent_id in descendants(group_id, parents):
        raise group_errors.HierarchyError(group_errors.CYCLE_TEXT)


def may_share_to(group: GroupRecord, user_id: str, member_group_ids: frozenset[str]) -> bool:
    """Whether a user may share resources to ``group`` (``data.config.share``)."""
    share = share_setting(((group.data or {}).get("config") or {}).get("share", SHARE_MEMBERS))
    if share == SHARE_MEMBERS:
        return group.id in member_group_ids
    return bool(share)


def member_page(
    group_id: str,
    parents: Parents,
    members_by_group: Mapping[str, Iterable[UserRecord]],
    membership: str,
    query: str,
    page: int,
    page_size: int,
) -> MemberPage:
    """A group's members: direct ones, and the members of its subgroups (inherited), with counts
    over all of them and one page of those ``membership`` and ``query`` select."""
    subtree = descendants(group_id, parents)
    users: dict[str, UserRecord] = {}
    direct_ids: set[str] = set()
    via: dict[str, list[str]] = {}
    for user in members_by_group.get(group_id, ()):
        users[user.id] = user
        direct_ids.add(user.id)
    for sub_id in sorted(subtree):
        for user in members_by_group.get(sub_id, ()):
            users.setdefault(user.id, user)
            via.setdefault(user.id, []).append(sub_id)
    inherited_ids = set(users) - direct_ids
    selected = {
        MEMBERSHIP_DIRECT: direct_ids,
        MEMBERSHIP_INHERITED: inherited_ids,
    }.get(membership, set(users))
    needle = query.strip().lower()
    matches = sorted(
        (
            users[uid]
            for uid in selected
            if not needle or needle in users[uid].name.lower() or needle in users[uid].email.lower()
        ),
        key=lambda u: (u.name.lower(), u.id),
    )
    start = (max(page, 1) - 1) * page_size
    items = [
        Member(
            user=user,
            membership_type=MEMBERSHIP_DIRECT if user.id in direct_ids else MEMBERSHIP_INHERITED,
            via_group_ids=via.get(user.id, []),
        )
        for user in matches[start : start + page_size]
    ]
    return MemberPage(
        items=items,
        total=len(matches),
        direct=len(direct_ids),
        effective=len(users),
        inherited=len(inherited_ids),
    )


def default_models(
    group: GroupRecord, groups: Mapping[str, GroupRecord]
) -> tuple[list[str], list[str], str | None]:
    """``(local, effective, source_group_id)``: the group's own default models, else the nearest
    ancestor's that has some."""
    local = _models_of(group)
    if local:
        return local, local, group.id
    parents = {g.id: g.parent_group_id for g in groups.values()}
    for ancestor_id in ancestors(group.id, parents):
        ancestor = groups.get(ancestor_id)
        models = _models_of(ancestor) if ancestor else []
        if models:
            return local, models, ancestor_id
    return local, [], None


def _models_of(group: GroupRecord) -> list[str]:
    models = ((group.data or {}).get("config") or {}).get("default_models")
    return list(models) if isinstance(models, list) else []


def inherited_permissions(group: GroupRecord, groups: Mapping[str, GroupRecord]) -> dict:
    """What a member of ``group`` also gets from its ancestors (they are effective members there)."""
    parents = {g.id: g.parent_group_id for g in groups.values()}
    return permissions.combine([groups[a].permissions for a in ancestors(group.id, parents) if a in groups])
