"""``/api/v1/chats/*``: stored chats."""

from services.gateway.forms.chats import ChatForm, CloneForm, MessageForm, TagFilterForm, TagForm
from services.gateway.forms.folders import ChatFolderIdForm
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
_NULLABLE_STRING = {"type": ["string", "null"]}
_CHAT_PROPERTIES = {
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "title": {"type": "string"},
    "chat": ANY_OBJECT,
    "updated_at": {"type": "integer"},
    "created_at": {"type": "integer"},
    "share_id": _NULLABLE_STRING,
    "archived": {"type": "boolean"},
    "pinned": {"type": "boolean"},
    "meta": ANY_OBJECT,
    "variables": ANY_OBJECT,
    "folder_id": _NULLABLE_STRING,
    "tasks": {},
    "summary": _NULLABLE_STRING,
    "current_message_id": _NULLABLE_STRING,
    "context_usage": {},
}
_SUMMARY_PROPERTIES = {
    "id": {"type": "string"},
    "title": {"type": "string"},
    "updated_at": {"type": "integer"},
    "created_at": {"type": "integer"},
    "last_read_at": {"type": ["integer", "null"]},
    "snippet": _NULLABLE_STRING,
    "active": {"type": "boolean"},
    "archived": {"type": "boolean"},
}
_TAG_PROPERTIES = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "user_id": {"type": "string"},
    "meta": {"type": ["object", "null"]},
}


def _object(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


SCHEMAS = {
    **form_schemas(ChatForm, CloneForm, MessageForm, TagFilterForm, TagForm, ChatFolderIdForm),
    "ChatResponse": _object(_CHAT_PROPERTIES),
    "ChatTitleIdResponse": _object(_SUMMARY_PROPERTIES),
    "ChatTag": _object(_TAG_PROPERTIES),
}
_ERRORS = (400, 403, 404, 413, 422, *BACKEND_ERRORS)
_CHAT = ref("ChatResponse")
_SUMMARIES = {"type": "array", "items": ref("ChatTitleIdResponse")}
_TAGS = {"type": "array", "items": ref("ChatTag")}
_ID = path_param("id", "The chat's id")
_PAGE = query_param("page", {"type": "integer"}, "Pages of 60, from 1")
_LIST_PARAMS = [
    query_param("page", {"type": "integer"}, "Pages of 60, from 1; absent: every chat"),
    query_param("include_pinned", {"type": "boolean"}),
    query_param("include_folders", {"type": "boolean"}),
    query_param("sort_by", {"enum": ["updated_at", "title", "unread_updated_at"]}),
    query_param("sort_dir", {"enum": ["asc", "desc"]}),
]


def _op(summary: str, **kwargs: object) -> dict:
    return operation(summary, tag=_TAG, errors=_ERRORS, **kwargs)


_LIST = _op(
    "Own non-archived chats (pinned and foldered only when asked)", parameters=_LIST_PARAMS, ok=_SUMMARIES
)

PATHS = {
    "/api/v1/chats/": {
        "get": _LIST,
        "delete": _op("Delete every own chat", ok={"type": "boolean"}),
    },
    "/api/v1/chats/list": {"get": _LIST},
    "/api/v1/chats/pinned": {"get": _op("Own pinned chats, newest first", ok=_SUMMARIES)},
    "/api/v1/chats/archived": {
        "get": _op(
            "Own archived chats, 60 a page",
            parameters=[
                _PAGE,
                query_param("query", {"type": "string"}, "Part of the title"),
                query_param("order_by", {"type": "string"}),
                query_param("direction", {"enum": ["asc", "desc"]}),
            ],
            ok=_SUMMARIES,
        )
    },
    "/api/v1/chats/archived/count": {"get": _op("How many own chats are archived", ok={"type": "integer"})},
    "/api/v1/chats/search": {
        "get": _op(
            "Search own chats by title and message text",
            description="Filters in the text: `tag:<id>` (`tag:none`: untagged), `folder:<name>`, "
            "`pinned:`, `archived:`, `shared:` (`true`/`false`).",
            parameters=[query_param("text", {"type": "string"}, required=True), _PAGE],
            ok=_SUMMARIES,
        )
    },
    "/api/v1/chats/tags": {
        "post": _op("Own chats carrying a tag", body=form_ref(TagFilterForm), ok=_SUMMARIES)
    },
    "/api/v1/chats/all": {
        "get": operation(
            "Every own chat, newest first, one ChatResponse a line",
            tag=_TAG,
            ok_content={"application/x-ndjson": {"schema": _CHAT}},
            errors=BACKEND_ERRORS,
        )
    },
    "/api/v1/chats/all/archived": {
        "get": _op("Every own archived chat", ok={"type": "array", "items": _CHAT})
    },
    "/api/v1/chats/all/tags": {"get": _op("Every own tag", ok=_TAGS)},
    "/api/v1/chats/archive/all": {"post": _op("Archive every own chat", ok={"type": "boolean"})},
    "/api/v1/chats/unarchive/all": {"post": _op("Unarchive every own chat", ok={"type": "boolean"})},
    "/api/v1/chats/new": {"post": _op("Create a chat", body=form_ref(ChatForm), ok=_CHAT)},
    "/api/v1/chats/{id}": {
        "get": _op("A chat the caller may read", parameters=[_ID], ok=_CHAT),
        "post": _op("Merge changes into an own chat", parameters=[_ID], body=form_ref(ChatForm), ok=_CHAT),
        "delete": _op("Delete a chat (own; any for an admin)", parameters=[_ID], ok={"type": "boolean"}),
    },
    "/api/v1/chats/{id}/pinned": {
        "get": _op("Whether an own chat is pinned", parameters=[_ID], ok={"type": "boolean"})
    },
    "/api/v1/chats/folder/{folder_id}": {
        "get": _op(
            "Own chats in a folder and its subfolders",
            parameters=[path_param("folder_id")],
            ok={"type": "array", "items": _CHAT},
        )
    },
    "/api/v1/chats/folder/{folder_id}/list": {
        "get": _op(
            "Own unpinned chats directly in a folder, 10 a page",
            parameters=[
                path_param("folder_id"),
                query_param("page", {"type": "integer"}, "Pages of 10, from 1"),
                query_param("sort_by", {"enum": ["updated_at", "title", "unread_updated_at"]}),
                query_param("sort_dir", {"enum": ["asc", "desc"]}),
            ],
            ok=_SUMMARIES,
        )
    },
    "/api/v1/chats/{id}/folder": {
        "post": _op(
            "Move an own chat into an own folder (null: the root); unpins it",
            parameters=[_ID],
            body=form_ref(ChatFolderIdForm),
            ok=_CHAT,
        )
    },
    "/api/v1/chats/{id}/pin": {"post": _op("Toggle pinned", parameters=[_ID], ok=_CHAT)},
    "/api/v1/chats/{id}/archive": {"post": _op("Toggle archived", parameters=[_ID], ok=_CHAT)},
    "/api/v1/chats/{id}/clone": {
        "post": _op("Copy an own chat", parameters=[_ID], body=form_ref(CloneForm), ok=_CHAT)
    },
    "/api/v1/chats/{id}/tags": {
        "get": _op("Tags of a readable chat", parameters=[_ID], ok=_TAGS),
        "post": _op("Add a tag to an own chat", parameters=[_ID], body=form_ref(TagForm), ok=_TAGS),
        "delete": _op("Remove a tag from an own chat", parameters=[_ID], body=form_ref(TagForm), ok=_TAGS),
    },
    "/api/v1/chats/{id}/messages/{message_id}": {
        "post": _op(
            "Change one message (or add a new root message)",
            parameters=[_ID, path_param("message_id")],
            body=form_ref(MessageForm),
            ok=_CHAT,
        ),
        "delete": _op(
            "Delete a message and its direct children", parameters=[_ID, path_param("message_id")], ok=_CHAT
        ),
    },
}
