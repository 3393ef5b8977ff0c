"""InferenceService client: one function per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from services.gateway.views import caller_fields
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

BACKENDS = {"ollama": inference_pb2.BACKEND_OLLAMA, "openai": inference_pb2.BACKEND_OPENAI}


def caller_of(principal: Principal) -> inference_pb2.Caller:
    return inference_pb2.Caller(**caller_fields(principal.user))


class InferenceClient:
    """Calls InferenceService over one shared channel.

    Unary calls get ``timeout_s``; streams get ``stream_timeout_s``, which must outlast the longest
    upstream reply (the service's own upstream deadline is shorter and fires first).
    """

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float, stream_timeout_s: float) -> None:
        self._stub = inference_pb2_grpc.InferenceServiceStub(channel)
        self._timeout_s = timeout_s
        self._stream_timeout_s = stream_timeout_s

    async def list_models(self, principal: Principal, refresh: bool) -> bytes:
        request = inference_pb2.ListModelsRequest(caller=caller_of(principal), refresh=refresh)
        reply = await self._stub.ListModels(request, timeout=self._timeout_s, metadata=outgoing_metadata())
        return reply.models_json

    def chat_completion(self, principal: Principal, body: bytes) -> grpc.aio.UnaryStreamCall:
        request = inference_pb2.ChatCompletionRequest(caller=caller_of(principal), body_json=body)
        return self._stub.ChatCompletion(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata()
        )

    async def chat_completed(self, principal: Principal, body: bytes) -> bytes:
        request = inference_pb2.ChatCompletedRequest(caller=caller_of(principal), body_json=body)
        reply = await self._stub.ChatCompleted(request, timeout=self._timeout_s, metadata=outgoing_metadata())
        return reply.body_json

    async def embeddings(self, principal: Principal, body: bytes) -> inference_pb2.EmbeddingsResponse:
        request = inference_pb2.EmbeddingsRequest(caller=caller_of(principal), body_json=body)
        return await self._stub.Embeddings(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata()
        )

    def proxy(
        self,
        principal: Principal | None,
        backend: str,
        method: str,
        path: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
    ) -> grpc.aio.UnaryStreamCall:
        request = inference_pb2.ProxyRequest(
            caller=caller_of(principal) if principal else None,
            backend=BACKENDS[backend],
            method=method,
            path=path,
            query=query,
            body=body,
            headers=headers,
        )
        return self._stub.Proxy(request, timeout=self._stream_timeout_s, metadata=outgoing_metadata())
