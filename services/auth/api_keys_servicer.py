"""ApiKeysService over gRPC: protobuf in, ApiKeysCore, protobuf out."""

from services.auth.api_key_models import ApiKeyRecord, ApiKeySpec
from services.auth.api_keys_core import ApiKeysCore
from services.auth.errors import SessionRequired
from services.auth.tokens import mask_api_key
from services.common.grpc_identity import current_identity
from services.common.identity import KEY_KIND_FULL, Identity
from webui.auth.v1 import api_keys_pb2, api_keys_pb2_grpc


def key_pb(record: ApiKeyRecord) -> api_keys_pb2.ApiKey:
    return api_keys_pb2.ApiKey(
        id=record.id,
        name=record.name,
        kind=record.kind,
        masked_key=mask_api_key(record.last4),
        created_at=record.created_at,
        expires_at=record.expires_at or 0,
        last_used_at=record.last_used_at or 0,
        model_ids=list(record.model_ids),
        knowledge_ids=list(record.knowledge_ids),
        file_ids=list(record.file_ids),
    )


def _session_identity() -> Identity:
    """Keys are made and revoked from a signed-in session only, never with a key."""
    identity = current_identity()
    if identity.via_api_key:
        raise SessionRequired()
    return identity


class ApiKeysServicer(api_keys_pb2_grpc.ApiKeysServiceServicer):
    """Thin gRPC adapter over ApiKeysCore."""

    def __init__(self, core: ApiKeysCore) -> None:
        self._core = core

    async def CreateKey(self, request, context):  # noqa: N802 - gRPC method names
        spec = ApiKeySpec(
            name=request.name,
            kind=request.kind or KEY_KIND_FULL,
            expires_at=request.expires_at or None,
            model_ids=tuple(request.model_ids),
            knowledge_ids=tuple(request.knowledge_ids),
            file_ids=tuple(request.file_ids),
        )
        key, record = await self._core.create(_session_identity(), spec)
        return api_keys_pb2.CreateKeyResponse(api_key=key, key=key_pb(record))

    async def ListKeys(self, request, context):  # noqa: N802
        records = await self._core.list(current_identity())
        return api_keys_pb2.ListKeysResponse(keys=[key_pb(r) for r in records])

    async def GetKey(self, request, context):  # noqa: N802
        return api_keys_pb2.GetKeyResponse(key=key_pb(await self._core.get(current_identity(), request.id)))

    async def RevokeKey(self, request, context):  # noqa: N802
        record = await self._core.revoke(_session_identity(), request.id)
        return api_keys_pb2.RevokeKeyResponse(key=key_pb(record))
