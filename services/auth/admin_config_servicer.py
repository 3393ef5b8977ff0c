"""AdminConfigService over gRPC: admin only; the config travels as Open WebUI's JSON object."""

import json

from pydantic import ValidationError

from services.auth.admin_config import AdminConfigCore
from services.common import messages
from services.common.errors import InvalidArgument
from services.common.forms.admin_config import AdminConfigForm
from services.common.grpc_identity import current_identity, require_admin
from webui.auth.v1 import admin_config_pb2, admin_config_pb2_grpc


def _dumps(config: dict) -> bytes:
    return json.dumps(config, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _form(raw: bytes) -> AdminConfigForm:
    """The body, validated with the gateway's model (for direct gRPC callers)."""
    try:
        return AdminConfigForm.model_validate_json(raw or b"null")
    except ValidationError:
        raise InvalidArgument(messages.INVALID_AUTH_REQUEST) from None


class AdminConfigServicer(admin_config_pb2_grpc.AdminConfigServiceServicer):
    """Thin adapter over AdminConfigCore."""

    def __init__(self, core: AdminConfigCore) -> None:
        self._core = core

    async def GetAdminConfig(self, request, context):  # noqa: N802 - gRPC method names
        require_admin(current_identity())
        return admin_config_pb2.GetAdminConfigResponse(config_json=_dumps(await self._core.current()))

    async def UpdateAdminConfig(self, request, context):  # noqa: N802
        identity = require_admin(current_identity())
        config, revoked = await self._core.update(_form(request.config_json), identity.via_api_key)
        return admin_config_pb2.UpdateAdminConfigResponse(
            config_json=_dumps(config), sessions_revoked=revoked
        )
