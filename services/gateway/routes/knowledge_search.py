"""``/api/v1/knowledge``: search, file search, pending files, export and reindexing.

Registered before ``routes.knowledge``: ``/search`` and ``/search/files`` would otherwise be taken
by ``/{knowledge_id}`` and ``/{knowledge_id}/files``.
"""

import logging
import zipfile
from urllib.parse import quote

import grpc
from aiohttp import web

from services.common import messages
from services.gateway.auth_guard import Level, Principal
from services.gateway.body import query_int
from services.gateway.http_errors import ApiError, json_response
from services.gateway.knowledge_search_views import (
    knowledge_file_search_json,
    knowledge_search_json,
    pending_event,
    pending_files_json,
)
from services.gateway.routes.files import query_flag
from services.gateway.state import GUARD, KNOWLEDGE_SEARCH
from webui.ingest.v1 import knowledge_search_pb2 as pb

log = logging.getLogger(__name__)

PAGE_SIZE = 30
_SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
_VIEWS = {"created": pb.KNOWLEDGE_VIEW_CREATED, "shared": pb.KNOWLEDGE_VIEW_SHARED}
_SOURCES = {"local": pb.KNOWLEDGE_SOURCE_LOCAL, "external": pb.KNOWLEDGE_SOURCE_EXTERNAL}
_ORDERS = {
    "name": pb.KNOWLEDGE_ORDER_NAME,
    "created_at": pb.KNOWLEDGE_ORDER_CREATED_AT,
    "updated_at": pb.KNOWLEDGE_ORDER_UPDATED_AT,
}

routes = web.RouteTableDef()


def _query_text(request: web.Request, name: str) -> str:
    return request.query.get(name) or ""


@routes.get("/api/v1/knowledge/search")
async def search_knowledge(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    # As Open WebUI: an unknown view, source, order or direction is ignored.
    order = _ORDERS.get(_query_text(request, "order_by"), pb.KNOWLEDGE_ORDER_UNSPECIFIED)
    search = pb.SearchKnowledgeRequest(
        query=_query_text(request, "query"),
        view=_VIEWS.get(_query_text(request, "view_option"), pb.KNOWLEDGE_VIEW_UNSPECIFIED),
        source=_SOURCES.get(_query_text(request, "source"), pb.KNOWLEDGE_SOURCE_UNSPECIFIED),
        order=order,
        ascending=_query_text(request, "direction") == "asc",
        page=query_int(request, "page", 1),
        page_size=PAGE_SIZE,
    )
    page = await request.app[KNOWLEDGE_SEARCH].search_knowledge(principal, search)
    return json_response(knowledge_search_json(page))


@routes.get("/api/v1/knowledge/search/files")
async def search_knowledge_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    include_content = query_flag(request, "include_content", False)
    page = await request.app[KNOWLEDGE_SEARCH].search_knowledge_files(
        principal, _query_text(request, "query"), include_content, query_int(request, "page", 1), PAGE_SIZE
    )
    return json_response(knowledge_file_search_json(page, include_content))


@routes.post("/api/v1/knowledge/reindex")
async def reindex_knowledge(request: web.Request) -> web.Response:
    # Open WebUI checks the admin role inside the route (401 UNAUTHORIZED): the service does.
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    reply = await request.app[KNOWLEDGE_SEARCH].reindex_knowledge(principal)
    log.info("reindexed %d knowledge collections (%d linked files)", reply.collections, reply.files)
    return json_response(True)


@routes.post("/api/v1/knowledge/metadata/reindex")
async def reindex_knowledge_metadata(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    reply = await request.app[KNOWLEDGE_SEARCH].reindex_knowledge_metadata(principal)
    return json_response({"total": reply.total, "success": reply.success})


@routes.get("/api/v1/knowledge/{knowledge_id}/files/pending")
async def pending_files(request: web.Request) -> web.StreamResponse:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    knowledge_id = request.match_info["knowledge_id"]
    if query_flag(request, "stream", False):
        return await _pending_stream(request, principal, knowledge_id)
    reply = await request.app[KNOWLEDGE_SEARCH].list_pending_files(principal, knowledge_id)
    return json_response(pending_files_json(list(reply.files)))


async def _pending_stream(
    request: web.Request, principal: Principal, knowledge_id: str
) -> web.StreamResponse:
    """Relays WatchPendingFiles as SSE: a frame per change of the set, the last one ``[]``. The
    first frame is awaited before the head, so a missing collection or a refusal is a plain error.
    A client that leaves cancels the watch."""
    call = request.app[KNOWLEDGE_SEARCH].watch_pending_files(principal, knowledge_id)
    try:
        frames = call.__aiter__()
        first = await anext(frames, None)
        response = web.StreamResponse(
            headers={"Content-Type": _SSE_CONTENT_TYPE, "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        try:
            message = first
            while message is not None:
                await response.write(pending_event(list(message.files)))
                message = await anext(frames, None)
        except grpc.aio.AioRpcError as error:
            log.warning("pending files stream failed: %s", error.code().name)
        await response.write_eof()
        return response
    finally:
        if not call.done():
            call.cancel()


def export_filename(name: str) -> str:
    """Open WebUI's archive name: the collection's name with anything but letters, digits, space,
    ``-`` and ``_`` replaced by ``_``."""
    safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in name)
    return f"{safe}.zip"


class _Sink:
    """A write-only file for ``zipfile``: collects what it writes until taken. It has no ``tell``,
    so zipfile writes a streamable archive (sizes after each entry's data)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


@routes.get("/api/v1/knowledge/{knowledge_id}/export")
async def export_knowledge(request: web.Request) -> web.StreamResponse:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    call = request.app[KNOWLEDGE_SEARCH].export_knowledge(principal, request.match_info["knowledge_id"])
    try:
        pieces = call.__aiter__()
        # The head first: a missing collection is a 404 before anything is sent.
        head = await anext(pieces, None)
        if head is None or head.WhichOneof("item") != "head":
            raise ApiError(404, messages.NOT_FOUND)
        disposition = f"attachment; filename*=UTF-8''{quote(export_filename(head.head.name), safe='')}"
        response = web.StreamResponse(
            headers={"Content-Type": "application/zip", "Content-Disposition": disposition}
        )
        await response.prepare(request)
        sink = _Sink()
        # One piece of text at a time passes through: the archive is never whole in memory.
        archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED)  # type: ignore[arg-type]
        entry = None
        complete = False
        try:
            async for piece in pieces:
                kind = piece.WhichOneof("item")
                if kind == "entry_name":
                    if entry is not None:
                        entry.close()
                    entry = archive.open(piece.entry_name, "w")
                elif kind == "text" and entry is not None:
                    entry.write(piece.text)
                await response.write(sink.take())
            complete = True
        except grpc.aio.AioRpcError as error:
            # The head is sent: a cut-short archive (no central directory) is all that can show it.
            log.warning("knowledge export failed: %s", error.code().name)
        finally:
            if entry is not None:
                entry.close()
            archive.close()
        if complete:
            await response.write(sink.take())
            await response.write_eof()
        return response
    finally:
        if not call.done():
            call.cancel()
