"""``/api/v1/folders/*``: the caller's chat folders."""

from services.gateway.forms.folders import (
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
    "access_grants": {"type": "array", "items": {"type": "object"}},
    "write_access": {"type": "boolean"},
}


def _object(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


SCHEMAS = {
    **form_schemas(FolderForm, FolderUpdateForm, FolderParentIdForm, FolderIsExpandedForm),
    "FolderModel": _object(_FOLDER_PROPERTIES),
    "FolderListItem": _object(_LIST_ITEM_PROPERTIES),
    "FolderDetail": _object(_DETAIL_PROPERTIES),
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
    "/api/v1/folders/{id}": {
        "get": _op("An own folder", parameters=[_ID], ok=ref("FolderDetail")),
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
}
