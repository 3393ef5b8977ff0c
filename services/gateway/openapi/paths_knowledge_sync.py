"""OpenAPI paths of a knowledge base's directories and folder sync (``/api/v1/knowledge/{id}/…``)."""

from typing import Any

from services.gateway.forms.knowledge_sync import (
    DirectoryCreateForm,
    DirectoryUpdateForm,
    FileMoveForm,
    SyncCleanupForm,
    SyncDiffForm,
)
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "knowledge"
_KNOWLEDGE_ID = path_param("knowledge_id", "The knowledge base's id")
_DIR_ID = path_param("dir_id", "The directory's id")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_WRITE_ACCESS = (
    "Owner, write grant or admin: 404 NOT_FOUND when the base does not exist, 403 ACCESS_PROHIBITED "
    "without write access."
)
_STATUS: dict[str, Any] = {
    "type": "object",
    "properties": {"status": {"type": "boolean", "const": True}},
    "required": ["status"],
}
_ERRORS = (*BACKEND_ERRORS, 400, 403, 404, 413, 422)

SCHEMAS: dict[str, dict[str, Any]] = {
    "KnowledgeDirectory": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "knowledge_id": {"type": "string"},
            "parent_id": {"type": ["string", "null"], "description": "null: the root"},
            "name": {"type": "string"},
            "user_id": {"type": "string"},
            "created_at": _TIMESTAMP,
            "updated_at": _TIMESTAMP,
        },
        "required": ["id", "knowledge_id", "parent_id", "name", "user_id", "created_at", "updated_at"],
    },
    "KnowledgeSyncDiff": {
        "type": "object",
        "properties": {
            "added": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"filename": {"type": "string"}, "path": {"type": "string"}},
                },
            },
            "modified": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "filename": {"type": "string"},
                        "path": {"type": "string"},
                        "stale_file_id": {"type": "string"},
                    },
                },
            },
            "deleted": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"file_id": {"type": "string"}, "filename": {"type": "string"}},
                },
            },
            "mkdir": {"type": "array", "items": {"type": "string"}, "description": "Paths, parents first"},
            "rmdir": {"type": "array", "items": {"type": "string"}, "description": "Directory ids"},
            "unmodified_count": {"type": "integer"},
            "directory_map": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Each existing directory's path and id",
            },
        },
        "required": ["added", "modified", "deleted", "mkdir", "rmdir", "unmodified_count", "directory_map"],
    },
    **form_schemas(DirectoryCreateForm, DirectoryUpdateForm, FileMoveForm, SyncDiffForm, SyncCleanupForm),
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/knowledge/{knowledge_id}/dirs/create": {
        "post": operation(
            "Create a directory in a knowledge base",
            tag=_TAG,
            description=f"{_WRITE_ACCESS} 400 when the name is taken at that level or the parent is not "
            "a directory of this base.",
            ok=ref("KnowledgeDirectory"),
            body=form_ref(DirectoryCreateForm),
            parameters=[_KNOWLEDGE_ID],
            errors=_ERRORS,
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/dirs/{dir_id}/update": {
        "post": operation(
            "Rename a directory and/or move it (`parent_id: null` moves it to the root)",
            tag=_TAG,
            description=f"{_WRITE_ACCESS} 404 for a directory of another base; 400 for a move into "
            "itself or a descendant, or a name taken at the new level.",
            ok=ref("KnowledgeDirectory"),
            body=form_ref(DirectoryUpdateForm),
            parameters=[_KNOWLEDGE_ID, _DIR_ID],
            errors=_ERRORS,
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/dirs/{dir_id}/delete": {
        "delete": operation(
            "Delete a directory and everything under it",
            tag=_TAG,
            description=f"{_WRITE_ACCESS} With `move_files=true` (the default) the files move to the "
            "deleted directory's parent, otherwise they leave the base (the files themselves are kept).",
            ok=_STATUS,
            parameters=[
                _KNOWLEDGE_ID,
                _DIR_ID,
                query_param("move_files", {"type": "boolean", "default": True}, "Keep the files in the base"),
            ],
            errors=(*BACKEND_ERRORS, 403, 404, 422),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/file/move": {
        "post": operation(
            "Put a file of the base into a directory (`directory_id: null`: the root)",
            tag=_TAG,
            description=f"{_WRITE_ACCESS} 404 when the file is not in the base or the directory not of it.",
            ok=_STATUS,
            body=form_ref(FileMoveForm),
            parameters=[_KNOWLEDGE_ID],
            errors=_ERRORS,
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/sync/diff": {
        "post": operation(
            "Compare a local folder's manifest with the base",
            tag=_TAG,
            description=f"{_WRITE_ACCESS} Files are matched by (path, filename) and compared by the "
            "sha256 of their bytes; a file uploaded for the base in the last hour and still processing "
            "counts as unmodified. More entries than KNOWLEDGE_SYNC_MAX_ENTRIES is 400.",
            ok=ref("KnowledgeSyncDiff"),
            body=form_ref(SyncDiffForm),
            parameters=[_KNOWLEDGE_ID],
            errors=_ERRORS,
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/sync/cleanup": {
        "post": operation(
            "Remove files and directories a sync found gone",
            tag=_TAG,
            description=f"{_WRITE_ACCESS} Each listed file of the base leaves it (and its index); a file "
            "no other base links is deleted when the caller owns it or is an admin. Listed directories "
            "of the base are removed with their subtrees.",
            ok=_STATUS,
            body=form_ref(SyncCleanupForm),
            parameters=[_KNOWLEDGE_ID],
            errors=_ERRORS,
        ),
    },
}
