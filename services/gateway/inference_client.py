"""InferenceService client: one function per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

BACKENDS = {"ollama": inference_pb2.BACKEND_OLLAMA, "openai": inference_pb2.BACKEND_OPENAI}
# The /api/v1/tasks/{task}/completions routes.
TASKS = {
    "title": inference_pb2.TASK_TITLE,
    "tags": inference_pb2.TASK_TAGS,
    "follow_up": inference_pb2.TASK_FOLLOW_UP,
    "queries": inference_pb2.TASK_QUERIES,
    "auto": inference_pb2.TASK_AUTO,
    "emoji": inference_pb2.TASK_EMOJI,
    "image_prompt": inference_pb2.TASK_IMAGE_PROMPT,
    "moa": inference_pb2.TASK_MOA,
}


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
        request = inference_pb2.ListModelsRequest(refresh=refresh)
        reply = await self._stub.ListModels(
            request, timeout=self._timeout_s, metadata=outgoing_metadata(principal.credential)
        )
        return reply.models_json

    def chat_completion(self, principal: Principal, body: bytes) -> grpc.aio.UnaryStreamCall:
        # A reply that is not streamed comes as one message (relay reads both forms).
        request = inference_pb2.ChatCompletionRequest(body_json=body, whole_reply=True)
        return self._stub.ChatCompletion(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata(principal.credential)
        )

    async def chat_completed(self, principal: Principal, body: bytes) -> bytes:
        request = inference_pb2.ChatCompletedRequest(body_json=body)
        reply = await self._stub.ChatCompleted(
            request, timeout=self._timeout_s, metadata=outgoing_metadata(principal.credential)
        )
        return reply.body_json

    async def embeddings(self, principal: Principal, body: bytes) -> inference_pb2.EmbeddingsResponse:
        request = inference_pb2.EmbeddingsRequest(body_json=body)
        return await self._stub.Embeddings(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata(principal.credential)
        )

    def proxy(
        self,
        principal: Principal,
        backend: str,
        method: str,
        path: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
    ) -> grpc.aio.UnaryStreamCall:
        request = inference_pb2.ProxyRequest(
            backend=BACKENDS[backend],
            method=method,
            path=path,
            query=query,
            body=body,
            headers=headers,
        )
        return self._stub.Proxy(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata(principal.credential)
        )

    # -- functions (forms and valves are JSON bytes; functions are messages) -----------------------

    def _function_opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_functions(self, principal: Principal) -> list[inference_pb2.Function]:
        request = inference_pb2.ListFunctionsRequest()
        return list((await self._stub.ListFunctions(request, **self._function_opts(principal))).functions)

    async def create_function(self, principal: Principal, form: bytes) -> inference_pb2.Function:
        request = inference_pb2.CreateFunctionRequest(form_json=form)
        return (await self._stub.CreateFunction(request, **self._function_opts(principal))).function

    async def get_function(self, principal: Principal, function_id: str) -> inference_pb2.Function:
        request = inference_pb2.GetFunctionRequest(id=function_id)
        return (await self._stub.GetFunction(request, **self._function_opts(principal))).function

    async def update_function(
        self, principal: Principal, function_id: str, form: bytes
    ) -> inference_pb2.Function:
        request = inference_pb2.UpdateFunctionRequest(id=function_id, form_json=form)
        return (await self._stub.UpdateFunction(request, **self._function_opts(principal))).function

    async def toggle_function(
        self, principal: Principal, function_id: str, is_global: bool
    ) -> inference_pb2.Function:
        flag = inference_pb2.FUNCTION_FLAG_GLOBAL if is_global else inference_pb2.FUNCTION_FLAG_ACTIVE
        request = inference_pb2.ToggleFunctionRequest(id=function_id, flag=flag)
        return (await self._stub.ToggleFunction(request, **self._function_opts(principal))).function

    async def delete_function(self, principal: Principal, function_id: str) -> bool:
        request = inference_pb2.DeleteFunctionRequest(id=function_id)
        return (await self._stub.DeleteFunction(request, **self._function_opts(principal))).deleted

    async def get_function_valves(
        self, principal: Principal, function_id: str, *, user: bool, spec: bool
    ) -> bytes:
        request = inference_pb2.GetFunctionValvesRequest(id=function_id, scope=_valves_scope(user), spec=spec)
        return (await self._stub.GetFunctionValves(request, **self._function_opts(principal))).valves_json

    async def update_function_valves(
        self, principal: Principal, function_id: str, valves: bytes, *, user: bool
    ) -> bytes:
        request = inference_pb2.UpdateFunctionValvesRequest(
            id=function_id, scope=_valves_scope(user), valves_json=valves
        )
        return (await self._stub.UpdateFunctionValves(request, **self._function_opts(principal))).valves_json

    # -- workspace models (forms are JSON bytes; models are messages) ------------------------------

    def _workspace_opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_workspace_models(
        self, principal: Principal, query: str, page: int
    ) -> inference_pb2.ListWorkspaceModelsResponse:
        request = inference_pb2.ListWorkspaceModelsRequest(query=query, page=page)
        return await self._stub.ListWorkspaceModels(request, **self._workspace_opts(principal))

    async def create_workspace_model(self, principal: Principal, form: bytes) -> inference_pb2.WorkspaceModel:
        request = inference_pb2.CreateWorkspaceModelRequest(form_json=form)
        return (await self._stub.CreateWorkspaceModel(request, **self._workspace_opts(principal))).model

    async def get_workspace_model(self, principal: Principal, model_id: str) -> inference_pb2.WorkspaceModel:
        request = inference_pb2.GetWorkspaceModelRequest(id=model_id)
        return (await self._stub.GetWorkspaceModel(request, **self._workspace_opts(principal))).model

    async def update_workspace_model(self, principal: Principal, form: bytes) -> inference_pb2.WorkspaceModel:
        request = inference_pb2.UpdateWorkspaceModelRequest(form_json=form)
        return (await self._stub.UpdateWorkspaceModel(request, **self._workspace_opts(principal))).model

    async def update_workspace_model_access(
        self, principal: Principal, model_id: str, name: str, grants: bytes
    ) -> inference_pb2.WorkspaceModel:
        request = inference_pb2.UpdateWorkspaceModelAccessRequest(
            id=model_id, name=name, access_grants_json=grants
        )
        return (await self._stub.UpdateWorkspaceModelAccess(request, **self._workspace_opts(principal))).model

    async def toggle_workspace_model(
        self, principal: Principal, model_id: str
    ) -> inference_pb2.WorkspaceModel:
        request = inference_pb2.ToggleWorkspaceModelRequest(id=model_id)
        return (await self._stub.ToggleWorkspaceModel(request, **self._workspace_opts(principal))).model

    async def delete_workspace_model(self, principal: Principal, model_id: str) -> bool:
        request = inference_pb2.DeleteWorkspaceModelRequest(id=model_id)
        return (await self._stub.DeleteWorkspaceModel(request, **self._workspace_opts(principal))).deleted

    # -- tasks (the config is a message; forms and task bodies are JSON bytes) ----------------------

    async def get_task_config(self, principal: Principal) -> inference_pb2.TaskConfig:
        request = inference_pb2.GetTaskConfigRequest()
        reply = await self._stub.GetTaskConfig(
            request, timeout=self._timeout_s, metadata=outgoing_metadata(principal.credential)
        )
        return reply.config

    async def update_task_config(self, principal: Principal, form: bytes) -> inference_pb2.TaskConfig:
        request = inference_pb2.UpdateTaskConfigRequest(form_json=form)
        reply = await self._stub.UpdateTaskConfig(
            request, timeout=self._timeout_s, metadata=outgoing_metadata(principal.credential)
        )
        return reply.config

    def run_task(self, principal: Principal, task: str, body: bytes) -> grpc.aio.UnaryStreamCall:
        """A task completion: a model call, so it gets the stream deadline."""
        request = inference_pb2.RunTaskRequest(task=TASKS[task], body_json=body)
        return self._stub.RunTask(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata(principal.credential)
        )
