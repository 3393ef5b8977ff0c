"""ToolsService over gRPC: protobuf in, the tool rules' plain objects, protobuf out."""

import grpc
import orjson

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.replies import dumps
from services.inference.tools.records import ToolRecord
from services.inference.tools.service import Scope, ToolService, ToolView
from webui.inference.v1 import tools_pb2 as pb
from webui.inference.v1 import tools_pb2_grpc

Context = grpc.aio.ServicerContext

_SCOPES: dict[int, Scope] = {pb.TOOL_VALVES_SCOPE_ADMIN: "admin", pb.TOOL_VALVES_SCOPE_USER: "user"}


def _caller() -> Identity:
    return require_verified(current_identity())


def _json(raw: bytes, name: str) -> object:
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        raise InvalidArgument(f"{name} must be JSON") from None


def _scope(value: int) -> Scope:
    scope = _SCOPES.get(value)
    if scope is None:
        raise InvalidArgument("scope must be ADMIN or USER")
    return scope


def tool_message(record: ToolRecord, *, write_access: bool, show_content: bool) -> pb.Tool:
    return pb.Tool(
        id=record.id,
        user_id=record.user_id,
        name=record.name,
        content=record.content if show_content else "",
        has_content=show_content,
        specs_json=dumps(record.specs),
        meta_json=dumps(record.meta),
        access_grants_json=dumps(record.access_grants),
        created_at=record.created_at,
        updated_at=record.updated_at,
        write_access=write_access,
        has_user_valves=bool(record.meta.get("has_user_valves")),
    )


def _view(view: ToolView) -> pb.Tool:
    return tool_message(view.record, write_access=view.write_access, show_content=view.show_content)


class ToolsServicer(tools_pb2_grpc.ToolsServiceServicer):
    def __init__(self, tools: ToolService) -> None:
        self._tools = tools

    async def ListTools(self, request: pb.ListToolsRequest, context: Context) -> pb.ListToolsResponse:  # noqa: N802
        listed = await self._tools.listed(_caller(), request.query, request.include_servers)
        return pb.ListToolsResponse(
            tools=[_view(v) for v in listed.tools], servers_json=dumps(listed.servers)
        )

    async def ExportTools(self, request: pb.ExportToolsRequest, context: Context) -> pb.ExportToolsResponse:  # noqa: N802
        records = await self._tools.export(_caller())
        return pb.ExportToolsResponse(
            tools=[tool_message(r, write_access=True, show_content=True) for r in records]
        )

    async def CreateTool(self, request: pb.CreateToolRequest, context: Context) -> pb.CreateToolResponse:  # noqa: N802
        view = await self._tools.create(_caller(), _json(request.form_json, "form_json"))
        return pb.CreateToolResponse(tool=_view(view))

    async def GetTool(self, request: pb.GetToolRequest, context: Context) -> pb.GetToolResponse:  # noqa: N802
        return pb.GetToolResponse(tool=_view(await self._tools.get(_caller(), request.id)))

    async def UpdateTool(self, request: pb.UpdateToolRequest, context: Context) -> pb.UpdateToolResponse:  # noqa: N802
        view = await self._tools.update(_caller(), request.id, _json(request.form_json, "form_json"))
        return pb.UpdateToolResponse(tool=_view(view))

    async def UpdateToolAccess(  # noqa: N802
        self, request: pb.UpdateToolAccessRequest, context: Context
    ) -> pb.UpdateToolAccessResponse:
        grants = _json(request.access_grants_json, "access_grants_json")
        view = await self._tools.update_access(_caller(), request.id, grants if grants is not None else [])
        return pb.UpdateToolAccessResponse(tool=_view(view))

    async def DeleteTool(self, request: pb.DeleteToolRequest, context: Context) -> pb.DeleteToolResponse:  # noqa: N802
        return pb.DeleteToolResponse(deleted=await self._tools.delete(_caller(), request.id))

    async def GetToolValves(  # noqa: N802
        self, request: pb.GetToolValvesRequest, context: Context
    ) -> pb.GetToolValvesResponse:
        valves = await self._tools.valves(_caller(), request.id, _scope(request.scope), request.spec)
        return pb.GetToolValvesResponse(valves_json=dumps(valves))

    async def UpdateToolValves(  # noqa: N802
        self, request: pb.UpdateToolValvesRequest, context: Context
    ) -> pb.UpdateToolValvesResponse:
        values = _json(request.valves_json, "valves_json")
        stored = await self._tools.update_valves(_caller(), request.id, _scope(request.scope), values)
        return pb.UpdateToolValvesResponse(valves_json=dumps(stored))
