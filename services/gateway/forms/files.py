"""Request forms of ``/api/v1/files`` beyond upload, and of ``/api/v1/retrieval/process/file``."""

from pydantic import BaseModel, Field

from services.gateway.forms.types import Text


class RenameFileForm(BaseModel):
    filename: Text = Field(description="The new name (also the file's `meta.name`)")


class FileContentForm(BaseModel):
    content: Text = Field(description="The file's new text; blank is refused (400)")


class ProcessFileForm(BaseModel):
    file_id: Text
    content: Text | None = Field(
        default=None, description="Replace the file's text with this and re-index it"
    )
    collection_name: Text | None = Field(
        default=None,
        description="Put the file into this collection instead of `file-<file_id>`: a knowledge base "
        "(the file is linked, its vectors reused) or a free-standing text collection",
    )
