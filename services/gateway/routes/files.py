"""``/api/v1/files``: upload (streamed to IngestService as it arrives), list, read, download,
delete, and the processing status (JSON or SSE)."""

import asyncio
import contextlib
import logging
import mimetypes
from collections.abc import Awaitable
from typing import TypeVar
from urllib.parse import quote

import grpc
from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import BadHttpMessage

from services.common import messages
from services.gateway.auth_guard import Level, Principal
from services.gateway.body import query_bool, query_int
from services.gateway.http_errors import ApiError, json_response
from services.gateway.ingest_views import (
    file_json,
    file_list_json,
    file_status_json,
    status_event,
    status_stream_ends,
    uploaded_file_json,
)
from services.gateway.relay import write_rest
from services.gateway.state import GUARD, INGEST, SETTINGS
from webui.ingest.v1 import ingest_pb2

log = logging.getLogger(__name__)

routes = web.RouteTableDef()
T = TypeVar("T")

PAGE_SIZE = 50
# Bytes per UploadFileRequest chunk.
UPLOAD_CHUNK_BYTES = 256 * 1024
_READ_BYTES = 64 * 1024
_MIB = 1024 * 1024
# Room in a declared Content-Length for the multipart framing around the file and the form's fields.
_FORM_OVERHEAD_BYTES = 64 * 1024
_SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
# A slow client's bytes are passed on at least this often, so that the service sees the upload
# alive (it ends a stream idle for UPLOAD_IDLE_TIMEOUT_S, as this route does).
_FORWARD_EVERY_S = 1.0


# `batch_id` / `callback_url` longer than this are refused by the ingest service (cut here so that
# a huge query string never travels on whole; one character over still reads as too long).
_MAX_JOB_QUERY_CHARS = 2048


def query_flag(request: web.Request, name: str, default: bool) -> bool:
    """A boolean query parameter with a default (422 when it is not a boolean)."""
    return query_bool(request, name) if name in request.query else default


def missing_file_error() -> ApiError:
    missing = {"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": None}
    return ApiError(422, [missing])


def _not_a_file_error(value: str) -> ApiError:
    # What FastAPI answers when `file` is a plain form field rather than a file.
    return ApiError(
        422,
        [
            {
                "type": "value_error",
                "loc": ["body", "file"],
                "msg": "Value error, Expected UploadFile, received: <class 'str'>",
                "input": value,
                "ctx": {"error": {}},
            }
        ],
    )


def file_too_large_error(max_mb: int) -> ApiError:
    return ApiError(413, messages.file_too_large(max_mb))


def refuse_declared_oversize(request: web.Request, max_mb: int, max_field_bytes: int) -> None:
    """413 before any byte is read when the declared length cannot be a file within the limit (the
    ``file`` and ``metadata`` fields at their largest, and the framing)."""
    limit = max_mb * _MIB + 2 * max_field_bytes + _FORM_OVERHEAD_BYTES
    if (request.content_length or 0) > limit:
        raise file_too_large_error(max_mb)


def part_content_type(part: BodyPartReader) -> str:
    """The part's own Content-Type, else one guessed from its filename."""
    declared = part.headers.get("Content-Type", "").strip()
    if declared:
        return declared
    guessed, _ = mimetypes.guess_type(part.filename or "")
    return guessed or "application/octet-stream"


class _Arrival:
    """Reads of a request body that fail with 408 when the client sends nothing for ``idle_s``."""

    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s

    async def within(self, read: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self.idle_s):
                return await read
        except TimeoutError:
            raise ApiError(408, messages.UPLOAD_STALLED) from None

    async def chunk(self, part: BodyPartReader, size: int) -> bytes:
        return await self.within(part.read_chunk(size))


async def _read_field(part: BodyPartReader, max_bytes: int, arrival: _Arrival) -> str:
    data = bytearray()
    while chunk := await arrival.chunk(part, _READ_BYTES):
        data += chunk
        if len(data) > max_bytes:
            raise ApiError(413, messages.BODY_TOO_LARGE)
    try:
        return data.decode(part.get_charset("utf-8"), errors="replace")
    except LookupError:
        # A charset Python does not know: UTF-8, as Starlette reads every form field.
        return data.decode("utf-8", errors="replace")


class _Upload:
    """The client-streaming UploadFile call; ``send`` reports False once the service has ended it
    (it refused the upload: awaiting the call raises why). The file's size is counted here, after
    any Content-Encoding is undone, so that a body over the limit is refused before it is passed on:
    the service's own refusal, arriving while chunks are still being written, can reach us as INTERNAL.
    """

    def __init__(self, call: grpc.aio.StreamUnaryCall, max_mb: int, arrival: _Arrival) -> None:
        self.call = call
        self.open = True
        self.max_mb = max_mb
        self.size = 0
        self.arrival = arrival

    async def send(self, message: ingest_pb2.UploadFileRequest) -> bool:
        if self.open:
            try:
                await self.call.write(message)
            except (asyncio.InvalidStateError, grpc.aio.AioRpcError):
                self.open = False
        return self.open

    async def send_part(self, part: BodyPartReader) -> bool:
        """The part's bytes, in chunks of about UPLOAD_CHUNK_BYTES (or what came within
        _FORWARD_EVERY_S), as they arrive."""
        buffer = bytearray()
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        while chunk := await self.arrival.chunk(part, UPLOAD_CHUNK_BYTES):
            self.size += len(chunk)
            if self.size > self.max_mb * _MIB:
                raise file_too_large_error(self.max_mb)
            buffer += chunk
            if len(buffer) >= UPLOAD_CHUNK_BYTES or loop.time() - sent_at >= _FORWARD_EVERY_S:
                if not await self.send(ingest_pb2.UploadFileRequest(chunk=bytes(buffer))):
                    return False
                buffer.clear()
                sent_at = loop.time()
        return not buffer or await self.send(ingest_pb2.UploadFileRequest(chunk=bytes(buffer)))

    async def finish(self) -> ingest_pb2.File:
        if self.open:
            with contextlib.suppress(asyncio.InvalidStateError, grpc.aio.AioRpcError):
                await self.call.done_writing()
        return (await self.call).file


async def _multipart(request: web.Request) -> MultipartReader | None:
    if request.content_type.lower() not in ("multipart/form-data", "multipart/mixed"):
        return None
    try:
        return await request.multipart()
    except (ValueError, AssertionError, KeyError):
        raise ApiError(400, messages.BODY_PARSE_ERROR) from None


async def stream_upload(
    request: web.Request,
    principal: Principal,
    header: ingest_pb2.UploadHeader,
    max_field_bytes: int,
    max_file_mb: int,
    idle_s: float,
) -> ingest_pb2.File:
    """Reads the multipart body part by part, starting the UploadFile call when the ``file`` part
    begins and passing its bytes on as they arrive; the ``metadata`` field goes wherever it comes."""
    reader = await _multipart(request)
    if reader is None:
        raise missing_file_error()
    arrival = _Arrival(idle_s)
    upload: _Upload | None = None
    metadata: str | None = None
    file_text: str | None = None
    parts = 0
    try:
        try:
            while (part := await arrival.within(reader.next())) is not None:
                parts += 1
                if isinstance(part, MultipartReader):
                    await arrival.within(part.release())
                elif part.name == "file" and upload is None and part.filename is not None:
                    upload = _Upload(request.app[INGEST].upload_file(principal), max_file_mb, arrival)
                    header.filename = part.filename
                    header.content_type = part_content_type(part)
                    sent = await upload.send(ingest_pb2.UploadFileRequest(header=header))
                    if sent and metadata:
                        sent = await upload.send(ingest_pb2.UploadFileRequest(metadata_json=metadata))
                    if not sent or not await upload.send_part(part):
                        return await upload.finish()
                elif part.name == "file" and part.filename is None and upload is None:
                    file_text = await _read_field(part, max_field_bytes, arrival)
                elif part.name == "metadata" and metadata is None:
                    # FastAPI takes an empty optional form field as absent.
                    metadata = await _read_field(part, max_field_bytes, arrival)
                    if upload is not None and metadata:
                        await upload.send(ingest_pb2.UploadFileRequest(metadata_json=metadata))
                else:
                    await arrival.within(part.release())
        except (BadHttpMessage, web.RequestPayloadError):
            # A part's headers that are not HTTP headers (control or non-Latin-1 bytes), or a body
            # that cannot be decoded (a `Content-Encoding` it does not have).
            raise ApiError(400, messages.BODY_PARSE_ERROR) from None
        except ValueError:
            if parts:
                raise ApiError(400, messages.BODY_PARSE_ERROR) from None
            # An empty body (no boundary at all) is a form without fields.
        if upload is None:
            raise _not_a_file_error(file_text) if file_text is not None else missing_file_error()
        return await upload.finish()
    finally:
        # A refused body or a client that left: the service drops what it received.
        if upload is not None and not upload.call.done():
            upload.call.cancel()


@routes.post("/api/v1/files/")
async def upload_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    process = query_flag(request, "process", True)
    background = query_flag(request, "process_in_background", True)
    header = ingest_pb2.UploadHeader(process=process, wait_for_processing=process and not background)
    # Beyond Open WebUI (docs/ingest-jobs.md): the processing job joins a batch, calls back when it
    # ends. The ingest service checks both before any byte is stored.
    header.batch_id = request.query.get("batch_id", "")[:_MAX_JOB_QUERY_CHARS]
    header.callback_url = request.query.get("callback_url", "")[: _MAX_JOB_QUERY_CHARS + 1]
    settings = request.app[SETTINGS]
    refuse_declared_oversize(request, settings.file_max_size_mb, settings.ingest_max_body_bytes)
    file = await stream_upload(
        request,
        principal,
        header,
        settings.ingest_max_body_bytes,
        settings.file_max_size_mb,
        settings.upload_idle_timeout_s,
    )
    return json_response(uploaded_file_json(file, processed=process))


@routes.get("/api/v1/files/")
async def list_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    content = query_flag(request, "content", True)
    page = await request.app[INGEST].list_files(
        principal, query_int(request, "page", 1), PAGE_SIZE, include_content=content
    )
    return json_response(file_list_json(page, content))


@routes.get("/api/v1/files/{file_id}")
async def get_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    file = await request.app[INGEST].get_file(principal, request.match_info["file_id"], include_content=True)
    return json_response(file_json(file, path=True))


@routes.get("/api/v1/files/{file_id}/data/content")
async def get_file_data_content(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    file = await request.app[INGEST].get_file(principal, request.match_info["file_id"], include_content=True)
    data = file_json(file)["data"]
    content = data.get("content") if isinstance(data, dict) else None
    return json_response({"content": content or ""})


@routes.delete("/api/v1/files/{file_id}")
async def delete_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    await request.app[INGEST].delete_file(principal, request.match_info["file_id"])
    return json_response({"message": messages.FILE_DELETED})


def content_headers(head: ingest_pb2.ContentHead, attachment: bool) -> dict[str, str]:
    """Content-Type, Content-Length and Content-Disposition as Open WebUI's FileResponse sets them:
    PDFs inline, plain text without a disposition, everything else (or when asked) as an attachment."""
    name = head.filename
    content_type = head.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = None
    if attachment:
        disposition = "attachment"
    elif content_type == "application/pdf" or name.lower().endswith(".pdf"):
        disposition, content_type = "inline", "application/pdf"
    elif content_type != "text/plain":
        disposition = "attachment"
    if content_type.startswith("text/") and "charset=" not in content_type.lower():
        content_type += "; charset=utf-8"
    # The type is the uploader's word: a browser must not guess another (HTML in a "text/plain").
    headers = {
        "Content-Type": content_type,
        "Content-Length": str(head.size),
        "X-Content-Type-Options": "nosniff",
    }
    if disposition:
        headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    return headers


@routes.get("/api/v1/files/{file_id}/content")
async def get_file_content(request: web.Request) -> web.StreamResponse:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    attachment = query_flag(request, "attachment", False)
    call = request.app[INGEST].file_content(principal, request.match_info["file_id"])
    try:
        parts = call.__aiter__()
        try:
            first = await parts.__anext__()
        except StopAsyncIteration:
            raise ApiError(404, messages.ORIGINAL_FILE_UNAVAILABLE) from None
        response = web.StreamResponse(headers=content_headers(first.head, attachment))
        await response.prepare(request)
        # The length was promised: a failure from here on can only cut the download short.
        return await write_rest(request, response, (message.chunk async for message in parts))
    finally:
        if not call.done():
            call.cancel()


@routes.get("/api/v1/files/{file_id}/process/status")
async def file_status(request: web.Request) -> web.StreamResponse:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    file_id = request.match_info["file_id"]
    if query_flag(request, "stream", False):
        return await _status_stream(request, principal, file_id)
    file = await request.app[INGEST].get_file(principal, file_id, include_content=False)
    return json_response(file_status_json(file.status))


async def _status_stream(request: web.Request, principal: Principal, file_id: str) -> web.StreamResponse:
    """Relays WatchFileStatus as SSE. The first status is awaited before the head, so an unknown
    file is a 404; a file never processed gives an empty stream; the stream ends after completed,
    failed or not_found. A client that leaves cancels the watch."""
    call = request.app[INGEST].watch_file_status(principal, file_id)
    try:
        updates = call.__aiter__()
        try:
            message: ingest_pb2.WatchFileStatusResponse | None = await updates.__anext__()
        except StopAsyncIteration:
            message = None
        response = web.StreamResponse(headers={"Content-Type": _SSE_CONTENT_TYPE})
        await response.prepare(request)
        if message is not None and (message.deleted or message.status != ingest_pb2.FILE_STATUS_UNSPECIFIED):
            try:
                while message is not None:
                    await response.write(status_event(message))
                    if status_stream_ends(message):
                        break
                    message = await anext(updates, None)
            except grpc.aio.AioRpcError as error:
                log.warning("file status stream failed: %s", error.code().name)
        await response.write_eof()
        return response
    finally:
        if not call.done():
            call.cancel()
