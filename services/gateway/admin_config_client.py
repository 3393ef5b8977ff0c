"""AdminConfigService client: one function per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from webui.auth.v1 import admin_config_pb2, admin_config_pb2_grpc


class AdminConfigClient:
    """Calls AdminConfigService (served by the auth service) over the auth channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = admin_config_pb2_grpc.AdminConfigServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, credential: str) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(credential)}

    async def get(self, credential: str) -> bytes:
        """The config as Open WebUI's JSON object."""
        request = admin_config_pb2.GetAdminConfigRequest()
        return (await self._stub.GetAdminConfig(request, **self._opts(credential))).config_json

    async def update(self, credential: str, body: bytes) -> admin_config_pb2.UpdateAdminConfigResponse:
        request = admin_config_pb2.UpdateAdminConfigRequest(config_json=body)
        return await self._stub.UpdateAdminConfig(request, **self._opts(credential))
