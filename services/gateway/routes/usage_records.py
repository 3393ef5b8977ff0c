"""``GET /api/v1/usage`` (ours): usage record totals with filters and grouping (UsageService)."""

from aiohttp import web

from services.common.usage.query import GROUP_BY
from services.gateway.auth_guard import Level
from services.gateway.http_errors import ApiError, json_response
from services.gateway.state import GUARD, USAGE
from services.gateway.usage_views import usage_row_json
from webui.inference.v1 import usage_pb2 as pb

routes = web.RouteTableDef()

_FILTERS = ("user_id", "key_id", "group_id", "model", "kind", "start", "end")


def _group_by(request: web.Request) -> list[str]:
    """``group_by`` repeated or comma-separated; unknown names are a 400."""
    names = [n.strip() for v in request.query.getall("group_by", []) for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n not in GROUP_BY]
    if unknown:
        raise ApiError(400, f"group_by must be among {', '.join(GROUP_BY)}")
    return list(dict.fromkeys(names))


@routes.get("/api/v1/usage")
async def query_usage(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    group_by = _group_by(request)
    filters = {name: request.query.get(name, "") for name in _FILTERS}
    if any("\x00" in value for value in filters.values()):
        # No stored id, model or date holds NUL (PostgreSQL text cannot).
        raise ApiError(400, "Query parameters must not contain NUL characters.")
    rows = await request.app[USAGE].query(principal, pb.QueryUsageRequest(group_by=group_by, **filters))
    return json_response({"group_by": group_by, "rows": [usage_row_json(row, group_by) for row in rows]})
