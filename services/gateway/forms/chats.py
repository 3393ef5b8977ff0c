"""Request forms of ``/api/v1/chats``. The chat form is defined once, in ``services.common.forms``,
since the inference service validates it too; the others live there beside it."""

from services.common.forms.chats import (
    ChatConfigForm,
    ChatForm,
    ChatsImportForm,
    CloneForm,
    EventForm,
    ForkForm,
    MessageForm,
    TagFilterForm,
    TagForm,
)

__all__ = [
    "ChatConfigForm",
    "ChatForm",
    "ChatsImportForm",
    "CloneForm",
    "EventForm",
    "ForkForm",
    "MessageForm",
    "TagFilterForm",
    "TagForm",
]
