"""Admins' view of the limits: validated forms in, stored rows out (plain Python, no gRPC)."""

from dataclasses import replace

from services.common import errors, messages
from services.common.grpc_identity import require_admin
from services.common.identity import Identity
from services.common.usage.limit_rules import LIMIT_FIELDS, SUBJECT_TYPES
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import StoredLimits
from services.common.usage.limiter import Limiter

_MAX_ID = 256
_MAX_LIMIT = 2**62


def check_subject(subject_type: str, subject_id: str) -> None:
    if subject_type not in SUBJECT_TYPES:
        raise errors.InvalidArgument("subject_type must be key, user or group")
    if not subject_id or len(subject_id) > _MAX_ID or not subject_id.isprintable():
        raise errors.InvalidArgument("subject_id must be 1 to 256 printable characters")


class QuotaAdmin:
    def __init__(self, limiter: Limiter, settings: LimitSettings) -> None:
        self._limiter = limiter
        self._settings = settings

    async def list(self, caller: Identity) -> tuple[list[StoredLimits], list[StoredLimits]]:
        require_admin(caller)
        defaults = [StoredLimits(kind, "", *self._settings.defaults(kind)) for kind in SUBJECT_TYPES]
        return await self._limiter.list_limits(), defaults

    async def put(self, caller: Identity, limits: StoredLimits) -> StoredLimits:
        require_admin(caller)
        check_subject(limits.subject_type, limits.subject_id)
        for name in LIMIT_FIELDS:
            value = getattr(limits, name)
            if value is not None and not 0 <= value <= _MAX_LIMIT:
                raise errors.InvalidArgument(f"{name} must be a whole number from 0 (no limit) up")
        return await self._limiter.put_limits(replace(limits, updated_at=0))

    async def delete(self, caller: Identity, subject_type: str, subject_id: str) -> None:
        require_admin(caller)
        check_subject(subject_type, subject_id)
        if not await self._limiter.delete_limits(subject_type, subject_id):
            raise errors.NotFound(messages.NOT_FOUND)
