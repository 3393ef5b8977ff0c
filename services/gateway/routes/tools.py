"""``/api/v1/tools``: Open WebUI's Python tools (ToolsService, in the inference service), their
valves and access grants; ``GET /`` lists the caller's tool servers too."""

import orjson
from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import query_int, read_json_object, read_model
from services.gateway.forms.tools import ToolAccessForm, ToolForm, ToolLoadUrlForm, ToolVersionForm
from services.gateway.http_errors import json_response, raw_json_response
from services.gateway.state import AUTH, GUARD, SETTINGS, TOOLS
from services.gateway.tool_views import (
    tool_access_json,
    tool_model_json,
    tool_response_json,
    tool_user_json,
    tool_version_json,
)
from services.gateway.user_refs import attach_users, user_names

routes = web.RouteTableDef()

_PREFIX = "/api/v1/tools"


def _max_body(request: web.Request) -> int:
    # Tool code is a JSON string in the body: the workspace routes' limit fits it.
    return request.app[SETTINGS].workspace_max_body_bytes


async def _form_json(request: web.Request) -> bytes:
    form = await read_model(request, ToolForm, _max_body(request))
    return orjson.dumps(form.model_dump())


def _tool_id(request: web.Request) -> str:
    return request.match_info["tool_id"]


@routes.get(f"{_PREFIX}/")
async def list_tools(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    listed = await request.app[TOOLS].list_tools(principal, request.query.get("query", ""), True)
    tools = await attach_users(
        request.app[AUTH], principal.credential, [tool_user_json(t) for t in listed.tools]
    )
    servers = orjson.loads(listed.servers_json) if listed.servers_json else []
    return json_response([*tools, *servers])


@routes.get(f"{_PREFIX}/list")
async def list_tools_with_access(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    listed = await request.app[TOOLS].list_tools(principal, "", False)
    tools = [tool_access_json(t) for t in listed.tools]
    return json_response(await attach_users(request.app[AUTH], principal.credential, tools))


@routes.get(f"{_PREFIX}/export")
async def export_tools(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response([tool_model_json(t) for t in await request.app[TOOLS].export_tools(principal)])


@routes.post(f"{_PREFIX}/load/url")
async def load_tool_from_url(request: web.Request) -> web.Response:
    # The inference service makes the outbound call, held to VERIFY_ALLOWED_NETWORKS.
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, ToolLoadUrlForm, _max_body(request))
    loaded = await request.app[TOOLS].load_from_url(principal, form.url)
    return json_response({"name": loaded.name, "content": loaded.content})


@routes.post(f"{_PREFIX}/create")
async def create_tool(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    tool = await request.app[TOOLS].create_tool(principal, await _form_json(request))
    return json_response(tool_response_json(tool))


@routes.get(f"{_PREFIX}/id/{{tool_id}}")
async def get_tool(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(tool_access_json(await request.app[TOOLS].get_tool(principal, _tool_id(request))))


@routes.get(f"{_PREFIX}/id/{{tool_id}}/specs")
async def get_tool_server_specs(request: web.Request) -> web.Response:
    # Only MCP servers (``server:mcp:<id>``): their tools are listed now, not stored.
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    specs = await request.app[TOOLS].server_specs(principal, _tool_id(request))
    return raw_json_response(b'{"specs":' + (specs or b"[]") + b"}")


@routes.post(f"{_PREFIX}/id/{{tool_id}}/update")
async def update_tool(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form_json(request)
    tool = await request.app[TOOLS].update_tool(principal, _tool_id(request), form)
    return json_response(tool_model_json(tool))


@routes.post(f"{_PREFIX}/id/{{tool_id}}/access/update")
async def update_tool_access(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, ToolAccessForm, _max_body(request))
    tool = await request.app[TOOLS].update_tool_access(
        principal, _tool_id(request), orjson.dumps(form.access_grants)
    )
    return json_response(tool_model_json(tool))


@routes.delete(f"{_PREFIX}/id/{{tool_id}}/delete")
async def delete_tool(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(await request.app[TOOLS].delete_tool(principal, _tool_id(request)))


async def _valves(request: web.Request, *, user: bool, spec: bool) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return raw_json_response(
        await request.app[TOOLS].get_valves(principal, _tool_id(request), user=user, spec=spec)
    )


async def _update_valves(request: web.Request, *, user: bool) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    body = await read_json_object(request, _max_body(request))
    return raw_json_response(
        await request.app[TOOLS].update_valves(principal, _tool_id(request), body, user=user)
    )


@routes.get(f"{_PREFIX}/id/{{tool_id}}/valves")
async def get_valves(request: web.Request) -> web.Response:
    return await _valves(request, user=False, spec=False)


@routes.get(f"{_PREFIX}/id/{{tool_id}}/valves/spec")
async def get_valves_spec(request: web.Request) -> web.Response:
    return await _valves(request, user=False, spec=True)


@routes.post(f"{_PREFIX}/id/{{tool_id}}/valves/update")
async def update_valves(request: web.Request) -> web.Response:
    return await _update_valves(request, user=False)


@routes.get(f"{_PREFIX}/id/{{tool_id}}/valves/user")
async def get_user_valves(request: web.Request) -> web.Response:
    return await _valves(request, user=True, spec=False)


@routes.get(f"{_PREFIX}/id/{{tool_id}}/valves/user/spec")
async def get_user_valves_spec(request: web.Request) -> web.Response:
    return await _valves(request, user=True, spec=True)


@routes.post(f"{_PREFIX}/id/{{tool_id}}/valves/user/update")
async def update_user_valves(request: web.Request) -> web.Response:
    return await _update_valves(request, user=True)


def _version_id(request: web.Request) -> str:
    return request.match_info["history_id"]


@routes.get(f"{_PREFIX}/id/{{tool_id}}/history")
async def list_tool_history(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    versions = await request.app[TOOLS].list_versions(
        principal, _tool_id(request), query_int(request, "page", 1)
    )
    names = await user_names(request.app[AUTH], principal.credential, (v.user_id for v in versions))
    return json_response([tool_version_json(v, names) for v in versions])


# Before /history/{history_id}, which would take "diff" for an id.
@routes.get(f"{_PREFIX}/id/{{tool_id}}/history/diff")
async def diff_tool_versions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    diff = await request.app[TOOLS].diff_versions(
        principal, _tool_id(request), request.query.get("from_id", ""), request.query.get("to_id", "")
    )
    return raw_json_response(diff)


@routes.get(f"{_PREFIX}/id/{{tool_id}}/history/{{history_id}}")
async def get_tool_version(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    version = await request.app[TOOLS].get_version(principal, _tool_id(request), _version_id(request))
    names = await user_names(request.app[AUTH], principal.credential, [version.user_id])
    return json_response(tool_version_json(version, names))


@routes.delete(f"{_PREFIX}/id/{{tool_id}}/history/{{history_id}}")
async def delete_tool_version(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(
        await request.app[TOOLS].delete_version(principal, _tool_id(request), _version_id(request))
    )


@routes.post(f"{_PREFIX}/id/{{tool_id}}/update/version")
async def restore_tool_version(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, ToolVersionForm, _max_body(request))
    tool = await request.app[TOOLS].restore_version(principal, _tool_id(request), form.version_id)
    return json_response(tool_model_json(tool))
