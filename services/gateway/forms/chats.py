"""Request forms of ``/api/v1/chats``. The chat form is defined once, in ``services.common.forms``,
since the inference service validates it too; the others live there beside it."""

from services.common.forms.chats import ChatForm, CloneForm, MessageForm, TagFilterForm, TagForm

__all__ = ["ChatForm", "CloneForm", "MessageForm", "TagFilterForm", "TagForm"]
