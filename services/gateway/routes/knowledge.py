"""``/api/v1/knowledge``: collections of files, their files, and their access grants."""

import orjson
from aiohttp import web
from pydantic import BaseModel

from services.gateway.auth_guard import Level
from services.gateway.body import query_int, read_model
from services.gateway.forms.knowledge import FileIdForm, FileIdList, KnowledgeAccessForm, KnowledgeForm
from services.gateway.http_errors import json_response
from services.gateway.ingest_views import (
    knowledge_created_json,
    knowledge_detail_json,
    knowledge_files_json,
    knowledge_list_json,
)
from services.gateway.routes.files import query_flag
from services.gateway.routes.knowledge_sync import knowledge_files_page, place_in_directories
from services.gateway.state import GUARD, INGEST, KNOWLEDGE_SYNC, SETTINGS

routes = web.RouteTableDef()

PAGE_SIZE = 30
# Pages fetched to list every file of a collection.
_ALL_FILES_PAGE_SIZE = 500


def grants_json(form: KnowledgeForm) -> bytes:
    """The grants as the service takes them: a JSON list, or empty for none given."""
    return orjson.dumps(form.access_grants) if form.access_grants is not None else b""


async def _form(request: web.Request, model: type[BaseModel]):
    return await read_model(request, model, request.app[SETTINGS].ingest_max_body_bytes)


@routes.get("/api/v1/knowledge/")
async def list_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    page = await request.app[INGEST].list_knowledge(principal, query_int(request, "page", 1), PAGE_SIZE)
    return json_response(knowledge_list_json(page))


@routes.post("/api/v1/knowledge/create")
async def create_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, KnowledgeForm)
    # The ingest service checks ``workspace.knowledge`` (401) and the grants (§6.2).
    knowledge = await request.app[INGEST].create_knowledge(
        principal, form.name, form.description, grants_json(form)
    )
    return json_response(knowledge_created_json(knowledge))


@routes.get("/api/v1/knowledge/{knowledge_id}")
async def get_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    knowledge = await request.app[INGEST].get_knowledge(principal, request.match_info["knowledge_id"])
    return json_response(knowledge_detail_json(knowledge))


@routes.get("/api/v1/knowledge/{knowledge_id}/files")
async def list_knowledge_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    include_content = query_flag(request, "include_content", False)
    page = query_int(request, "page", 1)
    return json_response(await knowledge_files_page(request, principal, page, PAGE_SIZE, include_content))


@routes.post("/api/v1/knowledge/{knowledge_id}/update")
async def update_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, KnowledgeForm)
    ingest = request.app[INGEST]
    knowledge_id = request.match_info["knowledge_id"]
    reply = await ingest.update_knowledge(
        principal, knowledge_id, form.name, form.description, grants_json(form)
    )
    # The reply lists all the collection's files, as Open WebUI's does.
    return json_response(knowledge_files_json(reply.knowledge, list(reply.files)))


@routes.post("/api/v1/knowledge/{knowledge_id}/access/update")
async def update_knowledge_access(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, KnowledgeAccessForm)
    reply = await request.app[INGEST].update_knowledge_access(
        principal, request.match_info["knowledge_id"], orjson.dumps(form.access_grants)
    )
    return json_response(knowledge_files_json(reply.knowledge, list(reply.files)))


@routes.post("/api/v1/knowledge/{knowledge_id}/file/add")
async def add_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, FileIdForm)
    placements = [(form.file_id, form.directory_id)] if form.directory_id else []
    await place_in_directories(request, principal, placements, check_only=True)
    reply = await request.app[INGEST].add_knowledge_files(
        principal, request.match_info["knowledge_id"], [form.file_id], batch=False
    )
    await place_in_directories(request, principal, placements, check_only=False)
    return json_response(knowledge_files_json(reply.knowledge, list(reply.files)))


@routes.post("/api/v1/knowledge/{knowledge_id}/files/batch/add")
async def add_files_batch(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, FileIdList)
    placements = [(item.file_id, item.directory_id) for item in form.root if item.directory_id]
    await place_in_directories(request, principal, placements, check_only=True)
    reply = await request.app[INGEST].add_knowledge_files(
        principal, request.match_info["knowledge_id"], [item.file_id for item in form.root], batch=True
    )
    await place_in_directories(request, principal, placements, check_only=False)
    return json_response(knowledge_files_json(reply.knowledge, list(reply.files)))


@routes.post("/api/v1/knowledge/{knowledge_id}/file/update")
async def update_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, FileIdForm)
    reply = await request.app[INGEST].update_knowledge_file(
        principal, request.match_info["knowledge_id"], form.file_id
    )
    return json_response(knowledge_files_json(reply.knowledge, list(reply.files)))


@routes.post("/api/v1/knowledge/{knowledge_id}/file/remove")
async def remove_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, FileIdForm)
    reply = await request.app[INGEST].remove_knowledge_file(
        principal,
        request.match_info["knowledge_id"],
        form.file_id,
        delete_file=query_flag(request, "delete_file", True),
    )
    return json_response(knowledge_files_json(reply.knowledge, list(reply.files)))


@routes.delete("/api/v1/knowledge/{knowledge_id}/delete")
async def delete_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    await request.app[INGEST].delete_knowledge(principal, request.match_info["knowledge_id"])
    return json_response(True)


@routes.post("/api/v1/knowledge/{knowledge_id}/reset")
async def reset_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    include_directories = query_flag(request, "include_directories", True)
    knowledge = await request.app[INGEST].reset_knowledge(principal, request.match_info["knowledge_id"])
    if include_directories:
        await request.app[KNOWLEDGE_SYNC].clear_directories(principal, request.match_info["knowledge_id"])
    return json_response(knowledge_created_json(knowledge))
