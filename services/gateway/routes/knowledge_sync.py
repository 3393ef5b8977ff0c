"""``/api/v1/knowledge/{id}``: directories (create, update, delete, move a file) and folder sync
(``sync/diff``, ``sync/cleanup``), each needing write access to the base; and the directory parts
of the knowledge routes (``files`` listings, ``file/add``'s ``directory_id``)."""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from services.gateway.auth_guard import Level, Principal
from services.gateway.body import read_model
from services.gateway.forms.knowledge_sync import (
    DirectoryCreateForm,
    DirectoryUpdateForm,
    FileMoveForm,
    SyncCleanupForm,
    SyncDiffForm,
)
from services.gateway.http_errors import ApiError, json_response
from services.gateway.ingest_views import knowledge_file_page_json
from services.gateway.routes.files import query_flag
from services.gateway.state import GUARD, INGEST, KNOWLEDGE_SYNC, SETTINGS
from webui.ingest.v1 import knowledge_sync_pb2 as pb

routes = web.RouteTableDef()

M = TypeVar("M", bound=BaseModel)

_STATUS_TRUE = {"status": True}


def directory_json(directory: pb.KnowledgeDirectory) -> dict:
    """Open WebUI's KnowledgeDirectoryModel."""
    return {
        "id": directory.id,
        "knowledge_id": directory.knowledge_id,
        "parent_id": directory.parent_id or None,
        "name": directory.name,
        "user_id": directory.user_id,
        "created_at": directory.created_at,
        "updated_at": directory.updated_at,
    }


def diff_json(reply: pb.DiffKnowledgeSyncResponse) -> dict:
    return {
        "added": [{"filename": f.filename, "path": f.path} for f in reply.added],
        "modified": [
            {"filename": f.filename, "path": f.path, "stale_file_id": f.stale_file_id} for f in reply.modified
        ],
        "deleted": [{"file_id": f.file_id, "filename": f.filename} for f in reply.deleted],
        "mkdir": list(reply.mkdir),
        "rmdir": list(reply.rmdir),
        "unmodified_count": reply.unmodified_count,
        "directory_map": dict(sorted(reply.directory_map.items())),
    }


async def knowledge_files_page(
    request: web.Request, principal: Principal, page: int, page_size: int, include_content: bool
) -> dict:
    """``GET /api/v1/knowledge/{id}/files``: every file with its directory; with ``directory_id``
    (empty: the root) Open WebUI's folder view, the files directly in that folder with its
    subdirectories and breadcrumbs."""
    knowledge_id = request.match_info["knowledge_id"]
    sync = request.app[KNOWLEDGE_SYNC]
    if "directory_id" in request.query:
        folder = await sync.list_folder(
            principal,
            knowledge_id,
            request.query["directory_id"],
            page,
            page_size,
            include_content=include_content,
        )
        return knowledge_file_page_json(
            folder,
            include_content,
            placed={f.id: folder.breadcrumbs[-1].id for f in folder.files} if folder.breadcrumbs else {},
            paths={folder.breadcrumbs[-1].id: folder.path} if folder.breadcrumbs else {},
            directories=[directory_json(d) for d in folder.directories],
            breadcrumbs=[directory_json(d) for d in folder.breadcrumbs],
        )
    listing = await request.app[INGEST].list_knowledge_files(
        principal, knowledge_id, page, page_size, include_content=include_content
    )
    if not listing.files:
        return knowledge_file_page_json(listing, include_content)
    placement = await sync.describe_files(principal, knowledge_id, [f.id for f in listing.files])
    return knowledge_file_page_json(
        listing,
        include_content,
        placed=dict(placement.file_directories),
        paths=dict(placement.directory_paths),
    )


async def place_in_directories(
    request: web.Request, principal: Principal, placements: list[tuple[str, str]], *, check_only: bool
) -> None:
    """``file/add`` and ``files/batch/add`` with ``directory_id``s: checked before the add (a
    directory not of the base is 400 ``Target directory not found.``), applied after it."""
    if placements:
        await request.app[KNOWLEDGE_SYNC].place_files(
            principal, request.match_info["knowledge_id"], placements, check_only=check_only
        )


async def _verified(request: web.Request) -> Principal:
    return await request.app[GUARD].require(request, Level.VERIFIED)


async def _form(request: web.Request, model: type[M]) -> M:
    return await read_model(request, model, request.app[SETTINGS].ingest_max_body_bytes)


async def _sync_form(request: web.Request, model: type[M]) -> M:
    return await read_model(request, model, request.app[SETTINGS].knowledge_sync_max_body_bytes)


def _bounded(request: web.Request, count: int) -> None:
    limit = request.app[SETTINGS].knowledge_sync_max_entries
    if count > limit:
        raise ApiError(400, f"At most {limit} entries are taken at once.")


@routes.post("/api/v1/knowledge/{knowledge_id}/dirs/create")
async def create_directory(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, DirectoryCreateForm)
    directory = await request.app[KNOWLEDGE_SYNC].create_directory(
        principal, request.match_info["knowledge_id"], form.name, form.parent_id
    )
    return json_response(directory_json(directory))


@routes.post("/api/v1/knowledge/{knowledge_id}/dirs/{dir_id}/update")
async def update_directory(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, DirectoryUpdateForm)
    directory = await request.app[KNOWLEDGE_SYNC].update_directory(
        principal,
        request.match_info["knowledge_id"],
        request.match_info["dir_id"],
        name=form.name,
        move=form.moves,
        parent_id=form.parent_id,
    )
    return json_response(directory_json(directory))


@routes.delete("/api/v1/knowledge/{knowledge_id}/dirs/{dir_id}/delete")
async def delete_directory(request: web.Request) -> web.Response:
    principal = await _verified(request)
    move_files = query_flag(request, "move_files", True)
    await request.app[KNOWLEDGE_SYNC].delete_directory(
        principal, request.match_info["knowledge_id"], request.match_info["dir_id"], move_files
    )
    return json_response(_STATUS_TRUE)


@routes.post("/api/v1/knowledge/{knowledge_id}/file/move")
async def move_file(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, FileMoveForm)
    await request.app[KNOWLEDGE_SYNC].move_file(
        principal, request.match_info["knowledge_id"], form.file_id, form.directory_id
    )
    return json_response(_STATUS_TRUE)


@routes.post("/api/v1/knowledge/{knowledge_id}/sync/diff")
async def sync_diff(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _sync_form(request, SyncDiffForm)
    _bounded(request, len(form.manifest))
    reply = await request.app[KNOWLEDGE_SYNC].diff(
        principal, request.match_info["knowledge_id"], form.manifest
    )
    return json_response(diff_json(reply))


@routes.post("/api/v1/knowledge/{knowledge_id}/sync/cleanup")
async def sync_cleanup(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _sync_form(request, SyncCleanupForm)
    _bounded(request, len(form.file_ids) + len(form.dir_ids))
    await request.app[KNOWLEDGE_SYNC].cleanup(
        principal, request.match_info["knowledge_id"], form.file_ids, form.dir_ids
    )
    return json_response(_STATUS_TRUE)
