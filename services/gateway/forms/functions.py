"""Request forms of ``/api/v1/functions``: a function's code, name and meta. Defined once, in
``services.common.forms``, since the inference service validates the same form."""

from services.common.forms.functions import FunctionForm, FunctionMetaForm

__all__ = ["FunctionForm", "FunctionMetaForm"]
