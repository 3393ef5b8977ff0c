"""Request forms of ``/api/v1/prompts``. Defined once, in ``services.common.forms``, since the
inference service validates the same forms."""

from services.common.forms.prompts import PromptAccessForm, PromptForm, PromptMetaForm, PromptVersionForm

__all__ = ["PromptAccessForm", "PromptForm", "PromptMetaForm", "PromptVersionForm"]
