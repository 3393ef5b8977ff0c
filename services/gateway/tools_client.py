"""ToolsService client: one function per RPC, each with the caller's credential and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import tools_pb2 as pb
from webui.inference.v1 import tools_pb2_grpc


def _scope(user: bool) -> int:
    return pb.TOOL_VALVES_SCOPE_USER if user else pb.TOOL_VALVES_SCOPE_ADMIN


class ToolsClient:
    """Calls ToolsService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float, discovery_timeout_s: float) -> None:
        self._stub = tools_pb2_grpc.ToolsServiceStub(channel)
        self._timeout_s = timeout_s
        # Listing an MCP server's tools connects to it: the inference service bounds that with
        # its tool-server timeouts and answers Open WebUI's 504 text, which a shorter unary
        # deadline here would replace.
        self._discovery_timeout_s = discovery_timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_tools(
        self, principal: Principal, query: str, include_servers: bool
    ) -> pb.ListToolsResponse:
        request = pb.ListToolsRequest(query=query, include_servers=include_servers)
        return await self._stub.ListTools(request, **self._opts(principal))

    async def export_tools(self, principal: Principal) -> list[pb.Tool]:
        return list((await self._stub.ExportTools(pb.ExportToolsRequest(), **self._opts(principal))).tools)

    async def create_tool(self, principal: Principal, form: bytes) -> pb.Tool:
        request = pb.CreateToolRequest(form_json=form)
        return (await self._stub.CreateTool(request, **self._opts(principal))).tool

    async def get_tool(self, principal: Principal, tool_id: str) -> pb.Tool:
        return (await self._stub.GetTool(pb.GetToolRequest(id=tool_id), **self._opts(principal))).tool

    async def update_tool(self, principal: Principal, tool_id: str, form: bytes) -> pb.Tool:
        request = pb.UpdateToolRequest(id=tool_id, form_json=form)
        return (await self._stub.UpdateTool(request, **self._opts(principal))).tool

    async def update_tool_access(self, principal: Principal, tool_id: str, grants: bytes) -> pb.Tool:
        request = pb.UpdateToolAccessRequest(id=tool_id, access_grants_json=grants)
        return (await self._stub.UpdateToolAccess(request, **self._opts(principal))).tool

    async def delete_tool(self, principal: Principal, tool_id: str) -> bool:
        request = pb.DeleteToolRequest(id=tool_id)
        return (await self._stub.DeleteTool(request, **self._opts(principal))).deleted

    async def get_valves(self, principal: Principal, tool_id: str, *, user: bool, spec: bool) -> bytes:
        request = pb.GetToolValvesRequest(id=tool_id, scope=_scope(user), spec=spec)
        return (await self._stub.GetToolValves(request, **self._opts(principal))).valves_json

    async def update_valves(self, principal: Principal, tool_id: str, valves: bytes, *, user: bool) -> bytes:
        request = pb.UpdateToolValvesRequest(id=tool_id, scope=_scope(user), valves_json=valves)
        return (await self._stub.UpdateToolValves(request, **self._opts(principal))).valves_json

    async def server_specs(self, principal: Principal, tool_id: str) -> bytes:
        request = pb.GetToolServerSpecsRequest(id=tool_id)
        reply = await self._stub.GetToolServerSpecs(
            request,
            timeout=self._discovery_timeout_s,
            metadata=outgoing_metadata(principal.credential),
        )
        return reply.specs_json

    async def list_versions(self, principal: Principal, tool_id: str, page: int) -> list[pb.ToolVersion]:
        request = pb.ListToolVersionsRequest(id=tool_id, page=page)
        return list((await self._stub.ListToolVersions(request, **self._opts(principal))).versions)

    async def get_version(self, principal: Principal, tool_id: str, version_id: str) -> pb.ToolVersion:
        request = pb.GetToolVersionRequest(id=tool_id, version_id=version_id)
        return (await self._stub.GetToolVersion(request, **self._opts(principal))).version

    async def delete_version(self, principal: Principal, tool_id: str, version_id: str) -> bool:
        request = pb.DeleteToolVersionRequest(id=tool_id, version_id=version_id)
        return (await self._stub.DeleteToolVersion(request, **self._opts(principal))).deleted

    async def diff_versions(self, principal: Principal, tool_id: str, from_id: str, to_id: str) -> bytes:
        request = pb.DiffToolVersionsRequest(id=tool_id, from_id=from_id, to_id=to_id)
        return (await self._stub.DiffToolVersions(request, **self._opts(principal))).diff_json

    async def restore_version(self, principal: Principal, tool_id: str, version_id: str) -> pb.Tool:
        request = pb.RestoreToolVersionRequest(id=tool_id, version_id=version_id)
        return (await self._stub.RestoreToolVersion(request, **self._opts(principal))).tool

    async def load_from_url(self, principal: Principal, url: str) -> pb.LoadToolFromUrlResponse:
        return await self._stub.LoadToolFromUrl(pb.LoadToolFromUrlRequest(url=url), **self._opts(principal))
