"""Request forms of the knowledge directory and folder-sync routes (Open WebUI's shapes)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from services.gateway.forms.types import Text

_INT64 = 2**63 - 1
# Bounds that only stop abuse: a path or a name past them is no real folder's.
_FILENAME_MAX = 1024
_PATH_MAX = 4096
_CHECKSUM_MAX = 256
_ID_MAX = 256

DirectoryId = Annotated[Text, Field(max_length=_ID_MAX)]


class DirectoryCreateForm(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "docs", "parent_id": None}]})

    name: Annotated[Text, Field(max_length=_FILENAME_MAX)]
    parent_id: DirectoryId | None = None


class DirectoryUpdateForm(BaseModel):
    """Absent fields stay as they are; ``parent_id: null`` moves the directory to the root."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "api", "parent_id": None}]})

    name: Annotated[Text, Field(max_length=_FILENAME_MAX)] | None = None
    parent_id: DirectoryId | None = None

    @property
    def moves(self) -> bool:
        return "parent_id" in self.model_fields_set


class FileMoveForm(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"file_id": "…", "directory_id": None}]})

    file_id: Annotated[Text, Field(max_length=_ID_MAX)]
    directory_id: DirectoryId | None = Field(default=None, description="null: the root")


class ManifestEntryForm(TypedDict):
    """A typed dict, not a model: a manifest holds thousands of entries, which validate about four
    times faster so. The strings are only compared, never stored, so a NUL in them is harmless."""

    filename: Annotated[str, Field(max_length=_FILENAME_MAX, description="The file's name")]
    path: Annotated[
        str, Field(max_length=_PATH_MAX, description='Its folder: "" for the root, "docs/api" nested')
    ]
    checksum: Annotated[str, Field(max_length=_CHECKSUM_MAX, description="sha256 of its bytes (hex)")]
    size: Annotated[int, Field(ge=-_INT64, le=_INT64)]


class SyncDiffForm(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"manifest": [{"filename": "readme.md", "path": "docs", "checksum": "ab12…", "size": 120}]}
            ]
        }
    )

    manifest: list[ManifestEntryForm]


class SyncCleanupForm(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"file_ids": ["…"], "dir_ids": []}]})

    file_ids: list[Annotated[Text, Field(max_length=_ID_MAX)]]
    dir_ids: list[DirectoryId] = Field(default_factory=list)
