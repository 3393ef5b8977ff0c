"""``/api/v1/users``: the caller's groups and permissions, the default permission tree, and a
user's groups, info and activity. Registered before ``users`` so that ``/{user_id}`` does not
capture ``/groups`` or ``/permissions``."""

import json

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import query_bool, read_model
from services.gateway.forms.groups import PermissionsForm
from services.gateway.group_views import group_json, is_active, user_info_json
from services.gateway.http_errors import json_response, raw_json_response
from services.gateway.state import GROUPS, GUARD, SETTINGS

routes = web.RouteTableDef()


@routes.get("/api/v1/users/groups")
async def my_groups(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    groups = await request.app[GROUPS].user_groups(principal, "", query_bool(request, "include_inherited"))
    return json_response([group_json(g) for g in groups])


@routes.get("/api/v1/users/permissions")
async def my_permissions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return raw_json_response(await request.app[GROUPS].user_permissions(principal))


@routes.get("/api/v1/users/default/permissions")
async def default_permissions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    return raw_json_response(await request.app[GROUPS].default_permissions(principal))


@routes.post("/api/v1/users/default/permissions")
async def set_default_permissions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, PermissionsForm, request.app[SETTINGS].auth_max_body_bytes)
    tree = json.dumps(form.model_dump()).encode()
    return raw_json_response(await request.app[GROUPS].set_default_permissions(principal, tree))


@routes.get("/api/v1/users/default/permissions/defaults")
async def builtin_permissions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    return raw_json_response(await request.app[GROUPS].builtin_permissions(principal))


@routes.get("/api/v1/users/{user_id}/groups")
async def user_groups(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    groups = await request.app[GROUPS].user_groups(principal, request.match_info["user_id"], False)
    return json_response([group_json(g) for g in groups])


@routes.get("/api/v1/users/{user_id}/info")
async def user_info(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    users = await request.app[GROUPS].user_details(
        principal, [request.match_info["user_id"]], require_all=True
    )
    return json_response(user_info_json(users[0]))


@routes.get("/api/v1/users/{user_id}/active")
async def user_active(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    users = await request.app[GROUPS].user_details(
        principal, [request.match_info["user_id"]], require_all=True
    )
    return json_response({"active": is_active(users[0].user)})
