"""InferenceService over gRPC: protobuf in, the core's plain objects, protobuf out."""

from collections.abc import AsyncIterator

import grpc

from services.common.errors import InvalidArgument
from services.inference.caller import Caller
from services.inference.core import InferenceCore
from services.inference.proxy_common import ProxyCall
from services.inference.replies import Head, Part, dumps, loads
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

_BACKENDS = {inference_pb2.BACKEND_OLLAMA: "ollama", inference_pb2.BACKEND_OPENAI: "openai"}


def caller_of(message: inference_pb2.Caller) -> Caller:
    return Caller(message.user_id, message.email, message.name, message.role or "user")


def json_body(raw: bytes) -> object:
    try:
        return loads(raw)
    except ValueError:
        raise InvalidArgument("The request body is not valid JSON") from None


def head_of(head: Head) -> inference_pb2.HttpHead:
    return inference_pb2.HttpHead(status=head.status, headers=head.headers, streaming=head.streaming)


class InferenceServicer(inference_pb2_grpc.InferenceServiceServicer):
    def __init__(self, core: InferenceCore) -> None:
        self._core = core

    async def ListModels(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ListModelsRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ListModelsResponse:
        catalog = await self._core.registry.catalog(refresh=request.refresh)
        return inference_pb2.ListModelsResponse(models_json=catalog.models_json)

    async def ChatCompletion(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ChatCompletionRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[inference_pb2.ChatCompletionResponse]:
        async for part in self._core.chat.complete(json_body(request.body_json)):
            if isinstance(part, Head):
                yield inference_pb2.ChatCompletionResponse(head=head_of(part))
            else:
                yield inference_pb2.ChatCompletionResponse(chunk=part)

    async def ChatCompleted(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ChatCompletedRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ChatCompletedResponse:
        body = await self._core.chat.completed(json_body(request.body_json))
        return inference_pb2.ChatCompletedResponse(body_json=dumps(body))

    async def Embeddings(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.EmbeddingsRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.EmbeddingsResponse:
        head, body = Head(500), []
        async for part in self._core.embeddings.embed(json_body(request.body_json)):
            if isinstance(part, Head):
                head = part
            else:
                body.append(part)
        return inference_pb2.EmbeddingsResponse(head=head_of(head), body=b"".join(body))

    async def Proxy(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ProxyRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[inference_pb2.ProxyResponse]:
        call = ProxyCall(
            caller_of(request.caller),
            request.method,
            request.path,
            request.query,
            request.body,
            dict(request.headers),
        )
        backend = _BACKENDS.get(request.backend)
        if backend is None:
            raise InvalidArgument("backend must be ollama or openai")
        proxy = self._core.ollama if backend == "ollama" else self._core.openai
        parts: AsyncIterator[Part] = proxy.handle(call)
        async for part in parts:
            if isinstance(part, Head):
                yield inference_pb2.ProxyResponse(head=head_of(part))
            else:
                yield inference_pb2.ProxyResponse(chunk=part)
