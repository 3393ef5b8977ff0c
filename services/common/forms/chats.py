"""Forms of ``/api/v1/chats``: validated by the gateway and again by the inference service's chats."""

from pydantic import BaseModel

from services.common.forms.types import Text


class ChatForm(BaseModel):
    """Open WebUI's ChatForm (``/new`` and ``POST /{id}``); unknown top-level fields are ignored."""

    chat: dict
    folder_id: Text | None = None
    variables: dict | None = None


class CloneForm(BaseModel):
    """Open WebUI's CloneForm (``POST /{id}/clone``)."""

    title: Text | None = None


class TagForm(BaseModel):
    """Open WebUI's TagForm (``POST|DELETE /{id}/tags``)."""

    name: Text


class TagFilterForm(BaseModel):
    """Open WebUI's TagFilterForm (``POST /tags``)."""

    name: Text
    skip: int = 0
    limit: int = 50


class MessageForm(BaseModel):
    """``POST /{id}/messages/{message_id}``: what may change on one message."""

    content: Text | None = None
    voice: dict | None = None


class ChatImportForm(ChatForm):
    """One chat of ``POST /import`` (Open WebUI's ChatImportForm)."""

    meta: dict | None = None
    pinned: bool | None = False
    archived: bool | None = False
    current_message_id: Text | None = None
    created_at: int | None = None
    updated_at: int | None = None


class ChatsImportForm(BaseModel):
    """``POST /import``."""

    chats: list[ChatImportForm]


class ForkForm(BaseModel):
    """``POST /{id}/fork``."""

    message_id: Text | None = None


class EventForm(BaseModel):
    """``POST /{id}/messages/{message_id}/event`` (Open WebUI's EventForm)."""

    type: Text
    data: dict


class ChatConfigForm(BaseModel):
    """``POST /config`` (Open WebUI's ChatConfigForm)."""

    CONTEXT_COMPACTION_MODEL: Text | None = ""
    ENABLE_CONTEXT_COMPACTION: bool
    CONTEXT_COMPACTION_TOKEN_THRESHOLD: int
    CONTEXT_COMPACTION_TOKEN_CAP: int | None = None
    CONTEXT_COMPACTION_RETENTION_PERCENTAGE: int = 40
    CONTEXT_COMPACTION_PROMPT_TEMPLATE: Text
    ENABLE_TOOL_PERMISSIONS: bool = False
    ENABLE_TOOL_SEARCH: bool = False
    TOOL_SEARCH_DEFER_THRESHOLD: int = 400
    TOOL_SEARCH_ALWAYS_LOADED: list[Text] = []
    TOOL_SEARCH_DEFER_BUILTIN_TOOLS: bool = False
