"""``/api/v1/auths/admin/config``: the admin config (§7.2), kept by the auth service."""

import json

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.forms.admin_config import read_admin_config
from services.gateway.http_errors import json_response, raw_json_response
from services.gateway.state import ADMIN_CONFIG, GUARD

routes = web.RouteTableDef()
PATH = "/api/v1/auths/admin/config"


@routes.get(PATH)
async def get_admin_config(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    return raw_json_response(await request.app[ADMIN_CONFIG].get(principal.credential))


@routes.post(PATH)
async def update_admin_config(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.ADMIN)
    _, raw = await read_admin_config(request)
    reply = await request.app[ADMIN_CONFIG].update(principal.credential, raw)
    # This gateway shows the change at once; the others within their status cache's bound.
    guard.forget_auth_status()
    return json_response({**json.loads(reply.config_json), "sessions_revoked": reply.sessions_revoked})
