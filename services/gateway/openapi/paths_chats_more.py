"""``/api/v1/chats/*`` beyond the basic routes: import, fork, params, message events, read state,
the admin views, the chat configuration and the statistics."""

from services.gateway.forms.chats import ChatConfigForm, ChatsImportForm, EventForm, ForkForm
from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    operation,
    path_param,
    query_param,
    ref,
)
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "chats"


def _object(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
_AGGREGATES = {
    "average_response_time": {"type": "number"},
    "average_user_message_content_length": {"type": "number"},
    "average_assistant_message_content_length": {"type": "number"},
    "models": _COUNTS,
    "message_count": {"type": "integer"},
    "history_models": _COUNTS,
    "history_message_count": {"type": "integer"},
    "history_user_message_count": {"type": "integer"},
    "history_assistant_message_count": {"type": "integer"},
}
_TAG_IDS = {"type": "array", "items": {"type": "string"}}
SCHEMAS = {
    **form_schemas(ChatsImportForm, ForkForm, EventForm, ChatConfigForm),
    "ChatUsageStats": _object(
        {
            "id": {"type": "string"},
            **_AGGREGATES,
            "tags": _TAG_IDS,
            "last_message_at": {"type": ["integer", "null"]},
            "updated_at": {"type": "integer"},
            "created_at": {"type": "integer"},
        }
    ),
    "ChatStatsExport": _object(
        {
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "created_at": {"type": "integer"},
            "updated_at": {"type": "integer"},
            "tags": _TAG_IDS,
            "stats": _object(_AGGREGATES),
            "chat": ANY_OBJECT,
        }
    ),
}
_ERRORS = (400, 403, 404, 409, 413, 422, *BACKEND_ERRORS)
# Defined by paths_chats.
_CHAT = ref("ChatResponse")
_SUMMARIES = {"type": "array", "items": ref("ChatTitleIdResponse")}
_ID = path_param("id", "The chat's id")
_CONFIG = form_ref(ChatConfigForm)


def _op(summary: str, **kwargs: object) -> dict:
    return operation(summary, tag=_TAG, errors=_ERRORS, **kwargs)


PATHS = {
    "/api/v1/chats/import": {
        "post": _op(
            "Import chats (new ids; folders not the caller's are cleared)",
            body=form_ref(ChatsImportForm),
            ok={"type": "array", "items": _CHAT},
        )
    },
    "/api/v1/chats/read": {
        "post": _op(
            "Mark every own non-archived chat read",
            ok=_object({"updated_count": {"type": "integer"}, "folder_unread_counts": _COUNTS}),
        )
    },
    "/api/v1/chats/list/user/{user_id}": {
        "get": _op(
            "A user's chats, archived ones too, 60 a page (admins, with admin chat access)",
            parameters=[
                path_param("user_id", "The user's id"),
                query_param("page", {"type": "integer"}, "Pages of 60, from 1"),
                query_param("query", {"type": "string"}, "Part of the title"),
                query_param("order_by", {"type": "string"}),
                query_param("direction", {"enum": ["asc", "desc"]}),
            ],
            ok=_SUMMARIES,
        )
    },
    "/api/v1/chats/all/db": {
        "get": _op(
            "Every user's chats (admins, while ENABLE_ADMIN_EXPORT)", ok={"type": "array", "items": _CHAT}
        )
    },
    "/api/v1/chats/config": {
        "get": _op("The chat configuration (admins)", ok=_CONFIG),
        "post": _op("Store the chat configuration (admins)", body=_CONFIG, ok=_CONFIG),
    },
    "/api/v1/chats/stats/usage": {
        "get": _op(
            "Usage statistics of own chats with messages",
            parameters=[
                query_param("items_per_page", {"type": "integer"}, "Default 50"),
                query_param("page", {"type": "integer"}, "From 1"),
            ],
            ok=_object(
                {"items": {"type": "array", "items": ref("ChatUsageStats")}, "total": {"type": "integer"}}
            ),
        )
    },
    "/api/v1/chats/stats/export": {
        "get": _op(
            "Statistics export of own chats, oldest change first, 10 a page",
            description="`stream=true`: every page as an NDJSON attachment.",
            parameters=[
                query_param("updated_at", {"type": "integer"}, "Only chats changed after this time"),
                query_param("page", {"type": "integer"}, "Pages of 10, from 1"),
                query_param("stream", {"type": "boolean"}),
            ],
            ok_content={
                "application/json": {
                    "schema": _object(
                        {
                            "type": {"const": "chats"},
                            "items": {"type": "array", "items": ref("ChatStatsExport")},
                            "total": {"type": "integer"},
                            "page": {"type": "integer"},
                        }
                    )
                },
                "application/x-ndjson": {"schema": ref("ChatStatsExport")},
            },
        )
    },
    "/api/v1/chats/stats/export/{chat_id}": {
        "get": _op(
            "Statistics export of one chat (own; any for admins)",
            parameters=[path_param("chat_id", "The chat's id")],
            ok=ref("ChatStatsExport"),
        )
    },
    "/api/v1/chats/{id}/fork": {
        "post": _op(
            "Copy the branch ending at a message (default: the current one) into a new chat",
            parameters=[_ID],
            body=form_ref(ForkForm),
            body_required=False,
            ok=_CHAT,
        )
    },
    "/api/v1/chats/{id}/params": {
        "patch": _op(
            "Merge keys into an own chat's `chat.params`", parameters=[_ID], body=ANY_OBJECT, ok=ANY_OBJECT
        )
    },
    "/api/v1/chats/{id}/unread": {
        "post": _op(
            "Mark an own chat unread",
            parameters=[_ID],
            ok=_object(
                {
                    "chat_id": {"type": "string"},
                    "last_read_at": {"type": "integer"},
                    "folder_id": {"type": ["string", "null"]},
                    "folder_unread_counts": _COUNTS,
                }
            ),
        )
    },
    "/api/v1/chats/{id}/messages/{message_id}/event": {
        "post": _op(
            "Apply a message event to a stored message (not broadcast: no Socket.IO here)",
            parameters=[_ID, path_param("message_id", "The message's id")],
            body=form_ref(EventForm),
            ok={"type": "boolean"},
        )
    },
}
