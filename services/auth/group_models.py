"""Plain records of groups and memberships the groups core works with."""

from dataclasses import dataclass, field

from services.auth.models import UserRecord

MEMBERSHIP_DIRECT = "direct"
MEMBERSHIP_INHERITED = "inherited"
MEMBERSHIP_EFFECTIVE = "effective"
MEMBERSHIPS = (MEMBERSHIP_EFFECTIVE, MEMBERSHIP_DIRECT, MEMBERSHIP_INHERITED)


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A stored group; ``data``/``meta``/``permissions`` are Open WebUI's free-form objects."""

    id: str
    user_id: str
    name: str
    description: str
    data: dict | None
    meta: dict | None
    permissions: dict | None
    parent_group_id: str | None
    created_at: int
    updated_at: int
    member_count: int = 0


@dataclass(frozen=True, slots=True)
class GroupFields:
    """What a create or a (full) update sets."""

    name: str
    description: str
    data: dict | None = None
    meta: dict | None = None
    permissions: dict | None = None
    parent_group_id: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """A user in a group's member list, with how they are in it."""

    user: UserRecord
    membership_type: str
    via_group_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MemberPage:
    items: list[Member]
    total: int
    direct: int
    effective: int
    inherited: int


@dataclass(frozen=True, slots=True)
class UserAccess:
    """What Authenticate adds to a user: effective groups and the true permission keys."""

    group_ids: frozenset[str]
    permissions: frozenset[str]
