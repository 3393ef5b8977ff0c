"""Request forms of ``/api/v1/tools``: a tool's code, name, meta and grants. Defined once, in
``services.common.forms``, since the inference service validates the same form."""

from services.common.forms.tools import (
    ToolAccessForm,
    ToolForm,
    ToolLoadUrlForm,
    ToolMetaForm,
    ToolVersionForm,
)

__all__ = ["ToolAccessForm", "ToolForm", "ToolLoadUrlForm", "ToolMetaForm", "ToolVersionForm"]
