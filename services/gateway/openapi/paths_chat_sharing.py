"""``/api/v1/chats/*`` share routes: share snapshots, their access grants, cloning one."""

from services.gateway.forms.chat_sharing import AccessGrantsForm, ShareForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "chats"


def _object(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


SCHEMAS = {
    **form_schemas(ShareForm, AccessGrantsForm),
    "SharedChatResponse": _object(
        {
            "id": {"type": "string"},
            "chat_id": {"type": "string"},
            "title": {"type": "string"},
            "share_id": {"type": ["string", "null"]},
            "updated_at": {"type": "integer"},
            "created_at": {"type": "integer"},
        }
    ),
    "ChatAccessGrant": _object(
        {
            "id": {"type": "string"},
            "principal_type": {"enum": ["user", "group", "anyone"]},
            "principal_id": {"type": "string"},
            "permission": {"enum": ["read", "write"]},
        }
    ),
}
_ERRORS = (400, 403, 404, 413, 422, *BACKEND_ERRORS)
# Defined by paths_chats.
_CHAT = ref("ChatResponse")
_ID = path_param("id", "The chat's id")
_CHAT_ID = path_param("chat_id", "The chat's id")


def _op(summary: str, **kwargs: object) -> dict:
    return operation(summary, tag=_TAG, errors=_ERRORS, **kwargs)


PATHS = {
    "/api/v1/chats/shared": {
        "get": _op(
            "Own shares, 60 a page",
            parameters=[
                query_param("page", {"type": "integer"}, "Pages of 60, from 1"),
                query_param("query", {"type": "string"}, "Part of the title"),
                query_param("order_by", {"type": "string"}),
                query_param("direction", {"enum": ["asc", "desc"]}),
            ],
            ok={"type": "array", "items": ref("SharedChatResponse")},
        )
    },
    "/api/v1/chats/share/all": {"delete": _op("Drop every own share", ok={"type": "boolean"})},
    "/api/v1/chats/share/{share_id}": {
        "get": _op(
            "A share's snapshot (its sharer, readers with a grant; admins may pass a chat id)",
            parameters=[path_param("share_id", "The share token")],
            ok=_CHAT,
        )
    },
    "/api/v1/chats/shared/{chat_id}/access": {
        "get": _op(
            "Access grants of an own chat's share",
            parameters=[_CHAT_ID],
            ok={"type": "array", "items": ref("ChatAccessGrant")},
        )
    },
    "/api/v1/chats/shared/{chat_id}/access/update": {
        "post": _op(
            "Replace the access grants of an own chat's share",
            description="Only admins may grant `user:*` or `anyone:*` (403 otherwise).",
            parameters=[_CHAT_ID],
            body=form_ref(AccessGrantsForm),
            ok=_CHAT,
        )
    },
    "/api/v1/chats/{id}/share": {
        "post": _op(
            "Share an own chat (again: re-snapshot under the same token)",
            parameters=[_ID],
            body=form_ref(ShareForm),
            body_required=False,
            ok=_CHAT,
        ),
        "delete": _op("Drop an own chat's share and its grants", parameters=[_ID], ok={"type": "boolean"}),
    },
    "/api/v1/chats/{id}/clone/shared": {
        "post": _op(
            "Copy a share (admins: any chat) into a new own chat",
            parameters=[path_param("id", "A share token (admins: or a chat id)")],
            ok=_CHAT,
        )
    },
}
