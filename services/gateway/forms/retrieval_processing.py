"""Request forms of ``/api/v1/retrieval/process/{text,files/batch,web,url}``."""

from pydantic import BaseModel, Field

from services.gateway.forms.types import Text

# URLs longer than this are refused before any work (browsers and servers cap near here too).
MAX_URL_CHARS = 8192
# Files one batch may carry (the body limit bounds their contents first).
MAX_BATCH_FILES = 1000


class ProcessTextForm(BaseModel):
    name: Text
    content: Text
    collection_name: Text | None = Field(
        default=None, max_length=512, description="Absent: the sha256 (hex) of the content"
    )


class BatchFileData(BaseModel):
    content: Text | None = None


class BatchFileModel(BaseModel):
    """A FileModel as Open WebUI's batch takes it; only ``id`` and ``data.content`` are used."""

    id: Text
    data: BatchFileData | None = None


class ProcessFilesBatchForm(BaseModel):
    files: list[BatchFileModel] = Field(max_length=MAX_BATCH_FILES)
    collection_name: Text = Field(max_length=512)


class ProcessUrlForm(BaseModel):
    url: Text = Field(max_length=MAX_URL_CHARS)
    collection_name: Text | None = Field(
        default=None, max_length=512, description="Absent: the first 63 hex digits of sha256(url)"
    )


class ProcessQuery(BaseModel):
    process: bool = Field(default=True, description="false: fetch and return the text only")
    overwrite: bool = Field(default=True, description="Accepted for Open WebUI's clients; no effect")
