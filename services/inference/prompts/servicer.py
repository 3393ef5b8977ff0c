"""PromptsService over gRPC: protobuf in, the prompt rules' plain objects, protobuf out."""

import grpc
import orjson

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.prompts.history import PromptHistory
from services.inference.prompts.records import PromptVersion
from services.inference.prompts.service import PromptService, PromptView
from services.inference.replies import dumps
from webui.inference.v1 import prompts_pb2 as pb
from webui.inference.v1 import prompts_pb2_grpc

Context = grpc.aio.ServicerContext

_ORDERS = {
    pb.PROMPT_ORDER_UNSPECIFIED: "",
    pb.PROMPT_ORDER_NAME: "name",
    pb.PROMPT_ORDER_CREATED_AT: "created_at",
    pb.PROMPT_ORDER_UPDATED_AT: "updated_at",
}
_VIEWS = {
    pb.PROMPT_VIEW_OPTION_UNSPECIFIED: "",
    pb.PROMPT_VIEW_OPTION_CREATED: "created",
    pb.PROMPT_VIEW_OPTION_SHARED: "shared",
}


def _caller() -> Identity:
    return require_verified(current_identity())


def _json(raw: bytes, name: str) -> object:
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        raise InvalidArgument(f"{name} must be JSON") from None


def prompt_message(view: PromptView) -> pb.Prompt:
    record = view.record
    return pb.Prompt(
        id=record.id,
        command=record.command,
        user_id=record.user_id,
        name=record.name,
        content=record.content,
        data_json=dumps(record.data),
        meta_json=dumps(record.meta),
        tags=record.tags,
        is_active=record.is_active,
        version_id=record.version_id or "",
        created_at=record.created_at,
        updated_at=record.updated_at,
        access_grants_json=dumps(record.access_grants),
        write_access=view.write_access,
    )


def version_message(version: PromptVersion) -> pb.PromptVersion:
    return pb.PromptVersion(
        id=version.id,
        prompt_id=version.prompt_id,
        parent_id=version.parent_id or "",
        snapshot_json=dumps(version.snapshot),
        user_id=version.user_id,
        commit_message=version.commit_message or "",
        has_commit_message=version.commit_message is not None,
        created_at=version.created_at,
    )


class PromptsServicer(prompts_pb2_grpc.PromptsServiceServicer):
    def __init__(self, prompts: PromptService, history: PromptHistory) -> None:
        self._prompts = prompts
        self._history = history

    async def ListPrompts(self, request: pb.ListPromptsRequest, context: Context) -> pb.ListPromptsResponse:  # noqa: N802
        views = await self._prompts.listed(_caller())
        return pb.ListPromptsResponse(prompts=[prompt_message(v) for v in views])

    async def ListPromptTags(  # noqa: N802
        self, request: pb.ListPromptTagsRequest, context: Context
    ) -> pb.ListPromptTagsResponse:
        return pb.ListPromptTagsResponse(tags=await self._prompts.tags(_caller()))

    async def SearchPrompts(  # noqa: N802
        self, request: pb.SearchPromptsRequest, context: Context
    ) -> pb.SearchPromptsResponse:
        views, total = await self._prompts.search(
            _caller(),
            query=request.query,
            view_option=_VIEWS.get(request.view_option, ""),
            tag=request.tag,
            order_by=_ORDERS.get(request.order_by, ""),
            ascending=request.ascending,
            page=request.page,
        )
        return pb.SearchPromptsResponse(prompts=[prompt_message(v) for v in views], total=total)

    async def CreatePrompt(  # noqa: N802
        self, request: pb.CreatePromptRequest, context: Context
    ) -> pb.CreatePromptResponse:
        view = await self._prompts.create(_caller(), _json(request.form_json, "form_json"))
        return pb.CreatePromptResponse(prompt=prompt_message(view))

    async def GetPrompt(self, request: pb.GetPromptRequest, context: Context) -> pb.GetPromptResponse:  # noqa: N802
        return pb.GetPromptResponse(prompt=prompt_message(await self._prompts.get(_caller(), request.id)))

    async def UpdatePrompt(  # noqa: N802
        self, request: pb.UpdatePromptRequest, context: Context
    ) -> pb.UpdatePromptResponse:
        view = await self._prompts.update(_caller(), request.id, _json(request.form_json, "form_json"))
        return pb.UpdatePromptResponse(prompt=prompt_message(view))

    async def UpdatePromptMeta(  # noqa: N802
        self, request: pb.UpdatePromptMetaRequest, context: Context
    ) -> pb.UpdatePromptMetaResponse:
        view = await self._prompts.update_meta(_caller(), request.id, _json(request.form_json, "form_json"))
        return pb.UpdatePromptMetaResponse(prompt=prompt_message(view))

    async def SetPromptVersion(  # noqa: N802
        self, request: pb.SetPromptVersionRequest, context: Context
    ) -> pb.SetPromptVersionResponse:
        view = await self._prompts.set_version(_caller(), request.id, request.version_id)
        return pb.SetPromptVersionResponse(prompt=prompt_message(view))

    async def UpdatePromptAccess(  # noqa: N802
        self, request: pb.UpdatePromptAccessRequest, context: Context
    ) -> pb.UpdatePromptAccessResponse:
        grants = _json(request.access_grants_json, "access_grants_json")
        view = await self._prompts.update_access(_caller(), request.id, grants if grants is not None else [])
        return pb.UpdatePromptAccessResponse(prompt=prompt_message(view))

    async def TogglePrompt(  # noqa: N802
        self, request: pb.TogglePromptRequest, context: Context
    ) -> pb.TogglePromptResponse:
        return pb.TogglePromptResponse(
            prompt=prompt_message(await self._prompts.toggle(_caller(), request.id))
        )

    async def DeletePrompt(  # noqa: N802
        self, request: pb.DeletePromptRequest, context: Context
    ) -> pb.DeletePromptResponse:
        return pb.DeletePromptResponse(deleted=await self._prompts.delete(_caller(), request.id))

    async def ListPromptVersions(  # noqa: N802
        self, request: pb.ListPromptVersionsRequest, context: Context
    ) -> pb.ListPromptVersionsResponse:
        versions = await self._history.listed(_caller(), request.id, request.page)
        return pb.ListPromptVersionsResponse(versions=[version_message(v) for v in versions])

    async def GetPromptVersion(  # noqa: N802
        self, request: pb.GetPromptVersionRequest, context: Context
    ) -> pb.GetPromptVersionResponse:
        version = await self._history.get(_caller(), request.id, request.version_id)
        return pb.GetPromptVersionResponse(version=version_message(version))

    async def DeletePromptVersion(  # noqa: N802
        self, request: pb.DeletePromptVersionRequest, context: Context
    ) -> pb.DeletePromptVersionResponse:
        deleted = await self._history.delete(_caller(), request.id, request.version_id)
        return pb.DeletePromptVersionResponse(deleted=deleted)

    async def DiffPromptVersions(  # noqa: N802
        self, request: pb.DiffPromptVersionsRequest, context: Context
    ) -> pb.DiffPromptVersionsResponse:
        diff = await self._history.diff(_caller(), request.id, request.from_id, request.to_id)
        return pb.DiffPromptVersionsResponse(diff_json=dumps(diff))
