"""InferenceService client: one function per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from services.gateway.views import caller_fields
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

BACKENDS = {"ollama": inference_pb2.BACKEND_OLLAMA, "openai": inference_pb2.BACKEND_OPENAI}


def caller_of(principal: Principal) -> inference_pb2.Caller:
    return inference_pb2.Caller(**caller_fields(principal.user))


def _valves_scope(user: bool) -> int:
    return inference_pb2.VALVES_SCOPE_USER if user else inference_pb2.VALVES_SCOPE_ADMIN


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

    # -- functions (JSON bytes both ways) -----------------------------------------------------------

    def _function_opts(self) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata()}

    async def list_functions(self, principal: Principal) -> bytes:
        request = inference_pb2.ListFunctionsRequest(caller=caller_of(principal))
        return (await self._stub.ListFunctions(request, **self._function_opts())).functions_json

    async def create_function(self, principal: Principal, form: bytes) -> bytes:
        request = inference_pb2.CreateFunctionRequest(caller=caller_of(principal), form_json=form)
        return (await self._stub.CreateFunction(request, **self._function_opts())).function_json

    async def get_function(self, principal: Principal, function_id: str) -> bytes:
        request = inference_pb2.GetFunctionRequest(caller=caller_of(principal), id=function_id)
        return (await self._stub.GetFunction(request, **self._function_opts())).function_json

    async def update_function(self, principal: Principal, function_id: str, form: bytes) -> bytes:
        request = inference_pb2.UpdateFunctionRequest(
            caller=caller_of(principal), id=function_id, form_json=form
        )
        return (await self._stub.UpdateFunction(request, **self._function_opts())).function_json

    async def toggle_function(self, principal: Principal, function_id: str, is_global: bool) -> bytes:
        flag = inference_pb2.FUNCTION_FLAG_GLOBAL if is_global else inference_pb2.FUNCTION_FLAG_ACTIVE
        request = inference_pb2.ToggleFunctionRequest(caller=caller_of(principal), id=function_id, flag=flag)
        return (await self._stub.ToggleFunction(request, **self._function_opts())).function_json

    async def delete_function(self, principal: Principal, function_id: str) -> bool:
        request = inference_pb2.DeleteFunctionRequest(caller=caller_of(principal), id=function_id)
        return (await self._stub.DeleteFunction(request, **self._function_opts())).deleted

    async def get_function_valves(
        self, principal: Principal, function_id: str, *, user: bool, spec: bool
    ) -> bytes:
        request = inference_pb2.GetFunctionValvesRequest(
            caller=caller_of(principal), id=function_id, scope=_valves_scope(user), spec=spec
        )
        return (await self._stub.GetFunctionValves(request, **self._function_opts())).valves_json

    async def update_function_valves(
        self, principal: Principal, function_id: str, valves: bytes, *, user: bool
    ) -> bytes:
        request = inference_pb2.UpdateFunctionValvesRequest(
            caller=caller_of(principal), id=function_id, scope=_valves_scope(user), valves_json=valves
        )
        return (await self._stub.UpdateFunctionValves(request, **self._function_opts())).valves_json

    # -- workspace models (JSON bytes both ways) ----------------------------------------------------

    def _workspace_opts(self) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata()}

    async def list_workspace_models(self, principal: Principal, query: str, page: int) -> bytes:
        request = inference_pb2.ListWorkspaceModelsRequest(
            caller=caller_of(principal), query=query, page=page
        )
        return (await self._stub.ListWorkspaceModels(request, **self._workspace_opts())).page_json

    async def create_workspace_model(self, principal: Principal, form: bytes) -> bytes:
        request = inference_pb2.CreateWorkspaceModelRequest(caller=caller_of(principal), form_json=form)
        return (await self._stub.CreateWorkspaceModel(request, **self._workspace_opts())).model_json

    async def get_workspace_model(self, principal: Principal, model_id: str) -> bytes:
        request = inference_pb2.GetWorkspaceModelRequest(caller=caller_of(principal), id=model_id)
        return (await self._stub.GetWorkspaceModel(request, **self._workspace_opts())).model_json

    async def update_workspace_model(self, principal: Principal, form: bytes) -> bytes:
        request = inference_pb2.UpdateWorkspaceModelRequest(caller=caller_of(principal), form_json=form)
        return (await self._stub.UpdateWorkspaceModel(request, **self._workspace_opts())).model_json

    async def toggle_workspace_model(self, principal: Principal, model_id: str) -> bytes:
        request = inference_pb2.ToggleWorkspaceModelRequest(caller=caller_of(principal), id=model_id)
        return (await self._stub.ToggleWorkspaceModel(request, **self._workspace_opts())).model_json

    async def delete_workspace_model(self, principal: Principal, model_id: str) -> bool:
        request = inference_pb2.DeleteWorkspaceModelRequest(caller=caller_of(principal), id=model_id)
        return (await self._stub.DeleteWorkspaceModel(request, **self._workspace_opts())).deleted
