"""Grants that name a group must name one that exists: the check every service runs before it
stores grants (the groups themselves live in the auth service, asked through ``GroupDirectory``)."""

from collections.abc import Collection, Iterable
from typing import Protocol

from services.common import access, errors
from services.common.identity import Identity

# Ids named in the 400, at most: enough to fix the request, bounded for a request of 1,000 grants.
_NAMED_IN_ERROR = 5


class GroupDirectory(Protocol):
    """Which of some group ids exist (``services.common.group_directory.RemoteGroupDirectory``)."""

    async def existing(self, identity: Identity, group_ids: Collection[str]) -> set[str]: ...


async def require_known_groups(
    directory: GroupDirectory | None, identity: Identity, grants: Iterable[access.Grant]
) -> None:
    """Refuses (400) grants to a group that does not exist, naming it. Without a directory (a
    process wired without the auth service, as in unit tests) every group passes."""
    named = access.group_ids_named(grants)
    if not named or directory is None:
        return
    missing = sorted(named - await directory.existing(identity, sorted(named)))
    if missing:
        shown = ", ".join(missing[:_NAMED_IN_ERROR]) + (", …" if len(missing) > _NAMED_IN_ERROR else "")
        raise errors.InvalidArgument(f"access_grants name a group that does not exist: {shown}")
