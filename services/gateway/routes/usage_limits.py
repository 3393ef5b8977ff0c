"""``/api/v1/usage/limits``: admins set the usage limits per API key, user and group
(QuotasService, in the inference service, where they are enforced)."""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import read_model
from services.gateway.forms.usage_limits import UsageLimitsForm
from services.gateway.http_errors import json_response
from services.gateway.state import GUARD, QUOTAS
from services.gateway.usage_limit_views import limits_json, limits_list_json

routes = web.RouteTableDef()

_PREFIX = "/api/v1/usage/limits"
# A limits form is a handful of numbers.
_MAX_BODY = 16 * 1024


@routes.get(_PREFIX)
async def list_limits(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    return json_response(limits_list_json(await request.app[QUOTAS].list_limits(principal)))


@routes.post(_PREFIX)
async def put_limits(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, UsageLimitsForm, _MAX_BODY)
    return json_response(limits_json(await request.app[QUOTAS].put_limits(principal, form)))


@routes.delete(_PREFIX + "/{subject_type}/{subject_id}")
async def delete_limits(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    info = request.match_info
    await request.app[QUOTAS].delete_limits(principal, info["subject_type"], info["subject_id"])
    return json_response(True)
