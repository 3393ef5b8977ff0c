"""``/api/v1/users/*``: admin user management."""

from services.gateway.forms.users import UserUpdateForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "users"

_USER_PROPERTIES = {
    "id": {"type": "string"},
    "email": {"type": "string"},
    "username": {"type": ["string", "null"]},
    "role": {"type": "string", "enum": ["pending", "user", "admin"]},
    "name": {"type": "string"},
    "profile_image_url": {"type": "string"},
    **{
        k: {}
        for k in (
            "bio",
            "gender",
            "date_of_birth",
            "timezone",
            "presence_state",
            "status_emoji",
            "status_message",
            "status_expires_at",
            "info",
            "settings",
            "oauth",
            "scim",
        )
    },
    "last_active_at": {"type": "integer"},
    "updated_at": {"type": "integer"},
    "created_at": {"type": "integer"},
}
_REQUIRED = ["id", "email", "role", "name", "profile_image_url", "last_active_at", "updated_at", "created_at"]

SCHEMAS = {
    "User": {"type": "object", "properties": _USER_PROPERTIES, "required": _REQUIRED},
    "UserListItem": {
        "type": "object",
        "properties": {**_USER_PROPERTIES, "group_ids": {"type": "array", "items": {"type": "string"}}},
        "required": [*_REQUIRED, "group_ids"],
    },
    # §7.1: the row, plus the direct groups and whether the user was seen within 180 s.
    "UserDetail": {
        "type": "object",
        "properties": {
            **_USER_PROPERTIES,
            "profile_banner_image_url": {},
            "groups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                    "required": ["id", "name"],
                },
            },
            "is_active": {"type": "boolean"},
        },
        "required": [*_REQUIRED, "groups", "is_active"],
    },
    "UserList": {
        "type": "object",
        "properties": {
            "users": {"type": "array", "items": ref("UserListItem")},
            "total": {"type": "integer"},
        },
        "required": ["users", "total"],
    },
    **form_schemas(UserUpdateForm),
}

_USER_ID = path_param("user_id", "A user's id")

PATHS = {
    "/api/v1/users/": {
        "get": operation(
            "List users, 30 a page (admin)",
            tag=_TAG,
            parameters=[
                query_param("query", {"type": "string"}, "Matches name or email"),
                query_param("order_by", {"type": "string", "default": "created_at"}),
                query_param("direction", {"type": "string", "enum": ["asc", "desc"], "default": "asc"}),
                query_param("page", {"type": "integer", "default": 1}),
            ],
            ok=ref("UserList"),
            errors=(400, 422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/users/{user_id}": {
        "get": operation(
            "A user (admin)",
            tag=_TAG,
            parameters=[_USER_ID],
            ok=ref("UserDetail"),
            errors=(400, 404, *BACKEND_ERRORS),
        ),
        "delete": operation(
            "Delete a user (admin; not oneself, not the first admin)",
            tag=_TAG,
            parameters=[_USER_ID],
            ok={"type": "boolean"},
            errors=(400, 403, 404, *BACKEND_ERRORS),
        ),
    },
    "/api/v1/users/{user_id}/update": {
        "post": operation(
            "Update a user's role, name, email, image or password (admin)",
            tag=_TAG,
            parameters=[_USER_ID],
            body=form_ref(UserUpdateForm),
            ok=ref("User"),
            errors=(400, 403, 404, 409, 413, 422, *BACKEND_ERRORS),
        )
    },
}
