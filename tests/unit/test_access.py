"""The one access decider (services/common/access.py) and the unknown-group check: grants (user,
group, inherited group, every user, anyone), read vs write, admin bypass, the §6.2 sharing table
row by row, and the permission keys. No I/O."""

from collections.abc import Collection

import pytest

from services.common import access, errors, permissions
from services.common.group_check import require_known_groups
from services.common.identity import Identity

DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ADMIN = Identity("root", "admin")
# A member of "child", whose parent is "parent": AuthService gives both as effective groups.
MEMBER = Identity("mia", "user", group_ids=frozenset({"child", "parent"}), permissions=DEFAULT_KEYS)
OUTSIDER = Identity("otto", "user", permissions=DEFAULT_KEYS)


def grant(kind: str, principal: str, permission: str = "read") -> dict:
    return {"principal_type": kind, "principal_id": principal, "permission": permission}


class Row:
    """A grant as the repositories give them: an object with the three attributes."""

    def __init__(self, kind: str, principal: str, permission: str) -> None:
        self.principal_type = kind
        self.principal_id = principal
        self.permission = permission


# -- who reads and writes ------------------------------------------------------------------------


def test_owner_and_admin_always_and_others_need_a_grant() -> None:
    assert access.can_read(OUTSIDER, "otto", []) and access.can_write(OUTSIDER, "otto", [])
    assert access.can_read(ADMIN, "someone", []) and access.can_write(ADMIN, "someone", [])
    assert not access.can_read(ADMIN, "someone", [], bypass_admin=False)
    assert not access.can_read(OUTSIDER, "someone", []) and not access.can_write(OUTSIDER, "someone", [])


@pytest.mark.parametrize(
    ("grants", "member", "outsider"),
    [
        ([grant("user", "mia")], True, False),
        ([grant("group", "child")], True, False),
        # Inherited: a member of a child group is an effective member of its ancestors.
        ([grant("group", "parent")], True, False),
        ([grant("group", "elsewhere")], False, False),
        ([grant("user", "*")], True, True),
        # ``anyone`` counts only where the resource allows it (shared chats).
        ([grant("anyone", "*")], False, False),
        ([Row("group", "child", "read")], True, False),
    ],
)
def test_read_grants_by_principal(grants: list, member: bool, outsider: bool) -> None:
    assert access.can_read(MEMBER, "owner", grants) is member
    assert access.can_read(OUTSIDER, "owner", grants) is outsider


def test_read_matches_read_grants_only_and_write_write_grants_only() -> None:
    write_only = [grant("group", "child", "write")]
    assert access.can_write(MEMBER, "owner", write_only) and not access.can_read(MEMBER, "owner", write_only)
    read_only = [grant("group", "child")]
    assert access.can_read(MEMBER, "owner", read_only) and not access.can_write(MEMBER, "owner", read_only)


def test_anyone_grants_count_only_when_allowed_and_for_read() -> None:
    assert access.granted(OUTSIDER, [grant("anyone", "*")], access.READ, anyone=True)
    assert not access.granted(OUTSIDER, [grant("anyone", "*")], access.READ)
    assert not access.granted(OUTSIDER, [grant("anyone", "*")], access.WRITE, anyone=True)


def test_malformed_grants_grant_nothing() -> None:
    junk = [
        None,
        "x",
        {"principal_type": "user"},
        {"principal_type": "user", "principal_id": 5, "permission": "read"},
    ]
    assert not access.can_read(MEMBER, "owner", junk)


def test_removing_a_group_from_the_identity_removes_the_access() -> None:
    grants = [grant("group", "child")]
    assert access.can_read(MEMBER, "owner", grants)
    assert not access.can_read(Identity("mia", "user", group_ids=frozenset()), "owner", grants)


# -- permissions ---------------------------------------------------------------------------------


def test_permission_keys_and_admin_bypass() -> None:
    assert access.has_permission(MEMBER, "chat.delete")
    assert not access.has_permission(MEMBER, permissions.WORKSPACE_KNOWLEDGE)
    assert access.has_permission(ADMIN, permissions.WORKSPACE_KNOWLEDGE)
    with pytest.raises(errors.PermissionDenied, match="nope"):
        access.require_permission(MEMBER, permissions.WORKSPACE_TOOLS, "nope")
    access.require_permission(ADMIN, permissions.WORKSPACE_TOOLS, "nope")


# -- the §6.2 sharing table ------------------------------------------------------------------------

USER = ("user", "bob", "read")
GROUP = ("group", "g1", "read")
PUBLIC = ("user", "*", "read")
ANYONE = ("anyone", "*", "read")
ALLOW_BOTH = {permissions.ALLOW_USERS, permissions.ALLOW_GROUPS}


def user_with(*keys: str) -> Identity:
    return Identity("u", "user", permissions=frozenset(keys))


@pytest.mark.parametrize(("resource", "section"), [(r, s) for r, s in access._SHARING_SECTION.items()])
def test_workspace_resources_need_sharing_and_public_sharing(resource: str, section: str) -> None:
    nobody = user_with(*ALLOW_BOTH)
    sharer = user_with(f"sharing.{section}", *ALLOW_BOTH)
    public = user_with(f"sharing.{section}", f"sharing.public_{section}", *ALLOW_BOTH)
    for grant_ in (USER, GROUP, PUBLIC):
        assert not access.audience_allowed(nobody, resource, grant_)
    assert access.audience_allowed(sharer, resource, USER) and access.audience_allowed(
        sharer, resource, GROUP
    )
    assert not access.audience_allowed(sharer, resource, PUBLIC)
    assert access.audience_allowed(public, resource, PUBLIC)
    # ``anyone:*`` is never allowed here, admins included.
    assert not access.audience_allowed(public, resource, ANYONE)
    assert not access.audience_allowed(ADMIN, resource, ANYONE)
    assert access.audience_allowed(ADMIN, resource, PUBLIC)


def test_folders_need_sharing_folders_and_never_go_public() -> None:
    sharer = user_with("sharing.folders", *ALLOW_BOTH)
    assert access.audience_allowed(sharer, "folder", USER) and access.audience_allowed(
        sharer, "folder", GROUP
    )
    assert not access.audience_allowed(user_with(*ALLOW_BOTH), "folder", USER)
    for who in (sharer, ADMIN):
        assert not access.audience_allowed(who, "folder", PUBLIC)
        assert not access.audience_allowed(who, "folder", ANYONE)


def test_shared_chats_public_and_open_audiences() -> None:
    plain = user_with(*ALLOW_BOTH)
    assert access.audience_allowed(plain, "shared_chat", USER) and access.audience_allowed(
        plain, "shared_chat", GROUP
    )
    assert not access.audience_allowed(plain, "shared_chat", PUBLIC)
    assert not access.audience_allowed(plain, "shared_chat", ANYONE)
    assert access.audience_allowed(user_with("sharing.public_chats"), "shared_chat", PUBLIC)
    assert access.audience_allowed(user_with("sharing.open_chats"), "shared_chat", ANYONE)
    assert access.audience_allowed(ADMIN, "shared_chat", ANYONE) and access.audience_allowed(
        ADMIN, "shared_chat", PUBLIC
    )


def test_user_and_group_targets_need_allow_users_and_allow_groups() -> None:
    only_users = user_with("sharing.knowledge", permissions.ALLOW_USERS)
    only_groups = user_with("sharing.knowledge", permissions.ALLOW_GROUPS)
    assert access.audience_allowed(only_users, "knowledge", USER)
    assert not access.audience_allowed(only_users, "knowledge", GROUP)
    assert access.audience_allowed(only_groups, "knowledge", GROUP)
    assert not access.audience_allowed(only_groups, "knowledge", USER)
    # ``user:*`` is an audience of its own (sharing.public_*), not a user target.
    public = user_with("sharing.knowledge", "sharing.public_knowledge")
    assert access.audience_allowed(public, "knowledge", PUBLIC)


def test_unknown_resource_types_are_for_admins() -> None:
    assert access.audience_allowed(ADMIN, "calendar_x", USER)
    assert not access.audience_allowed(user_with(*DEFAULT_KEYS), "calendar_x", USER)


def test_create_drops_silently_and_update_refuses_the_whole_request() -> None:
    sharer = user_with("sharing.tools", *ALLOW_BOTH)
    raw = [grant("user", "bob"), grant("user", "*"), grant("group", "g1", "write"), grant("anyone", "*")]
    assert access.shareable_grants(sharer, "tool", raw, strict=False) == [
        ("user", "bob", "read"),
        ("group", "g1", "write"),
    ]
    with pytest.raises(errors.PermissionDenied) as refused:
        access.shareable_grants(sharer, "tool", raw, strict=True)
    assert refused.value.detail == access.AUDIENCE_DENIED
    assert access.shareable_grants(sharer, "tool", raw[:1], strict=True) == [("user", "bob", "read")]
    # Admins are refused only an unsupported audience.
    with pytest.raises(errors.PermissionDenied):
        access.shareable_grants(ADMIN, "tool", raw, strict=True)
    assert len(access.shareable_grants(ADMIN, "tool", raw[:3], strict=True)) == 3


def test_normalisation_and_the_bound() -> None:
    raw = [
        grant("user", "bob"),
        grant("user", "bob"),
        grant("user", ""),
        grant("user", " "),
        grant("robot", "x"),
        grant("user", "bob", "admin"),
        grant("anyone", "*", "write"),
        grant("anyone", "someone"),
        grant("user", "x" * 256),
        grant("user", "b\x00b"),
        "junk",
    ]
    assert access.normalise_grants(raw) == [("user", "bob", "read")]
    assert access.normalise_grants({"not": "a list"}) == []
    many = [grant("user", f"u{i}") for i in range(access.MAX_GRANTS + 1)]
    with pytest.raises(errors.InvalidArgument):
        access.shareable_grants(ADMIN, "knowledge", many, strict=False)


def test_grant_records_keep_ids_of_kept_grants() -> None:
    ids = iter(["id-1", "id-2", "id-3"])
    first = access.grant_records([USER, GROUP], "knowledge", "k1", [], 100, lambda: next(ids))
    assert [(g["id"], g["resource_type"], g["resource_id"], g["created_at"]) for g in first] == [
        ("id-1", "knowledge", "k1", 100),
        ("id-2", "knowledge", "k1", 100),
    ]
    again = access.grant_records([GROUP, PUBLIC], "knowledge", "k1", first, 200, lambda: next(ids))
    assert [(g["id"], g["principal_id"], g["created_at"]) for g in again] == [
        ("id-2", "g1", 100),
        ("id-3", "*", 200),
    ]


# -- grants to groups that do not exist ------------------------------------------------------------


class Directory:
    def __init__(self, *known: str) -> None:
        self.known = set(known)
        self.asked: list[list[str]] = []

    async def existing(self, identity: Identity, group_ids: Collection[str]) -> set[str]:
        self.asked.append(list(group_ids))
        return self.known & set(group_ids)


async def test_grants_to_unknown_groups_are_refused_with_the_reason() -> None:
    directory = Directory("g1")
    await require_known_groups(directory, MEMBER, [GROUP, USER])
    with pytest.raises(errors.InvalidArgument, match="does not exist: ghost"):
        await require_known_groups(directory, MEMBER, [GROUP, ("group", "ghost", "write")])
    # No group named: nothing asked; no directory: nothing checked.
    asked = len(directory.asked)
    await require_known_groups(directory, MEMBER, [USER, PUBLIC])
    assert len(directory.asked) == asked
    await require_known_groups(None, MEMBER, [("group", "ghost", "read")])
