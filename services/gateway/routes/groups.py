"""``/api/v1/groups``: groups, their members, nesting and preview (GroupsService in auth)."""

import asyncio
import json

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import query_int, read_model
from services.gateway.forms.groups import GroupForm, UserIdsForm
from services.gateway.group_views import (
    MEMBERSHIP_VALUES,
    group_export_json,
    group_info_json,
    group_json,
    members_json,
    preview_json,
    user_info_json,
)
from services.gateway.http_errors import ApiError, json_response
from services.gateway.state import GROUP_KNOWLEDGE, GROUP_REACH, GROUPS, GUARD, SETTINGS
from webui.auth.v1 import groups_pb2 as pb

routes = web.RouteTableDef()


def _form(form: GroupForm) -> pb.GroupForm:
    message = pb.GroupForm(
        name=form.name,
        description=form.description,
        permissions_json=json.dumps(form.permissions).encode() if form.permissions is not None else b"",
        data_json=json.dumps(form.data).encode() if form.data is not None else b"",
        meta_json=json.dumps(form.meta).encode() if form.meta is not None else b"",
    )
    if form.parent_group_id:
        message.parent_group_id = form.parent_group_id
    return message


def _share(request: web.Request) -> bool | None:
    raw = request.query.get("share")
    if raw is None:
        return None
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ApiError(
        422,
        [
            {
                "type": "bool_parsing",
                "loc": ["query", "share"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": raw,
            }
        ],
    )


def _max_body(request: web.Request) -> int:
    return request.app[SETTINGS].auth_max_body_bytes


@routes.get("/api/v1/groups/")
async def list_groups(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    groups = await request.app[GROUPS].list_groups(principal, _share(request))
    return json_response([group_json(g) for g in groups])


@routes.post("/api/v1/groups/create")
async def create_group(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, GroupForm, _max_body(request))
    group = await request.app[GROUPS].create_group(principal, _form(form))
    return json_response(group_json(group))


@routes.get("/api/v1/groups/id/{id}")
async def get_group(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    return json_response(group_json(await request.app[GROUPS].get_group(principal, request.match_info["id"])))


@routes.get("/api/v1/groups/id/{id}/info")
async def get_group_info(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    group = await request.app[GROUPS].get_group_info(principal, request.match_info["id"])
    return json_response(group_info_json(group))


@routes.get("/api/v1/groups/id/{id}/export")
async def export_group(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    reply = await request.app[GROUPS].export_group(principal, request.match_info["id"])
    return json_response(group_export_json(reply))


@routes.post("/api/v1/groups/id/{id}/users")
async def group_users(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    users = await request.app[GROUPS].group_users(principal, request.match_info["id"])
    return json_response([user_info_json(u) for u in users])


@routes.get("/api/v1/groups/id/{id}/members")
async def group_members(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    membership = request.query.get("membership", "effective")
    if membership not in MEMBERSHIP_VALUES:
        raise ApiError(
            422,
            [
                {
                    "type": "literal_error",
                    "loc": ["query", "membership"],
                    "msg": "Input should be 'effective', 'direct' or 'inherited'",
                    "input": membership,
                }
            ],
        )
    reply = await request.app[GROUPS].group_members(
        principal,
        request.match_info["id"],
        MEMBERSHIP_VALUES[membership],
        request.query.get("query", "").replace("\x00", ""),
        query_int(request, "page", 1),
    )
    return json_response(members_json(reply))


@routes.post("/api/v1/groups/id/{id}/update")
async def update_group(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, GroupForm, _max_body(request))
    group = await request.app[GROUPS].update_group(principal, request.match_info["id"], _form(form))
    return json_response(group_json(group))


@routes.post("/api/v1/groups/id/{id}/users/add")
async def add_users(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, UserIdsForm, _max_body(request))
    group = await request.app[GROUPS].add_members(principal, request.match_info["id"], form.user_ids)
    return json_response(group_json(group))


@routes.post("/api/v1/groups/id/{id}/users/remove")
async def remove_users(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await read_model(request, UserIdsForm, _max_body(request))
    group = await request.app[GROUPS].remove_members(principal, request.match_info["id"], form.user_ids)
    return json_response(group_json(group))


@routes.delete("/api/v1/groups/id/{id}/delete")
async def delete_group(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    await request.app[GROUPS].delete_group(principal, request.match_info["id"])
    return json_response(True)


@routes.get("/api/v1/groups/id/{id}/preview")
async def preview_group(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    group_id = request.match_info["id"]
    reply = await request.app[GROUPS].preview_group(principal, group_id)
    reach, knowledge = await asyncio.gather(
        request.app[GROUP_REACH].group_reach(principal, group_id),
        request.app[GROUP_KNOWLEDGE].group_knowledge(principal, group_id),
    )
    return json_response(preview_json(reply, reach, knowledge))
