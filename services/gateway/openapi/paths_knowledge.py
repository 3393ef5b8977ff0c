"""OpenAPI paths of ``/api/v1/knowledge``: collections of files, their files and access grants."""

from typing import Any

from services.gateway.forms.knowledge import FileIdForm, FileIdList, KnowledgeAccessForm, KnowledgeForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas
from services.gateway.openapi.paths_files import with_links

_TAG = "knowledge"
_KNOWLEDGE_ID = path_param("knowledge_id", "The collection's id")
_PAGE = query_param("page", {"type": "integer", "default": 1}, "1-based page number")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_STATUS_NAMES = ["pending", "processing", "completed", "failed", "cancelled"]

_MODEL_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "meta": {"type": ["object", "null"], "additionalProperties": True},
    "access_grants": {"type": "array", "items": ref("KnowledgeAccessGrant")},
    "created_at": _TIMESTAMP,
    "updated_at": _TIMESTAMP,
}
_MODEL_REQUIRED = [
    "id",
    "user_id",
    "name",
    "description",
    "meta",
    "access_grants",
    "created_at",
    "updated_at",
]


def _model(description: str, extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {**_MODEL_PROPERTIES, **extra},
        "required": [*_MODEL_REQUIRED, *required],
        "additionalProperties": True,
    }


_NULL_FILES: dict[str, Any] = {"type": "null", "description": "Not listed here"}
_USER_REF: dict[str, Any] = {"anyOf": [ref("KnowledgeUserRef"), {"type": "null"}]}

SCHEMAS: dict[str, dict[str, Any]] = {
    "KnowledgeAccessGrant": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "resource_type": {"type": "string"},
            "resource_id": {"type": "string"},
            "principal_type": {"type": "string", "enum": ["user", "group"]},
            "principal_id": {"type": "string", "description": "A user or group id, or `*` for every user"},
            "permission": {"type": "string", "enum": ["read", "write"]},
            "created_at": _TIMESTAMP,
        },
        "additionalProperties": True,
    },
    "KnowledgeUserRef": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string"},
            "email": {"type": "string"},
        },
        "required": ["id", "name", "role", "email"],
    },
    **form_schemas(KnowledgeForm, KnowledgeAccessForm, FileIdForm, FileIdList),
    "KnowledgeResponse": _model(
        "The collection (create, reset): `files` is null", {"files": _NULL_FILES}, ["files"]
    ),
    "KnowledgeDetail": _model(
        "The collection and whether the caller may change it (`files` is null: see `/files`)",
        {"files": _NULL_FILES, "write_access": {"type": "boolean"}},
        ["files", "write_access"],
    ),
    "KnowledgeFileMetadata": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "hash": {"type": ["string", "null"]},
            "meta": {"type": "object", "additionalProperties": True},
            "created_at": _TIMESTAMP,
            "updated_at": _TIMESTAMP,
            "data": {
                "type": "object",
                "properties": {"status": {"type": "string", "enum": _STATUS_NAMES}},
                "additionalProperties": True,
            },
        },
        "required": ["id", "hash", "meta", "created_at", "updated_at"],
        "additionalProperties": True,
    },
    "KnowledgeFilesResponse": _model(
        "The collection with all its files",
        {
            "files": {"type": "array", "items": ref("KnowledgeFileMetadata")},
            "write_access": {"type": "boolean"},
        },
        ["files", "write_access"],
    ),
    "KnowledgeListItem": _model(
        "A collection the caller may read, its owner, file count and write access",
        {
            "user": _USER_REF,
            "file_count": {"type": "integer"},
            "write_access": {"type": "boolean"},
        },
        ["user", "file_count", "write_access"],
    ),
    "KnowledgeList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref("KnowledgeListItem")},
            "total": {"type": "integer"},
        },
        "required": ["items", "total"],
    },
    "KnowledgeFileItem": {
        "type": "object",
        "description": "A file of the collection; `data` is null unless `include_content=true`",
        "properties": {
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "hash": {"type": ["string", "null"]},
            "filename": {"type": "string"},
            "data": {"anyOf": [ref("FileData"), {"type": "null"}]},
            "meta": ref("FileMeta"),
            "created_at": _TIMESTAMP,
            "updated_at": _TIMESTAMP,
            "directory_id": {"type": ["string", "null"]},
            "directory_path": {"type": "string"},
            "has_original": {"type": "boolean"},
            "user": _USER_REF,
        },
        "required": [
            "id",
            "user_id",
            "hash",
            "filename",
            "data",
            "meta",
            "created_at",
            "updated_at",
            "directory_id",
            "directory_path",
            "has_original",
            "user",
        ],
        "additionalProperties": True,
    },
    "KnowledgeFileList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref("KnowledgeFileItem")},
            "directories": {
                "type": "array",
                "items": ref("KnowledgeDirectory"),
                "description": "Folder view: the folder's subdirectories",
            },
            "breadcrumbs": {
                "type": "array",
                "items": ref("KnowledgeDirectory"),
                "description": "Folder view: the directories from the root down to the folder",
            },
            "total": {"type": "integer"},
        },
        "required": ["items", "directories", "breadcrumbs", "total"],
    },
}

_FORM = form_ref(KnowledgeForm)
_FILE_ID_FORM = form_ref(FileIdForm)


def _file_change(summary: str, body: dict[str, Any], extra: list[dict[str, Any]] | None = None) -> dict:
    return operation(
        summary,
        tag=_TAG,
        ok=ref("KnowledgeFilesResponse"),
        body=body,
        parameters=[_KNOWLEDGE_ID, *(extra or [])],
        errors=(*BACKEND_ERRORS, 400, 403, 413, 422),
    )


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/knowledge/": {
        "get": operation(
            "List the collections the caller may read, 30 a page",
            tag=_TAG,
            ok=ref("KnowledgeList"),
            parameters=[_PAGE],
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/knowledge/create": {
        "post": with_links(
            operation(
                "Create a collection (admins, or users with the workspace.knowledge permission)",
                tag=_TAG,
                ok=ref("KnowledgeResponse"),
                body=_FORM,
                errors=(*BACKEND_ERRORS, 400, 413, 422),
            ),
            "knowledge_id",
            {
                "GetKnowledge": ("/api/v1/knowledge/{knowledge_id}", "get"),
                "ListKnowledgeFiles": ("/api/v1/knowledge/{knowledge_id}/files", "get"),
                "UpdateKnowledge": ("/api/v1/knowledge/{knowledge_id}/update", "post"),
                "AddKnowledgeFile": ("/api/v1/knowledge/{knowledge_id}/file/add", "post"),
                "ResetKnowledge": ("/api/v1/knowledge/{knowledge_id}/reset", "post"),
                "DeleteKnowledge": ("/api/v1/knowledge/{knowledge_id}/delete", "delete"),
            },
        ),
    },
    "/api/v1/knowledge/{knowledge_id}": {
        "get": operation(
            "Get a collection",
            tag=_TAG,
            description="404 when it does not exist, 401 when the caller may not read it.",
            ok=ref("KnowledgeDetail"),
            parameters=[_KNOWLEDGE_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/files": {
        "get": operation(
            "List a collection's files, 30 a page",
            tag=_TAG,
            ok=ref("KnowledgeFileList"),
            parameters=[
                _KNOWLEDGE_ID,
                _PAGE,
                query_param(
                    "include_content", {"type": "boolean", "default": False}, "Include each file's `data`"
                ),
                query_param(
                    "directory_id",
                    {"type": "string"},
                    "Folder view: only the files directly in this directory (empty: the root), with its "
                    "subdirectories and breadcrumbs; 400 NOT_FOUND for a directory not of the collection",
                ),
            ],
            errors=(*BACKEND_ERRORS, 400, 422),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/update": {
        "post": operation(
            "Rename a collection, change its description or replace its grants",
            tag=_TAG,
            ok=ref("KnowledgeFilesResponse"),
            body=_FORM,
            parameters=[_KNOWLEDGE_ID],
            errors=(*BACKEND_ERRORS, 400, 413, 422),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/access/update": {
        "post": operation(
            "Replace a collection's access grants",
            tag=_TAG,
            description="Owner, write grant or admin. 404 when it does not exist, 400 ACCESS_PROHIBITED "
            "for a caller who may not change it, 403 when a grant names an audience the caller may not "
            "share with (§6.2), 400 when a grant names a group that does not exist.",
            ok=ref("KnowledgeFilesResponse"),
            body=form_ref(KnowledgeAccessForm),
            parameters=[_KNOWLEDGE_ID],
            errors=(*BACKEND_ERRORS, 400, 403, 404, 413, 422),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/file/add": {
        "post": _file_change("Add a processed file to a collection (embeds its chunks there)", _FILE_ID_FORM),
    },
    "/api/v1/knowledge/{knowledge_id}/files/batch/add": {
        "post": _file_change(
            "Add several processed files to a collection",
            form_ref(FileIdList),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/file/update": {
        "post": _file_change("Re-index a file of the collection", _FILE_ID_FORM),
    },
    "/api/v1/knowledge/{knowledge_id}/file/remove": {
        "post": _file_change(
            "Take a file out of a collection",
            _FILE_ID_FORM,
            [
                query_param(
                    "delete_file",
                    {"type": "boolean", "default": True},
                    "Also delete the file itself (when the caller owns it or is an admin)",
                )
            ],
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/delete": {
        "delete": operation(
            "Delete a collection (its files are kept)",
            tag=_TAG,
            ok={"type": "boolean", "const": True},
            parameters=[_KNOWLEDGE_ID],
            errors=(*BACKEND_ERRORS, 400),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/reset": {
        "post": operation(
            "Take every file out of a collection and drop its vectors",
            tag=_TAG,
            ok=ref("KnowledgeResponse"),
            parameters=[
                _KNOWLEDGE_ID,
                query_param(
                    "include_directories",
                    {"type": "boolean", "default": True},
                    "Delete the collection's directories too",
                ),
            ],
            errors=(*BACKEND_ERRORS, 400, 422),
        ),
    },
}
