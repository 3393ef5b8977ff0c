"""The groups rules and core without I/O: nesting and cycles, effective groups, members, default
models, and the permission tree a user ends up with."""

import pytest

from services.auth import group_errors, group_rules
from services.auth.core import AuthCore, AuthPolicy
from services.auth.group_models import GroupRecord, UserAccess
from services.auth.groups import GroupsCore
from services.auth.models import Role, UserRecord
from services.auth.passwords import PasswordHasher
from services.auth.permission_settings import PermissionEnv
from services.auth.tokens import TokenIssuer
from services.common import permissions
from tests.unit.fake_auth_repository import FakeAuthRepository

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

# a <- b <- c (c is under b, b under a); d stands alone.
PARENTS = {"a": None, "b": "a", "c": "b", "d": None}


def _group(group_id: str, parent: str | None = None, **fields) -> GroupRecord:
    return GroupRecord(
        id=group_id,
        user_id="admin",
        name=group_id.upper(),
        description="",
        data=fields.get("data"),
        meta=None,
        permissions=fields.get("permissions"),
        parent_group_id=parent,
        created_at=0,
        updated_at=0,
    )


def _user(user_id: str, name: str) -> UserRecord:
    return UserRecord(user_id, name, f"{user_id}@example.com", Role.USER, "/user.png", 0, 0, 0, False, "s")


def test_ancestors_descendants_and_effective_groups() -> None:
    assert group_rules.ancestors("c", PARENTS) == ["b", "a"]
    assert group_rules.descendants("a", PARENTS) == {"b", "c"}
    assert group_rules.effective_group_ids(["c", "d", "gone"], PARENTS) == {"a", "b", "c", "d"}
    # A cycle in stored data (never written by us) does not loop forever.
    assert group_rules.ancestors("x", {"x": "y", "y": "x"}) == ["y"]


@pytest.mark.parametrize(
    ("group_id", "parent_id", "text"),
    [
        ("a", "a", group_errors.SELF_PARENT_TEXT),
        ("a", "c", group_errors.CYCLE_TEXT),
        ("a", "b", group_errors.CYCLE_TEXT),
        (None, "nope", group_errors.PARENT_NOT_FOUND_TEXT),
    ],
)
def test_check_parent_refuses_cycles(group_id, parent_id, text) -> None:
    with pytest.raises(group_errors.HierarchyError) as refused:
        group_rules.check_parent(group_id, parent_id, PARENTS)
    assert refused.value.detail == text


def test_check_parent_allows_moves_that_keep_a_tree() -> None:
    group_rules.check_parent("c", "d", PARENTS)
    group_rules.check_parent("d", "c", PARENTS)
    group_rules.check_parent("b", None, PARENTS)


def test_data_gets_share_and_clean_default_models() -> None:
    assert group_rules.normalise_data(None, "members") == {"config": {"share": "members"}}
    data = group_rules.normalise_data(
        {"config": {"share": "false", "default_models": ["m", " m ", "n"]}}, True
    )
    assert data == {"config": {"share": False, "default_models": ["m", "n"]}}
    with pytest.raises(group_errors.BadGroupForm):
        group_rules.normalise_data({"config": {"default_models": ["", 3]}}, "members")
    with pytest.raises(group_errors.BadGroupForm):
        group_rules.normalise_permissions({"workspace": {"knowledge": "yes"}})


def test_member_page_counts_direct_and_inherited() -> None:
    ann, bob, cat = _user("u1", "Ann"), _user("u2", "Bob"), _user("u3", "Cat")
    by_group = {"a": [ann], "b": [bob, ann], "c": [cat]}
    page = group_rules.member_page("a", PARENTS, by_group, "effective", "", 1, 30)
    assert (page.total, page.direct, page.effective, page.inherited) == (3, 1, 3, 2)
    kinds = {m.user.id: (m.membership_type, m.via_group_ids) for m in page.items}
    assert kinds == {"u1": ("direct", ["b"]), "u2": ("inherited", ["b"]), "u3": ("inherited", ["c"])}
    inherited = group_rules.member_page("a", PARENTS, by_group, "inherited", "cat", 1, 30)
    assert [m.user.id for m in inherited.items] == ["u3"] and inherited.total == 1
    second = group_rules.member_page("a", PARENTS, by_group, "effective", "", 2, 2)
    assert [m.user.id for m in second.items] == ["u3"]


def test_default_models_come_from_the_nearest_ancestor() -> None:
    groups = {
        "a": _group("a", data={"config": {"default_models": ["m1"]}}),
        "b": _group("b", "a"),
        "c": _group("c", "b"),
    }
    assert group_rules.default_models(groups["c"], groups) == ([], ["m1"], "a")
    assert group_rules.default_models(groups["a"], groups) == (["m1"], ["m1"], "a")


def test_share_rule() -> None:
    members_only = _group("a", data={"config": {"share": "members"}})
    assert group_rules.may_share_to(members_only, "u", frozenset({"a"}))
    assert not group_rules.may_share_to(members_only, "u", frozenset())
    assert group_rules.may_share_to(_group("b", data={"config": {"share": True}}), "u", frozenset())


def test_deployment_defaults_follow_the_environment() -> None:
    env = PermissionEnv(USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS="true")
    tree = env.permission_defaults(enable_api_keys=True)
    assert tree["workspace"]["knowledge"] is True and tree["workspace"]["models"] is False
    assert tree["features"]["api_keys"] is True
    assert PermissionEnv().permission_defaults(enable_api_keys=False)["features"]["api_keys"] is False


class _AccessRepo:
    """Just what GroupsCore.access_of reads."""

    def __init__(self, ids, trees, stored) -> None:
        self.answer = (ids, trees, stored)

    async def access_of(self, user_id: str):
        return self.answer


async def test_effective_permissions_combine_defaults_and_groups() -> None:
    builtin = permissions.builtin_defaults()
    stored = {"chat": {"delete": False}}
    trees = [{"workspace": {"knowledge": True}}, {"workspace": {"knowledge": False, "prompts": True}}]
    core = GroupsCore(_AccessRepo(["a", "b"], trees, stored), builtin, "members")  # type: ignore[arg-type]
    access = await core.access_of("u")
    assert access.group_ids == {"a", "b"}
    assert {"workspace.knowledge", "workspace.prompts", "chat.share"} <= access.permissions
    assert "chat.delete" not in access.permissions and "workspace.models" not in access.permissions
    tree = await core.user_permissions("u")
    assert tree["workspace"]["knowledge"] is True and tree["chat"]["delete"] is False


async def test_authenticate_carries_groups_and_permissions() -> None:
    async def lookup(user_id: str) -> UserAccess:
        return UserAccess(group_ids=frozenset({"g"}), permissions=frozenset({"workspace.tools"}))

    core = AuthCore(
        FakeAuthRepository(),
        PasswordHasher(rounds=4),
        TokenIssuer("secret", None),
        AuthPolicy(),
        access=lookup,
    )
    session = await core.signup("Ann", "ann@example.com", "password", "")
    result = await core.authenticate(session.token)
    assert result.group_ids == {"g"} and result.permissions == {"workspace.tools"}


async def test_api_keys_permission_follows_the_live_switch() -> None:
    enabled = {"value": True}

    async def api_keys_enabled() -> bool:
        return enabled["value"]

    builtin = PermissionEnv().permission_defaults(enable_api_keys=True)
    core = GroupsCore(_AccessRepo([], [], None), builtin, "members", api_keys_enabled)  # type: ignore[arg-type]
    assert "features.api_keys" in (await core.access_of("u")).permissions
    enabled["value"] = False
    assert "features.api_keys" not in (await core.access_of("u")).permissions
    assert (await core.builtin_permissions())["features"]["api_keys"] is False
