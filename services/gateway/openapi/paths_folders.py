"""``/api/v1/folders/*``: the caller's chat folders."""

from services.gateway.forms.folders import (
    FolderAccessGrantsForm,
    FolderForm,
    FolderIsExpandedForm,
    FolderParentIdForm,
    FolderUpdateForm,
)
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "folders"
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_OBJECT = {"type": ["object", "null"]}
_FOLDER_PROPERTIES = {
    "id": {"type": "string"},
    "parent_id": _NULLABLE_STRING,
    "user_id": {"type": "string"},
    "name": {"type": "string"},
    "items": {},
    "meta": _NULLABLE_OBJECT,
    "data": _NULLABLE_OBJECT,
    "is_expanded": {"type": "boolean"},
    "created_at": {"type": "integer"},
    "updated_at": {"type": "integer"},
}
_LIST_ITEM_PROPERTIES = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "meta": _NULLABLE_OBJECT,
    "parent_id": _NULLABLE_STRING,
    "is_expanded": {"type": "boolean"},
    "unread_count": {"type": "integer"},
    "created_at": {"type": "integer"},
    "updated_at": {"type": "integer"},
}
_DETAIL_PROPERTIES = {
    **_FOLDER_PROPERTIES,
    "access_grants": {"type": "array", "items": ref("FolderAccessGrant")},
    "write_access": {"type": "boolean"},
}


_GRANT_PROPERTIES = {
    "id": {"type": "string"},
    "resource_type": {"type": "string", "enum": ["folder"]},
    "resource_id": {"type": "string"},
    "principal_type": {"type": "string", "enum": ["user", "group"]},
    "principal_id": {"type": "string"},
    "permission": {"type": "string", "enum": ["read", "write"]},
    "created_at": {"type": "integer"},
}
_PERMISSION = {"type": "string", "enum": ["read", "write"]}
_PERSON = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
_SHARED_CHAT_PROPERTIES = {
    "id": {"type": "string"},
    "title": {"type": "string"},
    "updated_at": {"type": "integer"},
    "created_at": {"type": "integer"},
    "last_read_at": {"type": ["integer", "null"]},
    "user_id": {"type": "string"},
    "owner_name": {"type": "string"},
    "participants": {"type": "array", "items": _PERSON},
    "active": {"type": "boolean"},
    "readonly": {"type": "boolean"},
}


def _object(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


SCHEMAS = {
    **form_schemas(
        FolderForm, FolderUpdateForm, FolderParentIdForm, FolderIsExpandedForm, FolderAccessGrantsForm
    ),
    "FolderModel": _object(_FOLDER_PROPERTIES),
    "FolderListItem": _object(_LIST_ITEM_PROPERTIES),
    "FolderDetail": _object(_DETAIL_PROPERTIES),
    "FolderAccessGrant": _object(_GRANT_PROPERTIES),
    "FolderWithGrants": _object(
        {**_FOLDER_PROPERTIES, "access_grants": {"type": "array", "items": ref("FolderAccessGrant")}}
    ),
    "SharedFolder": _object(
        {**_FOLDER_PROPERTIES, "owner_name": {"type": "string"}, "permission": _PERMISSION}
    ),
    "SharedFolderChat": _object(_SHARED_CHAT_PROPERTIES),
    "SharedFolderChats": {
        "type": "object",
        "properties": {
            "chats": {"type": "array", "items": ref("SharedFolderChat")},
            "folder_permission": _PERMISSION,
            # Paged requests only.
            "total": {"type": "integer"},
            "has_more": {"type": "boolean"},
        },
        "required": ["chats", "folder_permission"],
    },
    "FolderRead": _object(
        {
            "folder_id": {"type": "string"},
            "folder_ids": {"type": "array", "items": {"type": "string"}},
            "updated_count": {"type": "integer"},
            "folder_unread_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        }
    ),
}
_ERRORS = (400, 403, 404, 413, 422, *BACKEND_ERRORS)
_FOLDER = ref("FolderModel")
_ID = path_param("id", "The folder's id")


def _op(summary: str, **kwargs: object) -> dict:
    return operation(summary, tag=_TAG, errors=_ERRORS, **kwargs)


PATHS = {
    "/api/v1/folders/": {
        "get": _op("Own folders", ok={"type": "array", "items": ref("FolderListItem")}),
        "post": _op("Create a folder", body=form_ref(FolderForm), ok=_FOLDER),
    },
    "/api/v1/folders/shared": {
        "get": _op(
            "Folders shared with or by the caller, and the folders below them",
            ok={"type": "array", "items": ref("SharedFolder")},
        )
    },
    "/api/v1/folders/{id}": {
        "get": _op(
            "An own folder or one shared with the caller, with its grants",
            parameters=[_ID],
            ok=ref("FolderDetail"),
        ),
        "delete": _op(
            "Delete a folder and its subfolders",
            parameters=[
                _ID,
                query_param(
                    "delete_contents",
                    {"type": "boolean", "default": True},
                    "True: delete their chats; false: move them to the root",
                ),
            ],
            ok={"type": "boolean"},
        ),
    },
    "/api/v1/folders/{id}/update": {
        "post": _op(
            "Rename a folder; merge into its data and meta",
            parameters=[_ID],
            body=form_ref(FolderUpdateForm),
            ok=_FOLDER,
        )
    },
    "/api/v1/folders/{id}/update/parent": {
        "post": _op(
            "Move a folder (null: the root)", parameters=[_ID], body=form_ref(FolderParentIdForm), ok=_FOLDER
        )
    },
    "/api/v1/folders/{id}/update/expanded": {
        "post": _op(
            "Show a folder expanded or not", parameters=[_ID], body=form_ref(FolderIsExpandedForm), ok=_FOLDER
        )
    },
    "/api/v1/folders/{id}/access/update": {
        "post": _op(
            "Replace a folder's access grants (owner or admin)",
            description=(
                "Only admins may share folders (`sharing.folders` is off by default), and never with "
                "`user:*` or `anyone:*`: any such grant refuses the request (403)."
            ),
            parameters=[_ID],
            body=form_ref(FolderAccessGrantsForm),
            ok=ref("FolderWithGrants"),
        )
    },
    "/api/v1/folders/{id}/shared/chats": {
        "get": _op(
            "The chats in a folder the caller may read, whoever owns them",
            parameters=[
                _ID,
                query_param("page", {"type": "integer", "minimum": 1}, "10 a page; absent: the first 60"),
                query_param(
                    "sort_by",
                    {"type": "string", "enum": ["updated_at", "title", "unread_updated_at"]},
                    "Sort key (default `unread_updated_at`)",
                ),
                query_param("sort_dir", {"type": "string", "enum": ["asc", "desc"]}, "Default `desc`"),
            ],
            ok=ref("SharedFolderChats"),
        )
    },
    "/api/v1/folders/{id}/read": {
        "post": _op(
            "Mark the caller's chats in a folder and the folders below it read",
            parameters=[_ID],
            ok=ref("FolderRead"),
        )
    },
}
