"""``/api/v1/groups/*`` and the group and permission routes of ``/api/v1/users``."""

from services.gateway.forms.groups import GroupForm, PermissionsForm, UserIdsForm
from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    operation,
    path_param,
    query_param,
    ref,
)
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "groups"
_USERS_TAG = "users"
_NULLABLE_OBJECT = {"type": ["object", "null"]}
_NULLABLE_STRING = {"type": ["string", "null"]}
_TREE = {
    "type": "object",
    "additionalProperties": {"type": "object", "additionalProperties": {"type": "boolean"}},
}
_GROUP_REF = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
_GROUP_PROPERTIES = {
    "parent_group_id": _NULLABLE_STRING,
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "data": _NULLABLE_OBJECT,
    "meta": _NULLABLE_OBJECT,
    "permissions": _NULLABLE_OBJECT,
    "created_at": {"type": "integer"},
    "updated_at": {"type": "integer"},
    "member_count": {"type": "integer"},
}
_USER_INFO_PROPERTIES = {
    "status_emoji": {},
    "status_message": {},
    "status_expires_at": {},
    "id": {"type": "string"},
    "name": {"type": "string"},
    "email": {"type": "string"},
    "role": {"type": "string", "enum": ["pending", "user", "admin"]},
    "bio": {},
    "last_active_at": {"type": "integer"},
    "timezone": {},
    "groups": {"type": "array", "items": _GROUP_REF},
    "is_active": {"type": "boolean"},
}
_LISTING = {
    "type": "object",
    "properties": {"items": {"type": "array"}, "total": {"type": "integer"}},
    "required": ["items", "total"],
}

SCHEMAS = {
    "Group": {"type": "object", "properties": _GROUP_PROPERTIES, "required": list(_GROUP_PROPERTIES)},
    "GroupInfo": {
        "type": "object",
        "properties": {
            k: _GROUP_PROPERTIES[k]
            for k in (
                "parent_group_id",
                "id",
                "user_id",
                "name",
                "description",
                "member_count",
                "created_at",
                "updated_at",
            )
        },
        "required": ["id", "name", "member_count"],
    },
    "GroupExport": {
        "type": "object",
        "properties": {**_GROUP_PROPERTIES, "user_ids": {"type": "array", "items": {"type": "string"}}},
        "required": [*_GROUP_PROPERTIES, "user_ids"],
    },
    "UserInfo": {
        "type": "object",
        "properties": _USER_INFO_PROPERTIES,
        "required": list(_USER_INFO_PROPERTIES),
    },
    "GroupMembers": {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        **_USER_INFO_PROPERTIES,
                        "membership_type": {"type": "string", "enum": ["direct", "inherited"]},
                        "via_group_ids": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": [*_USER_INFO_PROPERTIES, "membership_type", "via_group_ids"],
                },
            },
            "total": {"type": "integer"},
            "counts": {
                "type": "object",
                "properties": {k: {"type": "integer"} for k in ("direct", "effective", "inherited")},
                "required": ["direct", "effective", "inherited"],
            },
        },
        "required": ["items", "total", "counts"],
    },
    "GroupPreview": {
        "type": "object",
        "properties": {
            "group": _GROUP_REF,
            "default_models": {
                "type": "object",
                "properties": {
                    "local": {"type": "array", "items": {"type": "string"}},
                    "effective": {"type": "array", "items": {"type": "string"}},
                    "source_group_id": _NULLABLE_STRING,
                },
                "required": ["local", "effective", "source_group_id"],
            },
            "models": _LISTING,
            "knowledge": _LISTING,
            "tools": _LISTING,
            "permissions": ANY_OBJECT,
            "inherited_permissions": ANY_OBJECT,
            "effective_permissions": _TREE,
        },
        "required": [
            "group",
            "default_models",
            "models",
            "knowledge",
            "tools",
            "permissions",
            "inherited_permissions",
            "effective_permissions",
        ],
    },
    "PermissionTree": _TREE,
    **form_schemas(GroupForm, UserIdsForm, PermissionsForm),
}

_ID = path_param("id", "A group's id")
_USER_ID = path_param("user_id", "A user's id")
_GROUPS = {"type": "array", "items": ref("Group")}
_ADMIN_ERRORS = (400, 404, *BACKEND_ERRORS)

PATHS = {
    "/api/v1/groups/": {
        "get": operation(
            "Groups: every group for an admin, the caller's own for a user",
            tag=_TAG,
            parameters=[
                query_param("share", {"type": "boolean"}, "Only groups the caller may (not) share to")
            ],
            ok=_GROUPS,
            errors=(422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/groups/create": {
        "post": operation(
            "Create a group (admin); a parent that does not exist is a 400",
            tag=_TAG,
            body=form_ref(GroupForm),
            ok=ref("Group"),
            errors=(400, 413, 422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/groups/id/{id}": {
        "get": operation("A group (admin)", tag=_TAG, parameters=[_ID], ok=ref("Group"), errors=_ADMIN_ERRORS)
    },
    "/api/v1/groups/id/{id}/info": {
        "get": operation(
            "A group's public fields (any verified user)",
            tag=_TAG,
            parameters=[_ID],
            ok=ref("GroupInfo"),
            errors=_ADMIN_ERRORS,
        )
    },
    "/api/v1/groups/id/{id}/export": {
        "get": operation(
            "A group and its direct members' ids (admin)",
            tag=_TAG,
            parameters=[_ID],
            ok=ref("GroupExport"),
            errors=_ADMIN_ERRORS,
        )
    },
    "/api/v1/groups/id/{id}/users": {
        "post": operation(
            "A group's direct members (admin)",
            tag=_TAG,
            parameters=[_ID],
            ok={"type": "array", "items": ref("UserInfo")},
            errors=_ADMIN_ERRORS,
        )
    },
    "/api/v1/groups/id/{id}/members": {
        "get": operation(
            "A group's members, 30 a page: direct, inherited (through subgroups) or both (admin)",
            tag=_TAG,
            parameters=[
                _ID,
                query_param(
                    "membership",
                    {"type": "string", "enum": ["effective", "direct", "inherited"], "default": "effective"},
                ),
                query_param("query", {"type": "string"}, "Matches name or email"),
                query_param("page", {"type": "integer", "default": 1}),
            ],
            ok=ref("GroupMembers"),
            errors=(400, 404, 422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/groups/id/{id}/update": {
        "post": operation(
            "Replace a group's fields (admin); a parent that would make a cycle is a 400",
            tag=_TAG,
            parameters=[_ID],
            body=form_ref(GroupForm),
            ok=ref("Group"),
            errors=(400, 404, 413, 422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/groups/id/{id}/users/add": {
        "post": operation(
            "Add users to a group; unknown ids are dropped (admin)",
            tag=_TAG,
            parameters=[_ID],
            body=form_ref(UserIdsForm),
            ok=ref("Group"),
            errors=(400, 404, 413, 422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/groups/id/{id}/users/remove": {
        "post": operation(
            "Remove users from a group (admin)",
            tag=_TAG,
            parameters=[_ID],
            body=form_ref(UserIdsForm),
            ok=ref("Group"),
            errors=(400, 404, 413, 422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/groups/id/{id}/delete": {
        "delete": operation(
            "Delete a group; its subgroups move to its parent (admin)",
            tag=_TAG,
            parameters=[_ID],
            ok={"type": "boolean"},
            errors=_ADMIN_ERRORS,
        )
    },
    "/api/v1/groups/id/{id}/preview": {
        "get": operation(
            "What a member gets from a group: default models and permission trees (admin)",
            tag=_TAG,
            parameters=[_ID],
            ok=ref("GroupPreview"),
            errors=_ADMIN_ERRORS,
        )
    },
    "/api/v1/users/groups": {
        "get": operation(
            "The caller's groups (with include_inherited, the groups above them too)",
            tag=_USERS_TAG,
            parameters=[query_param("include_inherited", {"type": "boolean", "default": False})],
            ok=_GROUPS,
            errors=(422, *BACKEND_ERRORS),
        )
    },
    "/api/v1/users/permissions": {
        "get": operation(
            "The caller's effective permission tree (defaults OR'd with its groups')",
            tag=_USERS_TAG,
            ok=ref("PermissionTree"),
            errors=BACKEND_ERRORS,
        )
    },
    "/api/v1/users/default/permissions": {
        "get": operation(
            "The stored default permission tree (admin)",
            tag=_USERS_TAG,
            ok=ref("PermissionTree"),
            errors=BACKEND_ERRORS,
        ),
        "post": operation(
            "Store the default permission tree; all six sections are required (admin)",
            tag=_USERS_TAG,
            body=form_ref(PermissionsForm),
            ok=ref("PermissionTree"),
            errors=(400, 413, 422, *BACKEND_ERRORS),
        ),
    },
    "/api/v1/users/default/permissions/defaults": {
        "get": operation(
            "This deployment's built-in default permission tree (admin)",
            tag=_USERS_TAG,
            ok=ref("PermissionTree"),
            errors=BACKEND_ERRORS,
        )
    },
    "/api/v1/users/{user_id}/groups": {
        "get": operation(
            "A user's direct groups (admin)",
            tag=_USERS_TAG,
            parameters=[_USER_ID],
            ok=_GROUPS,
            errors=(400, 404, *BACKEND_ERRORS),
        )
    },
    "/api/v1/users/{user_id}/info": {
        "get": operation(
            "A user's public info and direct groups (any verified user)",
            tag=_USERS_TAG,
            parameters=[_USER_ID],
            ok=ref("UserInfo"),
            errors=(400, *BACKEND_ERRORS),
        )
    },
    "/api/v1/users/{user_id}/active": {
        "get": operation(
            "Whether a user was active within the last 180 s",
            tag=_USERS_TAG,
            parameters=[_USER_ID],
            ok={
                "type": "object",
                "properties": {"active": {"type": "boolean"}},
                "required": ["active"],
            },
            errors=(400, *BACKEND_ERRORS),
        )
    },
}
