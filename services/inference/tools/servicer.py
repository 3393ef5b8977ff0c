"""ToolsService over gRPC: protobuf in, the tool rules' plain objects, protobuf out."""

import grpc
import orjson

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.replies import dumps
from services.inference.tools.history import ToolHistory
from services.inference.tools.load_url import ToolUrlLoader
from services.inference.tools.records import ToolRecord, ToolVersion
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
        version_id=record.version_id or "",
    )


def version_message(version: ToolVersion, *, snapshot: bool) -> pb.ToolVersion:
    message = pb.ToolVersion(
        id=version.id,
        tool_id=version.tool_id,
        parent_id=version.parent_id or "",
        user_id=version.user_id,
        commit_message=version.commit_message or "",
        has_commit_message=version.commit_message is not None,
        created_at=version.created_at,
        has_snapshot=snapshot,
    )
    if snapshot:
        message.name = version.name
        message.content = version.content
        message.specs_json = dumps(version.specs)
        message.meta_json = dumps(version.meta)
    return message


def _view(view: ToolView) -> pb.Tool:
    return tool_message(view.record, write_access=view.write_access, show_content=view.show_content)


class ToolsServicer(tools_pb2_grpc.ToolsServiceServicer):
    def __init__(self, tools: ToolService, history: ToolHistory, loader: ToolUrlLoader) -> None:
        self._tools = tools
        self._history = history
        self._loader = loader

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

    async def GetToolServerSpecs(  # noqa: N802
        self, request: pb.GetToolServerSpecsRequest, context: Context
    ) -> pb.GetToolServerSpecsResponse:
        specs = await self._tools.server_specs(_caller(), request.id)
        return pb.GetToolServerSpecsResponse(specs_json=dumps(specs))

    async def ListToolVersions(  # noqa: N802
        self, request: pb.ListToolVersionsRequest, context: Context
    ) -> pb.ListToolVersionsResponse:
        versions = await self._history.listed(_caller(), request.id, request.page)
        return pb.ListToolVersionsResponse(versions=[version_message(v, snapshot=False) for v in versions])

    async def GetToolVersion(  # noqa: N802
        self, request: pb.GetToolVersionRequest, context: Context
    ) -> pb.GetToolVersionResponse:
        version = await self._history.get(_caller(), request.id, request.version_id)
        return pb.GetToolVersionResponse(version=version_message(version, snapshot=True))

    async def DeleteToolVersion(  # noqa: N802
        self, request: pb.DeleteToolVersionRequest, context: Context
    ) -> pb.DeleteToolVersionResponse:
        deleted = await self._history.delete(_caller(), request.id, request.version_id)
        return pb.DeleteToolVersionResponse(deleted=deleted)

    async def DiffToolVersions(  # noqa: N802
        self, request: pb.DiffToolVersionsRequest, context: Context
    ) -> pb.DiffToolVersionsResponse:
        diff = await self._history.diff(_caller(), request.id, request.from_id, request.to_id)
        return pb.DiffToolVersionsResponse(diff_json=dumps(diff))

    async def RestoreToolVersion(  # noqa: N802
        self, request: pb.RestoreToolVersionRequest, context: Context
    ) -> pb.RestoreToolVersionResponse:
        view = await self._history.restore(_caller(), request.id, request.version_id)
        return pb.RestoreToolVersionResponse(tool=_view(view))

    async def LoadToolFromUrl(  # noqa: N802
        self, request: pb.LoadToolFromUrlRequest, context: Context
    ) -> pb.LoadToolFromUrlResponse:
        loaded = await self._loader.load(_caller(), request.url)
        return pb.LoadToolFromUrlResponse(name=loaded.name, content=loaded.content)
