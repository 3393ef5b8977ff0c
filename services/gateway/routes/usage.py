"""``GET /api/usage`` (users active now) and ``GET /api/v1/users/usage`` (the caller's own usage
from their stored chats, AnalyticsService in the inference service)."""

from aiohttp import web

from services.gateway.analytics_views import active_usage_json
from services.gateway.auth_guard import Level
from services.gateway.forms.analytics import UserUsageQuery
from services.gateway.http_errors import ApiError, json_response, raw_json_response
from services.gateway.query_forms import read_query
from services.gateway.state import ANALYTICS, AUTH, GUARD, SETTINGS
from services.gateway.views import role_name

routes = web.RouteTableDef()

# Open WebUI's `user_count`: users whose last activity is this recent.
ACTIVE_WINDOW_S = 180
ADMINS_ONLY = "Access denied. Only administrators can view usage statistics."


@routes.get("/api/usage")
async def active_usage(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    if not request.app[SETTINGS].enable_public_active_users_count and role_name(principal.user) != "admin":
        raise ApiError(403, ADMINS_ONLY)
    count = await request.app[AUTH].count_active_users(principal.credential, ACTIVE_WINDOW_S)
    return json_response(active_usage_json(count))


@routes.get("/api/v1/users/usage")
async def user_usage(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    query = read_query(request, UserUsageQuery)
    if query.start_date is not None and query.end_date is not None and query.start_date > query.end_date:
        raise ApiError(400, "start_date must be before end_date")
    return raw_json_response(await request.app[ANALYTICS].user_usage(principal, query))
