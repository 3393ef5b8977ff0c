"""``/api/v1/retrieval/process/*``: putting text into collections (extract, replace, copy).

Shared by two owners: ``process/file`` is served here by the file-operations client; the other
``process/*`` routes (text, batch, web, url) are added to this same table by their owner. Keep each
route's handler self-contained so the two sets can change apart.
"""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import read_model
from services.gateway.forms.files import ProcessFileForm
from services.gateway.forms.retrieval_processing import (
    ProcessFilesBatchForm,
    ProcessQuery,
    ProcessTextForm,
    ProcessUrlForm,
)
from services.gateway.http_errors import json_response
from services.gateway.ingest_views import file_json
from services.gateway.query_forms import read_query
from services.gateway.routes.files_more import read_content_form
from services.gateway.state import FILE_OPS, GUARD, RETRIEVAL_PROCESSING, SETTINGS
from webui.ingest.v1 import retrieval_processing_pb2

routes = web.RouteTableDef()


@routes.post("/api/v1/retrieval/process/file")
async def process_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_content_form(request, ProcessFileForm)
    result = await request.app[FILE_OPS].process_file(
        principal, form.file_id, form.content, form.collection_name or ""
    )
    return json_response(
        {
            "status": True,
            "collection_name": result.collection_name,
            "filename": result.filename,
            "content": result.content,
        }
    )


# --- text, batch, web and url (RetrievalProcessingService) ---------------------------------------


@routes.post("/api/v1/retrieval/process/text")
async def process_text(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, ProcessTextForm, request.app[SETTINGS].ingest_max_body_bytes)
    name = await request.app[RETRIEVAL_PROCESSING].process_text(
        principal, form.name, form.content, form.collection_name or ""
    )
    return json_response({"status": True, "collection_name": name, "content": form.content})


@routes.post("/api/v1/retrieval/process/files/batch")
async def process_files_batch(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, ProcessFilesBatchForm, request.app[SETTINGS].ingest_max_body_bytes)
    files = [(f.id, (f.data.content if f.data is not None else None) or "") for f in form.files]
    outcomes = await request.app[RETRIEVAL_PROCESSING].process_files_batch(
        principal, files, form.collection_name
    )
    results = [{"file_id": o.file_id, "status": "completed", "error": None} for o in outcomes if not o.error]
    failures = [{"file_id": o.file_id, "status": "failed", "error": o.error} for o in outcomes if o.error]
    return json_response({"results": results, "errors": failures})


async def _web(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    query = read_query(request, ProcessQuery)
    form = await read_model(request, ProcessUrlForm, request.app[SETTINGS].ingest_max_body_bytes)
    page = await request.app[RETRIEVAL_PROCESSING].process_web(
        principal, form.url, form.collection_name or "", query.process
    )
    if not query.process:
        return json_response({"status": True, "content": page.content})
    return json_response(
        {
            "status": True,
            "collection_name": page.collection_name,
            "filename": form.url,
            "content": page.content,
            "file": {
                "data": {"content": page.content},
                "meta": {"name": form.url, "source": form.url},
            },
        }
    )


@routes.post("/api/v1/retrieval/process/web")
async def process_web(request: web.Request) -> web.Response:
    return await _web(request)


@routes.post("/api/v1/retrieval/process/youtube")
async def process_youtube(request: web.Request) -> web.Response:
    # Open WebUI's alias; YouTube URLs themselves are refused (no transcripts offline).
    return await _web(request)


_URL_KINDS = {
    retrieval_processing_pb2.URL_KIND_WEB: "web",
    retrieval_processing_pb2.URL_KIND_FILE: "file",
    retrieval_processing_pb2.URL_KIND_IMAGE: "image",
}


@routes.post("/api/v1/retrieval/process/url")
async def process_url(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    query = read_query(request, ProcessQuery)
    form = await read_model(request, ProcessUrlForm, request.app[SETTINGS].ingest_max_body_bytes)
    reply = await request.app[RETRIEVAL_PROCESSING].process_url(
        principal, form.url, form.collection_name or "", query.process
    )
    body: dict = {
        "status": True,
        "type": _URL_KINDS.get(reply.kind, "file"),
        "name": reply.name,
        "url": reply.url,
        "collection_name": reply.collection_name or None,
    }
    if reply.kind == retrieval_processing_pb2.URL_KIND_WEB:
        body["content"] = reply.content
    if reply.HasField("file"):
        body["file"] = file_json(reply.file, path=True)
    return json_response(body)
