"""OpenAPI paths of ``/api/v1/files``: upload (multipart), list, read, download, delete and the
processing status (JSON or SSE)."""

from typing import Any
from urllib.parse import quote

from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref

_TAG = "files"
_FILE_ID = path_param("file_id", "The file's id")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_STATUS_NAMES = ["pending", "processing", "completed", "failed", "cancelled"]


def with_links(op: dict[str, Any], param: str, targets: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """``op`` whose 200 links to each target operation (``name -> (path, method)``), passing the
    reply's ``id`` as the target's path parameter ``param`` (what a client does next)."""
    links = {}
    for name, (path, method) in targets.items():
        # A JSON Pointer in a URI fragment: `~` and `/` escaped, then `{` and `}` percent-encoded.
        pointer = quote(path.replace("~", "~0").replace("/", "~1"), safe="~")
        links[name] = {
            "operationRef": f"#/paths/{pointer}/{method}",
            "parameters": {param: "$response.body#/id"},
        }
    op["responses"]["200"]["links"] = links
    return op


def _bool_query(name: str, default: bool, description: str) -> dict[str, Any]:
    return query_param(name, {"type": "boolean", "default": default}, description)


SCHEMAS: dict[str, dict[str, Any]] = {
    "FileData": {
        "type": "object",
        "description": "`{}` for a file uploaded with `process=false`; `status` once queued; "
        "`content` (when asked for) and `error` once processing ended.",
        "properties": {
            "status": {"type": "string", "enum": _STATUS_NAMES},
            "content": {"type": "string"},
            "error": {"type": ["string", "null"]},
        },
        "additionalProperties": True,
    },
    "FileMeta": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "content_type": {"type": ["string", "null"]},
            "size": {"type": "integer"},
            "file_hash": {"type": ["string", "null"]},
            "data": {
                "description": "The client's `metadata` form field, as given",
                "type": ["object", "null"],
                "additionalProperties": True,
            },
            "collection_name": {"type": "string"},
        },
        "additionalProperties": True,
    },
    "FileModelResponse": {
        "type": "object",
        "description": "A file as lists and uploads show it (no `path`)",
        "properties": {
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "hash": {"type": ["string", "null"]},
            "filename": {"type": "string"},
            "data": ref("FileData"),
            "meta": ref("FileMeta"),
            "created_at": _TIMESTAMP,
            "updated_at": _TIMESTAMP,
        },
        "required": ["id", "user_id", "hash", "filename", "data", "meta", "created_at", "updated_at"],
        "additionalProperties": True,
    },
    "FileModel": {
        "type": "object",
        "description": "A file with its storage path",
        "properties": {
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "hash": {"type": ["string", "null"]},
            "filename": {"type": "string"},
            "path": {"type": "string"},
            "data": ref("FileData"),
            "meta": ref("FileMeta"),
            "created_at": _TIMESTAMP,
            "updated_at": _TIMESTAMP,
        },
        "required": ["id", "user_id", "hash", "filename", "path", "data", "meta", "created_at", "updated_at"],
        "additionalProperties": True,
    },
    "FileUploadResponse": {
        "type": "object",
        "description": "The file as stored (before processing, whatever `process_in_background` says), "
        "`status: true` when it was queued for processing, and its path.",
        "properties": {
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "hash": {"type": ["string", "null"]},
            "filename": {"type": "string"},
            "data": ref("FileData"),
            "meta": ref("FileMeta"),
            "created_at": _TIMESTAMP,
            "updated_at": _TIMESTAMP,
            "status": {"type": "boolean", "const": True},
            "path": {"type": "string"},
        },
        "required": ["id", "user_id", "hash", "filename", "data", "meta", "created_at", "updated_at", "path"],
        "additionalProperties": True,
    },
    "FileUploadForm": {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "The file (a file part)"},
            "metadata": {
                "type": "string",
                "description": 'A JSON object as text, e.g. `{"knowledge_id": "…"}`; invalid JSON is a 400',
            },
        },
        "required": ["file"],
    },
    "FileList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref("FileModelResponse")},
            "total": {"type": "integer"},
        },
        "required": ["items", "total"],
    },
    "FileDataContent": {
        "type": "object",
        "properties": {"content": {"type": "string"}},
        "required": ["content"],
    },
    "FileMessage": {
        "type": "object",
        "properties": {"message": {"type": "string"}},
        "required": ["message"],
    },
    "FileStatusEvent": {
        "type": "object",
        "description": "One server-sent event of the streamed status (OpenAPI 3.1: the schema of each "
        'event); `data` is JSON: `{"status": …}`, plus `"error"` when failed; `not_found` once '
        "the file is deleted",
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string", "enum": [*_STATUS_NAMES, "not_found"]},
                        "error": {"type": ["string", "null"]},
                    },
                    "required": ["status"],
                },
            },
            "event": {"type": "string"},
        },
        "required": ["data"],
    },
    "FileProcessStatus": {
        "type": "object",
        "description": "The JSON form carries no error text (read it from `GET /api/v1/files/{file_id}`)",
        "properties": {"status": {"type": "string", "enum": _STATUS_NAMES}},
        "required": ["status"],
    },
}

_SSE_DESCRIPTION = (
    'With `stream=true`: `text/event-stream`, one `data: {"status": …}` event per change '
    '(`failed` events add `"error"`), ending after `completed`, `failed` or `not_found` (the file '
    "was deleted); a file never processed gives an empty stream."
)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/files/": {
        "post": with_links(
            operation(
                "Upload a file",
                tag=_TAG,
                description="Multipart upload, streamed to the ingest service as it arrives. The file is "
                "processed (extracted, chunked, embedded) unless `process=false`; with "
                "`process_in_background=false` the reply waits for processing but still shows the file "
                "as stored before it.",
                ok=ref("FileUploadResponse"),
                parameters=[
                    _bool_query("process", True, "Extract, chunk and embed the file"),
                    _bool_query("process_in_background", True, "Answer before processing ends"),
                    query_param(
                        "batch_id",
                        {"type": "string", "maxLength": 255},
                        "Beyond Open WebUI: the processing job joins this batch of the caller's "
                        "(`POST /api/v1/ingest/batches`); 404 when it is not theirs",
                    ),
                    query_param(
                        "callback_url",
                        {"type": "string", "maxLength": 2048},
                        "Beyond Open WebUI: POSTed a signed JSON callback when the processing job "
                        "ends; 400 unless its host is on INGEST_CALLBACK_ALLOWED_HOSTS",
                    ),
                ],
                body_content={"multipart/form-data": {"schema": ref("FileUploadForm")}},
                errors=(*BACKEND_ERRORS, 400, 404, 413, 422),
            ),
            "file_id",
            {
                "GetFile": ("/api/v1/files/{file_id}", "get"),
                "GetFileDataContent": ("/api/v1/files/{file_id}/data/content", "get"),
                "GetFileContent": ("/api/v1/files/{file_id}/content", "get"),
                "GetFileStatus": ("/api/v1/files/{file_id}/process/status", "get"),
                "DeleteFile": ("/api/v1/files/{file_id}", "delete"),
            },
        ),
        "get": operation(
            "List the caller's files (admins: everyone's), newest first, 50 a page",
            tag=_TAG,
            ok=ref("FileList"),
            parameters=[
                query_param("page", {"type": "integer", "default": 1}, "1-based page number"),
                _bool_query("content", True, "Include `data.content`"),
            ],
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/files/{file_id}": {
        "get": operation(
            "Get a file", tag=_TAG, ok=ref("FileModel"), parameters=[_FILE_ID], errors=(*BACKEND_ERRORS, 404)
        ),
        "delete": operation(
            "Delete a file (its vectors and its place in every collection too)",
            tag=_TAG,
            ok=ref("FileMessage"),
            parameters=[_FILE_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/files/{file_id}/data/content": {
        "get": operation(
            "The file's extracted text (empty until processed)",
            tag=_TAG,
            ok=ref("FileDataContent"),
            parameters=[_FILE_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/files/{file_id}/content": {
        "get": operation(
            "Download the file as uploaded",
            tag=_TAG,
            description="The file's own bytes with its content type: PDFs inline, plain text without "
            "a disposition, anything else (or with `attachment=true`) as an attachment.",
            ok_content={"*/*": {"schema": {"type": "string", "format": "binary"}}},
            parameters=[_FILE_ID, _bool_query("attachment", False, "Always answer as an attachment")],
            errors=(*BACKEND_ERRORS, 404, 422),
        ),
    },
    "/api/v1/files/{file_id}/process/status": {
        "get": operation(
            "The file's processing status",
            tag=_TAG,
            description=_SSE_DESCRIPTION,
            ok_content={
                "application/json": {"schema": ref("FileProcessStatus")},
                "text/event-stream": {"schema": ref("FileStatusEvent")},
            },
            parameters=[_FILE_ID, _bool_query("stream", False, "Stream the status as server-sent events")],
            errors=(*BACKEND_ERRORS, 404, 422),
        ),
    },
}
