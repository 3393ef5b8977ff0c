"""Request forms of the ingest jobs routes (our own API, not Open WebUI's)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.forms.types import Text

# The ingest service refuses longer URLs too (with its reason); this only bounds the body.
MAX_CALLBACK_URL = 2048
MAX_ID = 255

JobStateName = Literal["queued", "running", "completed", "failed", "cancelled"]


class BatchCreateForm(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"callback_url": "https://hooks.example.com/ingest"}]}
    )

    callback_url: Annotated[Text, Field(max_length=MAX_CALLBACK_URL)] | None = None


class JobListQuery(BaseModel):
    state: JobStateName | None = None
    batch_id: Annotated[Text, Field(max_length=MAX_ID)] | None = None
    file_id: Annotated[Text, Field(max_length=MAX_ID)] | None = None
    page: Annotated[int, Field(ge=1, le=2**31 - 1)] = 1
