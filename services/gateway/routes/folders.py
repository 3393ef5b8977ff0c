"""``/api/v1/folders/*``: the caller's chat folders and the folders shared with them
(FoldersService, in the inference service). Owner names come from the auth service."""

from typing import TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel

from services.common import messages
from services.gateway.auth_guard import Level, Principal
from services.gateway.body import query_bool, query_int, read_model
from services.gateway.folder_views import (
    folder_detail_json,
    folder_json,
    folder_list_item_json,
    folder_read_json,
    shared_chats_json,
    shared_folder_json,
    with_grants_json,
)
from services.gateway.forms.folders import (
    FolderAccessGrantsForm,
    FolderForm,
    FolderIsExpandedForm,
    FolderParentIdForm,
    FolderUpdateForm,
)
from services.gateway.http_errors import ApiError, json_response
from services.gateway.state import AUTH, FOLDERS, GUARD, SETTINGS
from services.gateway.user_refs import user_names

routes = web.RouteTableDef()
M = TypeVar("M", bound=BaseModel)
PREFIX = "/api/v1/folders"


async def _verified(request: web.Request) -> Principal:
    """A verified caller, while folders are on (Open WebUI checks the switch before anything)."""
    guard = request.app[GUARD]
    # ENABLE_FOLDERS=false here is a hard off; the admin config's ENABLE_FOLDERS (live, through the
    # auth status) turns folders off without a restart.
    if not request.app[SETTINGS].enable_folders or not (await guard.auth_status()).enable_folders:
        raise ApiError(403, messages.ACCESS_PROHIBITED)
    return await guard.require(request, Level.VERIFIED)


async def _form(request: web.Request, model: type[M]) -> M:
    # A folder's `data` may carry a system prompt and file lists: the chat bound, not a small one.
    return await read_model(request, model, request.app[SETTINGS].chat_max_bytes)


def _id(request: web.Request) -> str:
    return request.match_info["id"]


@routes.get(f"{PREFIX}/")
async def list_folders(request: web.Request) -> web.Response:
    principal = await _verified(request)
    folders = await request.app[FOLDERS].list_folders(principal)
    return json_response([folder_list_item_json(f) for f in folders])


@routes.post(f"{PREFIX}/")
async def create_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, FolderForm)
    folder = await request.app[FOLDERS].create(principal, form.name, form.data, form.meta, form.parent_id)
    return json_response(folder_json(folder))


# Before ``/{id}``: aiohttp tries routes in the order they were added.
@routes.get(f"{PREFIX}/shared")
async def list_shared(request: web.Request) -> web.Response:
    principal = await _verified(request)
    shared = await request.app[FOLDERS].list_shared(principal)
    names = await user_names(request.app[AUTH], principal.credential, (s.folder.user_id for s in shared))
    return json_response([shared_folder_json(s, names) for s in shared])


@routes.get(f"{PREFIX}/{{id}}")
async def get_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(folder_detail_json(await request.app[FOLDERS].get_detail(principal, _id(request))))


@routes.post(f"{PREFIX}/{{id}}/update")
async def update_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, FolderUpdateForm)
    folder = await request.app[FOLDERS].update(principal, _id(request), form.name, form.data, form.meta)
    return json_response(folder_json(folder))


@routes.post(f"{PREFIX}/{{id}}/update/parent")
async def move_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, FolderParentIdForm)
    return json_response(
        folder_json(await request.app[FOLDERS].move(principal, _id(request), form.parent_id))
    )


@routes.post(f"{PREFIX}/{{id}}/update/expanded")
async def set_expanded(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, FolderIsExpandedForm)
    folder = await request.app[FOLDERS].set_expanded(principal, _id(request), form.is_expanded)
    return json_response(folder_json(folder))


@routes.delete(f"{PREFIX}/{{id}}")
async def delete_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    # Open WebUI's default is true: the chats go with the folder unless asked to keep them.
    delete_contents = query_bool(request, "delete_contents") if "delete_contents" in request.query else True
    return json_response(await request.app[FOLDERS].delete(principal, _id(request), delete_contents))


@routes.post(f"{PREFIX}/{{id}}/access/update")
async def update_access(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, FolderAccessGrantsForm)
    reply = await request.app[FOLDERS].update_access(
        principal,
        _id(request),
        orjson.dumps(form.access_grants),
        form.share_mode,
        "share_mode" in form.model_fields_set,
    )
    return json_response(with_grants_json(reply.folder, reply.access_grants))


@routes.get(f"{PREFIX}/{{id}}/shared/chats")
async def shared_chats(request: web.Request) -> web.Response:
    """No page: the first 60 chats; a page: 10 of them, with ``total`` and ``has_more``."""
    principal = await _verified(request)
    page = query_int(request, "page", 1) if request.query.get("page") else 0
    reply = await request.app[FOLDERS].shared_chats(
        principal,
        _id(request),
        page=page,
        sort_by=request.query.get("sort_by", "unread_updated_at"),
        ascending=request.query.get("sort_dir", "desc").lower() == "asc",
    )
    people = [user_id for chat in reply.chats for user_id in (chat.user_id, *chat.participant_ids)]
    names = await user_names(request.app[AUTH], principal.credential, people)
    return json_response(shared_chats_json(reply, names))


@routes.post(f"{PREFIX}/{{id}}/read")
async def mark_read(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(folder_read_json(await request.app[FOLDERS].mark_read(principal, _id(request))))
