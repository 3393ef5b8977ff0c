"""Request forms of ``/api/v1/folders`` and of ``POST /api/v1/chats/{id}/folder``."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.forms.types import Text

# The inference service's bound (services/inference/folders/service.py: NAME_MAX_CHARS).
FolderName = Annotated[Text, Field(max_length=255)]


class FolderForm(BaseModel):
    """Open WebUI's FolderForm (``POST /``): unknown keys are refused (422), as it refuses them."""

    model_config = ConfigDict(extra="forbid")

    name: FolderName
    data: dict | None = None
    meta: dict | None = None
    parent_id: Text | None = None


class FolderUpdateForm(BaseModel):
    """Open WebUI's FolderUpdateForm (``POST /{id}/update``): unknown keys are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    name: FolderName | None = None
    data: dict | None = None
    meta: dict | None = None


class FolderParentIdForm(BaseModel):
    """``POST /{id}/update/parent``; null: the root."""

    parent_id: Text | None = None


class FolderIsExpandedForm(BaseModel):
    """``POST /{id}/update/expanded``."""

    is_expanded: bool


class FolderAccessGrantsForm(BaseModel):
    """``POST /{id}/access/update``. ``share_mode``: ``"continue"`` lets readers who may write
    continue the folder's chats; any other value (null included) means none; absent: unchanged.
    Entries Open WebUI would drop (unknown types or permissions, empty ids) are dropped by the
    inference service."""

    access_grants: list[dict]
    share_mode: Text | None = None


class ChatFolderIdForm(BaseModel):
    """``POST /api/v1/chats/{id}/folder``; null: out of any folder."""

    folder_id: Text | None = None
