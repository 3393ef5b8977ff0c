"""``/api/v1/analytics/*``: Open WebUI's admin analytics over the stored chats (AnalyticsService in
the inference service). Admins only (others: 401 ACCESS_PROHIBITED); mounted only when
ENABLE_ADMIN_ANALYTICS is on (services/gateway/app.py)."""

import grpc
from aiohttp import web

from services.gateway.analytics_client import analytics_filter
from services.gateway.analytics_views import model_chats_json, user_ids_of, users_report_json
from services.gateway.auth_guard import Level, Principal
from services.gateway.forms.analytics import AnalyticsQuery, OverviewQuery, PageQuery
from services.gateway.http_errors import json_response, raw_json_response
from services.gateway.query_forms import read_query
from services.gateway.state import ANALYTICS, GROUPS, GUARD
from webui.inference.v1 import analytics_pb2 as pb

routes = web.RouteTableDef()

_PREFIX = "/api/v1/analytics"


async def _admin(request: web.Request) -> Principal:
    return await request.app[GUARD].require(request, Level.ADMIN)


async def _filter(request: web.Request, principal: Principal, query: AnalyticsQuery) -> pb.AnalyticsFilter:
    """The query's window; ``group_id`` narrows it to the group's direct members, as Open WebUI's
    (a group that does not exist has none)."""
    if not query.group_id:
        return analytics_filter(query, None)
    try:
        members = await request.app[GROUPS].group_users(principal, query.group_id)
    except grpc.aio.AioRpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            raise
        members = []
    return analytics_filter(query, [m.user.id for m in members])


async def _report(request: web.Request, query_model: type[AnalyticsQuery] = AnalyticsQuery):
    principal = await _admin(request)
    query = read_query(request, query_model)
    return principal, query, await _filter(request, principal, query)


@routes.get(f"{_PREFIX}/summary")
async def summary(request: web.Request) -> web.Response:
    principal, _, where = await _report(request)
    return raw_json_response(await request.app[ANALYTICS].summary(principal, where))


@routes.get(f"{_PREFIX}/tokens")
async def tokens(request: web.Request) -> web.Response:
    principal, _, where = await _report(request)
    return raw_json_response(await request.app[ANALYTICS].tokens(principal, where))


@routes.get(f"{_PREFIX}/models")
async def models(request: web.Request) -> web.Response:
    principal, _, where = await _report(request)
    return raw_json_response(await request.app[ANALYTICS].models(principal, where))


@routes.get(f"{_PREFIX}/users")
async def users(request: web.Request) -> web.Response:
    principal, query, where = await _report(request)
    raw = await request.app[ANALYTICS].users(principal, where, query.limit, query.metric)
    ids = user_ids_of(raw, "users")
    details = await request.app[GROUPS].user_details(principal, ids) if ids else []
    return json_response(users_report_json(raw, details))


@routes.get(f"{_PREFIX}/daily")
async def daily(request: web.Request) -> web.Response:
    principal, query, where = await _report(request)
    report = await request.app[ANALYTICS].daily(
        principal, where, query.granularity, query.metric, query.compare
    )
    return raw_json_response(report)


@routes.get(f"{_PREFIX}/messages")
async def messages(request: web.Request) -> web.Response:
    principal, query, where = await _report(request, PageQuery)
    return raw_json_response(await request.app[ANALYTICS].messages(principal, where, query))


@routes.get(f"{_PREFIX}/models/{{model_id}}/chats")
async def model_chats(request: web.Request) -> web.Response:
    principal, query, where = await _report(request, PageQuery)
    model_id = request.match_info["model_id"]
    raw = await request.app[ANALYTICS].model_chats(principal, where, model_id, query.skip, query.limit)
    ids = user_ids_of(raw, "chats")
    details = await request.app[GROUPS].user_details(principal, ids) if ids else []
    return json_response(model_chats_json(raw, details))


@routes.get(f"{_PREFIX}/models/{{model_id}}/overview")
async def model_overview(request: web.Request) -> web.Response:
    principal = await _admin(request)
    query = read_query(request, OverviewQuery)
    model_id = request.match_info["model_id"]
    return raw_json_response(await request.app[ANALYTICS].model_overview(principal, model_id, query.days))
