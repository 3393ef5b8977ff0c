"""Request forms of ``/api/v1/models``: a workspace model, and the id of one to delete. The model
form is defined once, in ``services.common.forms``, since the inference service validates it too."""

from pydantic import BaseModel, ConfigDict

from services.common.forms.types import Text
from services.common.forms.workspace_models import ModelForm, ModelMetaForm, ModelParamsForm

__all__ = ["ModelAccessForm", "ModelForm", "ModelIdForm", "ModelMetaForm", "ModelParamsForm"]


class ModelIdForm(BaseModel):
    id: Text


class ModelAccessForm(BaseModel):
    """``POST /model/access/update``: the model's new grants (``name`` names the row an admin's
    call creates for a raw backend model)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "llama3.2:latest",
                    "access_grants": [
                        {"principal_type": "group", "principal_id": "g1", "permission": "read"}
                    ],
                }
            ]
        }
    )

    id: Text
    name: Text | None = None
    access_grants: list[dict]
