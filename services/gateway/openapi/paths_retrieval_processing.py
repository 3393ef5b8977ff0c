"""OpenAPI paths of ``/api/v1/retrieval/process/{text,files/batch,web,youtube,url}``."""

from typing import Any

from services.gateway.forms.retrieval_processing import ProcessFilesBatchForm, ProcessTextForm, ProcessUrlForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "retrieval"
_OBJECT = {"type": "object", "additionalProperties": True}

SCHEMAS: dict[str, dict[str, Any]] = {
    **form_schemas(ProcessTextForm, ProcessFilesBatchForm, ProcessUrlForm),
    "ProcessTextResult": {
        "type": "object",
        "properties": {
            "status": {"type": "boolean"},
            "collection_name": {"type": "string"},
            "content": {"type": "string"},
        },
        "required": ["status", "collection_name", "content"],
    },
    "BatchFileResult": {
        "type": "object",
        "properties": {
            "file_id": {"type": "string"},
            "status": {"type": "string", "enum": ["completed", "failed"]},
            "error": {"type": ["string", "null"]},
        },
        "required": ["file_id", "status", "error"],
    },
    "ProcessFilesBatchResult": {
        "type": "object",
        "properties": {
            "results": {"type": "array", "items": ref("BatchFileResult")},
            "errors": {"type": "array", "items": ref("BatchFileResult")},
        },
        "required": ["results", "errors"],
    },
    "ProcessWebResult": {
        "type": "object",
        "description": "With `process=false`, only `status` and `content`",
        "properties": {
            "status": {"type": "boolean"},
            "collection_name": {"type": ["string", "null"]},
            "filename": {"type": "string"},
            "content": {"type": "string"},
            "file": _OBJECT,
        },
        "required": ["status", "content"],
    },
    "ProcessUrlResult": {
        "type": "object",
        "properties": {
            "status": {"type": "boolean"},
            "type": {"type": "string", "enum": ["web", "file", "image"]},
            "name": {"type": "string"},
            "url": {"type": "string"},
            "collection_name": {"type": ["string", "null"]},
            "content": {"type": "string"},
            "file": _OBJECT,
        },
        "required": ["status", "type", "name", "url"],
    },
}

_WRITE = "403 `ACCESS_PROHIBITED` when the named collection exists and the caller may not write it."
_FETCH = (
    "The URL is fetched by the ingest service's SSRF-safe fetcher: only http(s); no backslash, tab, "
    "CR or LF; no credentials; `WEB_FETCH_FILTER_LIST` allow/block entries; private, loopback, "
    "link-local, reserved and multicast addresses refused unless `ENABLE_LOCAL_WEB_FETCH` (or the "
    "address is in `WEB_FETCH_LOCAL_ALLOW_LIST`), checked on the address actually connected to; "
    "redirects not followed unless `WEB_FETCH_MAX_REDIRECTS`, each hop checked again. A refused or "
    "failed fetch is 400 `[ERROR: Could not read content from <url>: <reason>]`; a body over the "
    "limit 413. "
)
_PROCESS = [
    query_param("process", {"type": "boolean", "default": True}, "false: fetch and return the text only"),
    query_param("overwrite", {"type": "boolean", "default": True}, "Accepted; texts are keyed by hash"),
]
_ERRORS = (400, 403, 413, 422, *BACKEND_ERRORS)


def _web(summary: str, description: str) -> dict[str, Any]:
    return {
        "post": operation(
            summary,
            tag=_TAG,
            description=description,
            ok=ref("ProcessWebResult"),
            body=form_ref(ProcessUrlForm),
            parameters=_PROCESS,
            errors=_ERRORS,
        )
    }


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/retrieval/process/text": {
        "post": operation(
            "Add a text to a collection",
            tag=_TAG,
            description=(
                "Chunks and embeds the text into `collection_name` (default: sha256 of the content); "
                "a name that is neither a file's nor a knowledge base's becomes the caller's own "
                "text collection, readable by `query/collection` and chat RAG. The same text again "
                "is 200 and changes nothing. 400 `EMPTY_CONTENT` for a blank text. " + _WRITE
            ),
            ok=ref("ProcessTextResult"),
            body=form_ref(ProcessTextForm),
            errors=_ERRORS,
        )
    },
    "/api/v1/retrieval/process/files/batch": {
        "post": operation(
            "Add the contents a batch of files carries to a collection",
            tag=_TAG,
            description=(
                "Embeds each entry's `data.content` (from the body, not the stored file) for the "
                "caller's own files (admins: any). Per-file errors in `errors`: `File not found`, "
                "`Permission denied: not file owner`, the duplicate-content text. " + _WRITE
            ),
            ok=ref("ProcessFilesBatchResult"),
            body=form_ref(ProcessFilesBatchForm),
            errors=_ERRORS,
        )
    },
    "/api/v1/retrieval/process/web": _web("Fetch one web page into a collection", _FETCH + _WRITE),
    "/api/v1/retrieval/process/youtube": _web(
        "Alias of process/web",
        "YouTube URLs are refused with 400 (transcripts cannot be fetched here); others as process/web. "
        + _FETCH,
    ),
    "/api/v1/retrieval/process/url": {
        "post": operation(
            "Fetch a URL: a page into a collection, anything else as a file",
            tag=_TAG,
            description=(
                _FETCH + "HTML goes through process/web (`type: web`); images are stored as files "
                "without processing (`type: image`; 400 `[ERROR: Invalid image content]` when the "
                "bytes are not an image); other types are stored as a file (up to RAG_FILE_MAX_SIZE, "
                "413 past it) and processed by the workers like an upload (`type: file`). " + _WRITE
            ),
            ok=ref("ProcessUrlResult"),
            body=form_ref(ProcessUrlForm),
            parameters=_PROCESS[:1],
            errors=_ERRORS,
        )
    },
}
