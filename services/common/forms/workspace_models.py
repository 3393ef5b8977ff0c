"""The form of a workspace model (``/api/v1/models``): validated by the gateway and by the inference
service's model administration."""

from pydantic import BaseModel, ConfigDict

from services.common.forms.types import Name, Text


class ModelMetaForm(BaseModel):
    """Open WebUI's ModelMeta: three typed fields, anything else kept."""

    model_config = ConfigDict(extra="allow")

    profile_image_url: str | None = "/static/favicon.png"
    description: str | None = None
    capabilities: dict | None = None


class ModelParamsForm(BaseModel):
    # Any keys, kept. No docstring: the OpenAPI document would show it as the schema's description.
    model_config = ConfigDict(extra="allow")


class ModelForm(BaseModel):
    """Open WebUI's ModelForm (unknown top-level fields are ignored)."""

    id: Text
    base_model_id: Text | None = None
    name: Name
    meta: ModelMetaForm
    params: ModelParamsForm
    access_grants: list[dict | None] | None = None
    is_active: bool = True
