"""Who may ask about which usage: admins about anyone's, everyone else about their own."""

import asyncpg

from services.common.errors import InvalidArgument, PermissionDenied
from services.common.identity import Identity
from services.common.usage.query import UsageFilter, check_group_by, parse_day, query_usage
from services.common.usage.record import KINDS

OTHERS_USAGE = "Only admins may read other users' usage"


class UsageQueries:
    def __init__(self, pool: asyncpg.Pool, timeout_s: float) -> None:
        self._pool = pool
        self._timeout_s = timeout_s

    async def query(
        self,
        caller: Identity,
        *,
        user_id: str = "",
        key_id: str = "",
        group_id: str = "",
        model: str = "",
        kind: str = "",
        start: str = "",
        end: str = "",
        group_by: list[str] | None = None,
    ) -> list[dict]:
        if not caller.is_admin:
            # Refused rather than ignored, so that nobody reads their own totals believing them
            # someone else's.
            if user_id and user_id != caller.user_id:
                raise PermissionDenied(OTHERS_USAGE)
            user_id = caller.user_id
        if kind and kind not in KINDS:
            raise InvalidArgument(f"kind must be one of {', '.join(KINDS)}")
        flt = UsageFilter(
            user_id=user_id,
            key_id=key_id,
            group_id=group_id,
            model=model,
            kind=kind,
            start_day=parse_day(start, "start"),
            end_day=parse_day(end, "end"),
            group_by=check_group_by(group_by or []),
        )
        if flt.start_day and flt.end_day and flt.start_day > flt.end_day:
            raise InvalidArgument("start must not be after end")
        return await query_usage(self._pool, flt, self._timeout_s)
