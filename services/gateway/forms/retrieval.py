"""Request forms of ``/api/v1/retrieval``: a query over one collection or several."""

from pydantic import BaseModel, Field

from services.gateway.forms.types import Text

_K = Field(
    default=None,
    description="How many chunks to return; absent, null or not positive: the configured RAG_TOP_K",
)


class QueryDocForm(BaseModel):
    collection_name: Text = Field(description="`file-<file_id>` or a knowledge collection's id")
    query: Text
    k: int | None = _K


class QueryCollectionsForm(BaseModel):
    collection_names: list[Text]
    query: Text
    k: int | None = _K
