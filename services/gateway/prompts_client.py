"""PromptsService client: one function per RPC, each with the caller's credential and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import prompts_pb2 as pb
from webui.inference.v1 import prompts_pb2_grpc

_ORDERS = {
    "name": pb.PROMPT_ORDER_NAME,
    "created_at": pb.PROMPT_ORDER_CREATED_AT,
    "updated_at": pb.PROMPT_ORDER_UPDATED_AT,
}
_VIEWS = {"created": pb.PROMPT_VIEW_OPTION_CREATED, "shared": pb.PROMPT_VIEW_OPTION_SHARED}


class PromptsClient:
    """Calls PromptsService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = prompts_pb2_grpc.PromptsServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_prompts(self, principal: Principal) -> list[pb.Prompt]:
        reply = await self._stub.ListPrompts(pb.ListPromptsRequest(), **self._opts(principal))
        return list(reply.prompts)

    async def list_tags(self, principal: Principal) -> list[str]:
        reply = await self._stub.ListPromptTags(pb.ListPromptTagsRequest(), **self._opts(principal))
        return list(reply.tags)

    async def search(
        self,
        principal: Principal,
        *,
        query: str,
        view_option: str,
        tag: str,
        order_by: str,
        ascending: bool,
        page: int,
    ) -> pb.SearchPromptsResponse:
        """Unknown ``view_option`` / ``order_by`` values read as none (Open WebUI ignores them)."""
        request = pb.SearchPromptsRequest(
            query=query,
            view_option=_VIEWS.get(view_option, pb.PROMPT_VIEW_OPTION_UNSPECIFIED),
            tag=tag,
            order_by=_ORDERS.get(order_by, pb.PROMPT_ORDER_UNSPECIFIED),
            ascending=ascending,
            page=page,
        )
        return await self._stub.SearchPrompts(request, **self._opts(principal))

    async def create(self, principal: Principal, form: bytes) -> pb.Prompt:
        reply = await self._stub.CreatePrompt(pb.CreatePromptRequest(form_json=form), **self._opts(principal))
        return reply.prompt

    async def get(self, principal: Principal, prompt_id: str) -> pb.Prompt:
        return (await self._stub.GetPrompt(pb.GetPromptRequest(id=prompt_id), **self._opts(principal))).prompt

    async def update(self, principal: Principal, prompt_id: str, form: bytes) -> pb.Prompt:
        request = pb.UpdatePromptRequest(id=prompt_id, form_json=form)
        return (await self._stub.UpdatePrompt(request, **self._opts(principal))).prompt

    async def update_meta(self, principal: Principal, prompt_id: str, form: bytes) -> pb.Prompt:
        request = pb.UpdatePromptMetaRequest(id=prompt_id, form_json=form)
        return (await self._stub.UpdatePromptMeta(request, **self._opts(principal))).prompt

    async def set_version(self, principal: Principal, prompt_id: str, version_id: str) -> pb.Prompt:
        request = pb.SetPromptVersionRequest(id=prompt_id, version_id=version_id)
        return (await self._stub.SetPromptVersion(request, **self._opts(principal))).prompt

    async def update_access(self, principal: Principal, prompt_id: str, grants: bytes) -> pb.Prompt:
        request = pb.UpdatePromptAccessRequest(id=prompt_id, access_grants_json=grants)
        return (await self._stub.UpdatePromptAccess(request, **self._opts(principal))).prompt

    async def toggle(self, principal: Principal, prompt_id: str) -> pb.Prompt:
        return (
            await self._stub.TogglePrompt(pb.TogglePromptRequest(id=prompt_id), **self._opts(principal))
        ).prompt

    async def delete(self, principal: Principal, prompt_id: str) -> bool:
        return (
            await self._stub.DeletePrompt(pb.DeletePromptRequest(id=prompt_id), **self._opts(principal))
        ).deleted

    async def list_versions(self, principal: Principal, prompt_id: str, page: int) -> list[pb.PromptVersion]:
        request = pb.ListPromptVersionsRequest(id=prompt_id, page=page)
        return list((await self._stub.ListPromptVersions(request, **self._opts(principal))).versions)

    async def get_version(self, principal: Principal, prompt_id: str, version_id: str) -> pb.PromptVersion:
        request = pb.GetPromptVersionRequest(id=prompt_id, version_id=version_id)
        return (await self._stub.GetPromptVersion(request, **self._opts(principal))).version

    async def delete_version(self, principal: Principal, prompt_id: str, version_id: str) -> bool:
        request = pb.DeletePromptVersionRequest(id=prompt_id, version_id=version_id)
        return (await self._stub.DeletePromptVersion(request, **self._opts(principal))).deleted

    async def diff_versions(self, principal: Principal, prompt_id: str, from_id: str, to_id: str) -> bytes:
        request = pb.DiffPromptVersionsRequest(id=prompt_id, from_id=from_id, to_id=to_id)
        return (await self._stub.DiffPromptVersions(request, **self._opts(principal))).diff_json
