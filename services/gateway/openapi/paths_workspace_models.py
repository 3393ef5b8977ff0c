"""``/api/v1/models/*``: workspace models (presets over a base model, and overrides of one)."""

from services.gateway.forms.workspace_models import ModelAccessForm, ModelForm, ModelIdForm
from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    operation,
    query_param,
    ref,
)
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "workspace models"

_ROW_PROPERTIES = {
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "base_model_id": {"type": ["string", "null"]},
    "name": {"type": "string"},
    "params": ANY_OBJECT,
    "meta": ANY_OBJECT,
    "access_grants": {"type": "array", "items": ANY_OBJECT},
    "is_active": {"type": "boolean"},
    "updated_at": {"type": "integer"},
    "created_at": {"type": "integer"},
}

SCHEMAS = {
    **form_schemas(ModelForm, ModelIdForm, ModelAccessForm),
    "WorkspaceModel": {
        "type": "object",
        "properties": _ROW_PROPERTIES,
        "required": list(_ROW_PROPERTIES),
        "additionalProperties": True,
    },
    "WorkspaceModelPage": {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        **_ROW_PROPERTIES,
                        "user": {"type": ["object", "null"]},
                        "write_access": {"type": "boolean"},
                    },
                    "required": [*_ROW_PROPERTIES, "user"],
                    "additionalProperties": True,
                },
            },
            "total": {"type": "integer"},
        },
        "required": ["items", "total"],
    },
}

_ID = query_param("id", {"type": "string"}, "The model's id (ids may hold `/`)", required=True)
_ERRORS = (400, 403, 404, 409, 413, 422, *BACKEND_ERRORS)

PATHS = {
    "/api/v1/models/list": {
        "get": operation(
            "Workspace presets the caller may see, 30 a page",
            tag=_TAG,
            parameters=[query_param("query", {"type": "string"}), query_param("page", {"type": "integer"})],
            ok=ref("WorkspaceModelPage"),
            errors=_ERRORS,
        )
    },
    "/api/v1/models/create": {
        "post": operation(
            "Create a workspace model",
            tag=_TAG,
            body=form_ref(ModelForm),
            ok=ref("WorkspaceModel"),
            errors=_ERRORS,
        )
    },
    "/api/v1/models/model": {
        "get": operation(
            "A workspace model", tag=_TAG, parameters=[_ID], ok=ref("WorkspaceModel"), errors=_ERRORS
        )
    },
    "/api/v1/models/model/update": {
        "post": operation(
            "Update a workspace model (the body's `id` names it)",
            tag=_TAG,
            body=form_ref(ModelForm),
            ok=ref("WorkspaceModel"),
            errors=_ERRORS,
        )
    },
    "/api/v1/models/model/access/update": {
        "post": operation(
            "Replace a workspace model's access grants",
            tag=_TAG,
            description="Owner, write grant or admin (a non-writer: 400 ACCESS_PROHIBITED). For a raw "
            "backend model without a row an admin's call creates a minimal one; anyone else's is 403. "
            "403 when a grant names an audience the caller may not share with (§6.2), 400 when it names "
            "a group that does not exist.",
            body=form_ref(ModelAccessForm),
            ok=ref("WorkspaceModel"),
            errors=_ERRORS,
        )
    },
    "/api/v1/models/model/toggle": {
        "post": operation(
            "Toggle a workspace model's is_active",
            tag=_TAG,
            parameters=[_ID],
            ok=ref("WorkspaceModel"),
            errors=_ERRORS,
        )
    },
    "/api/v1/models/model/delete": {
        "post": operation(
            "Delete a workspace model",
            tag=_TAG,
            body=form_ref(ModelIdForm),
            ok={"type": "boolean"},
            errors=_ERRORS,
        )
    },
}
