"""Request form of ``POST /api/v1/auths/api_keys``: a named, scoped API key."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from services.gateway.forms.types import Text

# An id in a scope list: long enough for any id we make, short enough to index.
ScopeId = Annotated[Text, Field(min_length=1, max_length=255)]
ScopeIds = Annotated[list[ScopeId], Field(max_length=100)]
# Ten years: past that an expiry means nothing, and the epoch stays far within int64.
MAX_EXPIRES_IN_S = 10 * 365 * 24 * 3600


class CreateApiKeyForm(BaseModel):
    name: Annotated[Text, Field(min_length=1, max_length=100, description="Unique among the user's keys")]
    kind: Literal["full", "chat", "ingest", "read"] = Field(
        default="full",
        description="full: whatever the user may; chat: models and retrieval; "
        "ingest: files and knowledge; read: reads only",
    )
    expires_at: int | None = Field(default=None, ge=1, le=2**40, description="Epoch seconds")
    expires_in: int | None = Field(
        default=None, ge=1, le=MAX_EXPIRES_IN_S, description="Seconds from now (instead of expires_at)"
    )
    model_ids: ScopeIds = Field(default_factory=list, description="Models the key may use; empty: any")
    knowledge_ids: ScopeIds = Field(
        default_factory=list, description="Knowledge collections the key may read; empty: any"
    )
    file_ids: ScopeIds = Field(default_factory=list, description="Files the key may read; empty: any")

    @model_validator(mode="after")
    def _one_expiry(self) -> "CreateApiKeyForm":
        if self.expires_at is not None and self.expires_in is not None:
            raise ValueError("give expires_at or expires_in, not both")
        return self
