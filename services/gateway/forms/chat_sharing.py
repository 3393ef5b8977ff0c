"""Request forms of the chat share routes (``POST /api/v1/chats/{id}/share``,
``POST /api/v1/chats/shared/{id}/access/update``)."""

from pydantic import BaseModel

from services.gateway.forms.types import Text


class ShareForm(BaseModel):
    """``POST /{id}/share``'s optional body. ``share_mode``: ``"continue"`` lets readers who may
    write continue the live chat; any other value (null included) means none; absent: unchanged."""

    share_mode: Text | None = None


class AccessGrantsForm(BaseModel):
    """Open WebUI's ChatAccessGrantsForm; entries it would drop (unknown types or permissions, empty
    ids) are dropped by the inference service."""

    access_grants: list[dict]
    share_mode: Text | None = None
