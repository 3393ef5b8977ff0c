"""``/api/v1/folders/*``: the caller's chat folders (FoldersService, in the inference service).

Folder sharing (``/shared``, ``/{id}/access/update``, ``/{id}/shared/chats``, ``/{id}/read``) is not
built: it needs the groups and permissions Open WebUI grants with, which do not exist here yet."""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from services.common import messages
from services.gateway.auth_guard import Level, Principal
from services.gateway.body import query_bool, read_model
from services.gateway.folder_views import folder_detail_json, folder_json, folder_list_item_json
from services.gateway.forms.folders import (
    FolderForm,
    FolderIsExpandedForm,
    FolderParentIdForm,
    FolderUpdateForm,
)
from services.gateway.http_errors import ApiError, json_response
from services.gateway.state import FOLDERS, GUARD, SETTINGS

routes = web.RouteTableDef()
M = TypeVar("M", bound=BaseModel)
PREFIX = "/api/v1/folders"


async def _verified(request: web.Request) -> Principal:
    """A verified caller, while folders are on (Open WebUI checks the switch before anything)."""
    if not request.app[SETTINGS].enable_folders:
        raise ApiError(403, messages.ACCESS_PROHIBITED)
    return await request.app[GUARD].require(request, Level.VERIFIED)


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


@routes.get(f"{PREFIX}/{{id}}")
async def get_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(folder_detail_json(await request.app[FOLDERS].get(principal, _id(request))))


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
