"""ApiKeysService client: one function per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from webui.auth.v1 import api_keys_pb2, api_keys_pb2_grpc


class ApiKeysClient:
    """Calls ApiKeysService over the auth channel, as the user whose credential it is given."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = api_keys_pb2_grpc.ApiKeysServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, credential: str) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(credential)}

    async def create(
        self, credential: str, request: api_keys_pb2.CreateKeyRequest
    ) -> api_keys_pb2.CreateKeyResponse:
        return await self._stub.CreateKey(request, **self._opts(credential))

    async def list(self, credential: str) -> list[api_keys_pb2.ApiKey]:
        reply = await self._stub.ListKeys(api_keys_pb2.ListKeysRequest(), **self._opts(credential))
        return list(reply.keys)

    async def get(self, credential: str, key_id: str) -> api_keys_pb2.ApiKey:
        request = api_keys_pb2.GetKeyRequest(id=key_id)
        return (await self._stub.GetKey(request, **self._opts(credential))).key

    async def revoke(self, credential: str, key_id: str) -> api_keys_pb2.ApiKey:
        request = api_keys_pb2.RevokeKeyRequest(id=key_id)
        return (await self._stub.RevokeKey(request, **self._opts(credential))).key
