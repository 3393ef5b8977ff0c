"""Request forms of ``/api/v1/models``: a workspace model, and the id of one to delete. The model
form is defined once, in ``services.common.forms``, since the inference service validates it too."""

from pydantic import BaseModel

from services.common.forms.types import Text
from services.common.forms.workspace_models import ModelForm, ModelMetaForm, ModelParamsForm

__all__ = ["ModelForm", "ModelIdForm", "ModelMetaForm", "ModelParamsForm"]


class ModelIdForm(BaseModel):
    id: Text
