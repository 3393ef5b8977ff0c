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
