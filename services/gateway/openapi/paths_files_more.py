"""OpenAPI paths of ``/api/v1/files`` beyond upload and read (search, counts, rename, text
replacement, deleting every file) and of ``/api/v1/retrieval/process/file``."""

from typing import Any

from services.gateway.forms.files import FileContentForm, ProcessFileForm, RenameFileForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "files"
_FILE_ID = path_param("file_id", "The file's id")


def _bool_query(name: str, default: bool, description: str) -> dict[str, Any]:
    return query_param(name, {"type": "boolean", "default": default}, description)


def _search_params(pattern_default: str | None, content_default: bool, limit_default: int) -> list:
    pattern_schema: dict[str, Any] = {"type": "string", "maxLength": 1024}
    if pattern_default is not None:
        pattern_schema["default"] = pattern_default
    return [
        query_param(
            "filename",
            pattern_schema,
            "A glob over file names, case-insensitive: `*` any run of characters, `?` one character",
            required=pattern_default is None,
        ),
        _bool_query("content", content_default, "Include `data.content`"),
        query_param("skip", {"type": "integer", "minimum": 0, "default": 0}, "Files to skip"),
        query_param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": 1000, "default": limit_default},
            "Files to return at most",
        ),
    ]


SCHEMAS: dict[str, dict[str, Any]] = {
    **form_schemas(RenameFileForm, FileContentForm, ProcessFileForm),
    "FileModelResponseList": {"type": "array", "items": ref("FileModelResponse")},
    "FileCount": {"type": "integer", "minimum": 0},
    "ProcessFileResult": {
        "type": "object",
        "properties": {
            "status": {"type": "boolean", "const": True},
            "collection_name": {"type": "string"},
            "filename": {"type": "string"},
            "content": {"type": "string", "description": "The file's text as stored"},
        },
        "required": ["status", "collection_name", "filename", "content"],
    },
}

_DELETE_ALL_DESCRIPTION = (
    "**Destructive, not undoable.** Admins only (401 otherwise). Deletes every file of every user: "
    "the stored uploads, their text, their chunks and vectors, and their links to knowledge bases "
    "(the knowledge bases themselves stay, empty); every replica drops the affected collections."
)
_CONTENT_DESCRIPTION = (
    "Replaces the file's text and re-indexes it in `file-<id>` and in every knowledge base that "
    "links it; only chunk texts never embedded before are embedded, the rest keep their vectors. "
    "Every replica searches the new text once this returns. Owner, admin, or a writer of a knowledge "
    "base holding the file (404 otherwise, as for a missing file). Blank text is a 400; text over "
    "`RAG_FILE_MAX_SIZE` MB a 413."
)
_PROCESS_DESCRIPTION = (
    "Three modes. Neither `content` nor `collection_name`: extract the stored upload and index it "
    "into `file-<id>` (synchronously). `content`: replace the file's text with it and re-index "
    "(only new chunk texts are embedded). `collection_name` naming a knowledge base: link the file "
    "to it (its vectors are reused; the caller needs write access to the knowledge base); any other "
    "name: add the file's text to that free-standing text collection, as `/process/files/batch` does "
    "(400 `DUPLICATE_CONTENT` when it holds the text already; another file's `file-<id>` is a 400). "
    "The file must be the caller's (or writable through a knowledge base), else 404. An extraction "
    "failure marks the file failed and is a 400 with the reason."
)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/files/search": {
        "get": operation(
            "Search files by name (admins: everyone's), newest first",
            tag=_TAG,
            description="404 `No files found matching the pattern.` when nothing matches.",
            ok=ref("FileModelResponseList"),
            parameters=_search_params(None, True, 100),
            errors=(*BACKEND_ERRORS, 404, 422),
        ),
    },
    "/api/v1/files/user/search": {
        "get": operation(
            "Search the caller's own files by name, newest first (`[]` when none)",
            tag=_TAG,
            ok=ref("FileModelResponseList"),
            parameters=_search_params("*", False, 50),
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/files/count": {
        "get": operation(
            "How many files the caller has (admins: every file)",
            tag=_TAG,
            ok=ref("FileCount"),
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/files/user/count": {
        "get": operation(
            "How many files the caller has", tag=_TAG, ok=ref("FileCount"), errors=BACKEND_ERRORS
        ),
    },
    "/api/v1/files/all": {
        "delete": operation(
            "Delete every file of every user (destructive; admins only)",
            tag=_TAG,
            description=_DELETE_ALL_DESCRIPTION,
            ok=ref("FileMessage"),
            errors=(*BACKEND_ERRORS, 401),
        ),
    },
    "/api/v1/files/{file_id}/rename": {
        "post": operation(
            "Rename a file (its `filename` and `meta.name`)",
            tag=_TAG,
            description="Owner, admin, or a writer of a knowledge base holding the file (404 otherwise).",
            ok=ref("FileModel"),
            parameters=[_FILE_ID],
            body=form_ref(RenameFileForm),
            errors=(*BACKEND_ERRORS, 400, 404, 413, 422),
        ),
    },
    "/api/v1/files/{file_id}/data/content/update": {
        "post": operation(
            "Replace a file's text and re-index it",
            tag=_TAG,
            description=_CONTENT_DESCRIPTION,
            ok=ref("FileDataContent"),
            parameters=[_FILE_ID],
            body=form_ref(FileContentForm),
            errors=(*BACKEND_ERRORS, 400, 404, 413, 422, 429),
        ),
    },
    "/api/v1/retrieval/process/file": {
        "post": operation(
            "Index a file: from its upload, from new text, or into a knowledge base",
            tag="retrieval",
            description=_PROCESS_DESCRIPTION,
            ok=ref("ProcessFileResult"),
            body=form_ref(ProcessFileForm),
            errors=(*BACKEND_ERRORS, 400, 403, 404, 413, 422, 429),
        ),
    },
}
