"""InferenceService over gRPC: protobuf in, the core's plain objects, protobuf out."""

import dataclasses
import re
from collections.abc import AsyncIterator

import grpc

from services.common.errors import InvalidArgument, PermissionDenied
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.common.key_rpcs import proxy_refusal
from services.common.usage.limiter import FREE
from services.common.usage.record import EMBEDDINGS
from services.common.usage.recorder import UsageRecorder
from services.inference import key_models
from services.inference.core import InferenceCore
from services.inference.function_pb import function_message
from services.inference.proxy_common import ProxyCall
from services.inference.quotas.quota_gate import QuotaGate, is_billable_path
from services.inference.replies import Head, Part, dumps, loads
from services.inference.tasks.task_pb import TASK_NAMES, config_message
from services.inference.usage_meter import CallInfo, body_model, proxy_kind, route_upstream, watch_raw
from services.inference.usage_tally import (
    UsageTally,
    asking_usage,
    relayed_without_unasked_usage,
    wants_usage,
)
from services.inference.workspace_pb import changed_message, page_message, readable_message
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

_BACKENDS = {inference_pb2.BACKEND_OLLAMA: "ollama", inference_pb2.BACKEND_OPENAI: "openai"}
_FUNCTION_FLAGS = {
    inference_pb2.FUNCTION_FLAG_ACTIVE: "is_active",
    inference_pb2.FUNCTION_FLAG_GLOBAL: "is_global",
}
_VALVES_SCOPES = {inference_pb2.VALVES_SCOPE_ADMIN: "admin", inference_pb2.VALVES_SCOPE_USER: "user"}


def caller_of() -> Identity:
    """The verified user the call acts for (its credential, resolved by the interceptor)."""
    return require_verified(current_identity())


def json_body(raw: bytes) -> object:
    try:
        return loads(raw)
    except ValueError:
        raise InvalidArgument("The request body is not valid JSON") from None


def _valves_scope(scope: int) -> str:
    name = _VALVES_SCOPES.get(scope)
    if name is None:
        raise InvalidArgument("scope must be admin or user")
    return name


_OPENAI_CHAT = re.compile(r"/chat/completions(/\d+)?/?")


def _unasked_stream(path: str, raw: bytes) -> bytes | None:
    """For an ``/openai/chat/completions`` stream whose client asked no usage, the body asking the
    upstream for it; else None."""
    if _OPENAI_CHAT.fullmatch(path) is None or b'"stream"' not in raw:
        return None
    body, _ = body_model(raw)
    if not isinstance(body, dict) or body.get("stream") is not True or wants_usage(body):
        return None
    return dumps(asking_usage(body))


def head_of(head: Head) -> inference_pb2.HttpHead:
    return inference_pb2.HttpHead(status=head.status, headers=head.headers, streaming=head.streaming)


async def _whole_replies(parts: AsyncIterator[Part]) -> AsyncIterator[inference_pb2.ChatCompletionResponse]:
    """``parts`` as ChatCompletionResponse messages, a reply that is not streamed as one message
    (its body in the head) once the reply has ended; a streamed one as a head and then its chunks."""
    held: Head | None = None
    body: list[bytes] = []
    async for part in parts:
        if held is not None:
            assert isinstance(part, bytes)
            body.append(part)
        elif isinstance(part, Head) and not part.streaming:
            held = part
        elif isinstance(part, Head):
            yield inference_pb2.ChatCompletionResponse(head=head_of(part))
        else:
            yield inference_pb2.ChatCompletionResponse(chunk=part)
    if held is not None:
        head = inference_pb2.HttpHead(status=held.status, headers=held.headers, body=b"".join(body))
        yield inference_pb2.ChatCompletionResponse(head=head)


class InferenceServicer(inference_pb2_grpc.InferenceServiceServicer):
    def __init__(
        self, core: InferenceCore, usage: UsageRecorder | None = None, quotas: QuotaGate | None = None
    ) -> None:
        self._core = core
        # Billable calls are admitted against the shared limits (none configured: no work at all).
        self._quotas = quotas
        # Embeddings and billed pass-through calls queue a usage record here (chat completions are
        # recorded by the pipeline, per upstream call).
        self._usage = usage if usage is not None and usage.enabled else None

    async def _upstream_of(self, model: str) -> str:
        route = await self._core.registry.resolve(model) if model else None
        return route_upstream(route) if route is not None else ""

    async def ListModels(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ListModelsRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ListModelsResponse:
        models = await self._core.directory.models_for(caller_of(), refresh=request.refresh)
        return inference_pb2.ListModelsResponse(models_json=dumps(models))

    async def ChatCompletion(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ChatCompletionRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[inference_pb2.ChatCompletionResponse]:
        caller, form = caller_of(), json_body(request.body_json)
        if self._quotas is None:
            parts = self._core.pipeline.complete(caller, form)
        else:
            ticket = await self._quotas.admit(caller, request.body_json)
            # Every upstream call of the completion (each tool round) is charged, not the last.
            tally = UsageTally() if ticket is not FREE else None
            parts = self._quotas.charged(ticket, self._core.pipeline.complete(caller, form, tally), tally)
        if request.whole_reply:
            async for message in _whole_replies(parts):
                yield message
            return
        async for part in parts:
            if isinstance(part, Head):
                yield inference_pb2.ChatCompletionResponse(head=head_of(part))
            else:
                yield inference_pb2.ChatCompletionResponse(chunk=part)

    async def ChatCompleted(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ChatCompletedRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ChatCompletedResponse:
        body = await self._core.pipeline.completed(caller_of(), json_body(request.body_json))
        return inference_pb2.ChatCompletedResponse(body_json=dumps(body))

    async def Embeddings(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.EmbeddingsRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.EmbeddingsResponse:
        head, body = Head(500), []
        form = json_body(request.body_json)
        if isinstance(form, dict):
            key_models.require_model(caller_of(), form.get("model"))
        parts = self._core.embeddings.embed(form)
        if self._quotas is not None:
            ticket = await self._quotas.admit(caller_of(), request.body_json, embeddings=True)
            parts = self._quotas.charged(ticket, parts)
        if self._usage is not None and isinstance(form, dict):
            model = form.get("model") if isinstance(form.get("model"), str) else ""
            info = CallInfo(caller_of(), EMBEDDINGS, model, await self._upstream_of(model), form)
            parts = watch_raw(self._usage, info, parts)
        async for part in parts:
            if isinstance(part, Head):
                head = part
            else:
                body.append(part)
        return inference_pb2.EmbeddingsResponse(head=head_of(head), body=b"".join(body))

    async def Proxy(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ProxyRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[inference_pb2.ProxyResponse]:
        call = ProxyCall(
            caller_of(),
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
        # An API key reaches only the pass-through routes of its kind (the gateway's route table;
        # a gRPC client calls Proxy directly), and, when it names its models, only those.
        if call.caller.scope is not None:
            refused = proxy_refusal(call.caller, backend, request.method, request.path)
            if refused is not None:
                raise PermissionDenied(refused)
        key_models.require_body_models(call.caller, request.body)
        # An OpenAI chat stream reports its usage only when asked: asked always (for the records and
        # the limits), and what that adds taken out again for a client that did not ask.
        unasked = None
        if backend == "openai" and request.method == "POST":
            unasked = _unasked_stream(request.path, request.body)
        if unasked is not None:
            call = dataclasses.replace(call, body=unasked)
        parts: AsyncIterator[Part] = proxy.handle(call)
        if self._quotas is not None and request.method == "POST" and is_billable_path(request.path):
            embeds = "embed" in request.path
            parts = self._quotas.charged(await self._quotas.admit(call.caller, request.body, embeds), parts)
        kind = proxy_kind(backend, request.path) if self._usage is not None else None
        if kind is not None and self._usage is not None:
            body, model = body_model(request.body)
            info = CallInfo(call.caller, kind, model, await self._upstream_of(model), body)
            parts = watch_raw(self._usage, info, parts)
        if key_models.limited(call.caller) and key_models.is_listing(backend, request.path):
            parts = key_models.filtered_listing(call.caller, parts)
        if unasked is not None:
            parts = relayed_without_unasked_usage(parts)
        async for part in parts:
            if isinstance(part, Head):
                yield inference_pb2.ProxyResponse(head=head_of(part))
            else:
                yield inference_pb2.ProxyResponse(chunk=part)

    # -- functions --------------------------------------------------------------------------------

    async def ListFunctions(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ListFunctionsRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ListFunctionsResponse:
        functions = await self._core.function_admin.list(caller_of())
        return inference_pb2.ListFunctionsResponse(
            functions=[function_message(function, content=False) for function in functions]
        )

    async def CreateFunction(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.CreateFunctionRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.CreateFunctionResponse:
        function = await self._core.function_admin.create(caller_of(), json_body(request.form_json))
        return inference_pb2.CreateFunctionResponse(function=function_message(function))

    async def GetFunction(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.GetFunctionRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.GetFunctionResponse:
        function = await self._core.function_admin.get(caller_of(), request.id)
        return inference_pb2.GetFunctionResponse(function=function_message(function))

    async def UpdateFunction(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.UpdateFunctionRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.UpdateFunctionResponse:
        function = await self._core.function_admin.update(
            caller_of(), request.id, json_body(request.form_json)
        )
        return inference_pb2.UpdateFunctionResponse(function=function_message(function))

    async def ToggleFunction(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ToggleFunctionRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ToggleFunctionResponse:
        flag = _FUNCTION_FLAGS.get(request.flag)
        if flag is None:
            raise InvalidArgument("flag must be active or global")
        function = await self._core.function_admin.toggle(caller_of(), request.id, flag)
        return inference_pb2.ToggleFunctionResponse(function=function_message(function))

    async def DeleteFunction(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.DeleteFunctionRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.DeleteFunctionResponse:
        deleted = await self._core.function_admin.delete(caller_of(), request.id)
        return inference_pb2.DeleteFunctionResponse(deleted=deleted)

    async def GetFunctionValves(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.GetFunctionValvesRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.GetFunctionValvesResponse:
        valves = await self._core.function_admin.valves(
            caller_of(), request.id, _valves_scope(request.scope), request.spec
        )
        return inference_pb2.GetFunctionValvesResponse(valves_json=dumps(valves))

    async def UpdateFunctionValves(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.UpdateFunctionValvesRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.UpdateFunctionValvesResponse:
        valves = await self._core.function_admin.update_valves(
            caller_of(),
            request.id,
            _valves_scope(request.scope),
            json_body(request.valves_json),
        )
        return inference_pb2.UpdateFunctionValvesResponse(valves_json=dumps(valves))

    # -- workspace models -------------------------------------------------------------------------

    async def ListWorkspaceModels(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ListWorkspaceModelsRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ListWorkspaceModelsResponse:
        page = await self._core.model_admin.list(caller_of(), request.query, request.page)
        return page_message(page)

    async def CreateWorkspaceModel(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.CreateWorkspaceModelRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.CreateWorkspaceModelResponse:
        model = await self._core.model_admin.create(caller_of(), json_body(request.form_json))
        return inference_pb2.CreateWorkspaceModelResponse(model=changed_message(model))

    async def GetWorkspaceModel(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.GetWorkspaceModelRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.GetWorkspaceModelResponse:
        model = await self._core.model_admin.get(caller_of(), request.id)
        return inference_pb2.GetWorkspaceModelResponse(model=readable_message(model))

    async def UpdateWorkspaceModel(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.UpdateWorkspaceModelRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.UpdateWorkspaceModelResponse:
        model = await self._core.model_admin.update(caller_of(), json_body(request.form_json))
        return inference_pb2.UpdateWorkspaceModelResponse(model=changed_message(model))

    async def UpdateWorkspaceModelAccess(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.UpdateWorkspaceModelAccessRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.UpdateWorkspaceModelAccessResponse:
        model = await self._core.model_admin.update_access(
            caller_of(), request.id, request.name, json_body(request.access_grants_json or b"[]")
        )
        return inference_pb2.UpdateWorkspaceModelAccessResponse(model=changed_message(model))

    async def ToggleWorkspaceModel(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.ToggleWorkspaceModelRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.ToggleWorkspaceModelResponse:
        model = await self._core.model_admin.toggle(caller_of(), request.id)
        return inference_pb2.ToggleWorkspaceModelResponse(model=changed_message(model))

    async def DeleteWorkspaceModel(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.DeleteWorkspaceModelRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.DeleteWorkspaceModelResponse:
        deleted = await self._core.model_admin.delete(caller_of(), request.id)
        return inference_pb2.DeleteWorkspaceModelResponse(deleted=deleted)

    # -- tasks ------------------------------------------------------------------------------------

    async def GetTaskConfig(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.GetTaskConfigRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.GetTaskConfigResponse:
        config = await self._core.tasks.config(caller_of())
        return inference_pb2.GetTaskConfigResponse(config=config_message(config))

    async def UpdateTaskConfig(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.UpdateTaskConfigRequest, context: grpc.aio.ServicerContext
    ) -> inference_pb2.UpdateTaskConfigResponse:
        config = await self._core.tasks.update_config(caller_of(), json_body(request.form_json))
        return inference_pb2.UpdateTaskConfigResponse(config=config_message(config))

    async def RunTask(  # noqa: N802 - gRPC method names
        self, request: inference_pb2.RunTaskRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[inference_pb2.RunTaskResponse]:
        task = TASK_NAMES.get(request.task)
        if task is None:
            raise InvalidArgument("task must name one of the task routes")
        form = json_body(request.body_json)
        if isinstance(form, dict):
            key_models.require_model(caller_of(), form.get("model"))
        async for part in self._core.tasks.run(caller_of(), task, form):
            if isinstance(part, Head):
                yield inference_pb2.RunTaskResponse(head=head_of(part))
            else:
                yield inference_pb2.RunTaskResponse(chunk=part)
