"""``/api/v1/users``: admin user management."""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import query_int, read_model
from services.gateway.forms.users import UserUpdateForm
from services.gateway.group_views import user_detail_json
from services.gateway.http_errors import json_response
from services.gateway.state import AUTH, GROUPS, GUARD, SETTINGS
from services.gateway.views import ROLE_VALUES, user_json, user_list_item_json
from webui.auth.v1 import auth_pb2

routes = web.RouteTableDef()

PAGE_SIZE = 30


@routes.get("/api/v1/users/")
async def list_users(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    page = await request.app[AUTH].list_users(
        principal.credential,
        query=request.query.get("query", ""),
        order_by=request.query.get("order_by", "created_at"),
        direction=request.query.get("direction", "asc"),
        page=query_int(request, "page", 1),
        page_size=PAGE_SIZE,
    )
    # Each item's group_ids: the users' direct groups, in one call for the page.
    details = (
        await request.app[GROUPS].user_details(principal, [u.id for u in page.users]) if page.users else []
    )
    group_ids = {d.user.id: [g.id for g in d.groups] for d in details}
    items = [user_list_item_json(u, group_ids.get(u.id, [])) for u in page.users]
    return json_response({"users": items, "total": page.total})


@routes.get("/api/v1/users/{user_id}")
async def get_user(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    # An unknown id is a 400 NOT_FOUND, as Open WebUI answers (require_all pins it).
    users = await request.app[GROUPS].user_details(
        principal, [request.match_info["user_id"]], require_all=True
    )
    return json_response(user_detail_json(users[0]))


@routes.post("/api/v1/users/{user_id}/update")
async def update_user(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.ADMIN)
    form = await read_model(request, UserUpdateForm, request.app[SETTINGS].auth_max_body_bytes)
    user_id = request.match_info["user_id"]
    update = auth_pb2.UpdateUserRequest(user_id=user_id)
    if form.role is not None:
        update.role = ROLE_VALUES[form.role]
    for field in ("name", "email", "profile_image_url", "password"):
        value = getattr(form, field)
        if value is not None and (field != "password" or value):
            setattr(update, field, value)
    user = await request.app[AUTH].update_user(principal.credential, update)
    guard.cache.evict_user(user_id)
    return json_response(user_json(user))


@routes.delete("/api/v1/users/{user_id}")
async def delete_user(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.ADMIN)
    user_id = request.match_info["user_id"]
    await request.app[AUTH].delete_user(principal.credential, user_id)
    guard.cache.evict_user(user_id)
    return json_response(True)
