"""The task configuration Open WebUI's ``POST /api/v1/tasks/config/update`` takes: validated by the
gateway and again by the inference service that stores it."""

from pydantic import BaseModel, Field, field_validator

from services.common.forms.types import Text, has_nul

# Open WebUI's keys, in the order its GET /api/v1/tasks/config answers them.
TASK_CONFIG_KEYS = (
    "TASK_MODEL",
    "TASK_MODEL_EXTERNAL",
    "TASK_MODEL_PARAMS",
    "TITLE_GENERATION_PROMPT_TEMPLATE",
    "IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE",
    "ENABLE_AUTOCOMPLETE_GENERATION",
    "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH",
    "AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE",
    "TAGS_GENERATION_PROMPT_TEMPLATE",
    "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE",
    "ENABLE_FOLLOW_UP_GENERATION",
    "ENABLE_TAGS_GENERATION",
    "ENABLE_TITLE_GENERATION",
    "ENABLE_SEARCH_QUERY_GENERATION",
    "ENABLE_RETRIEVAL_QUERY_GENERATION",
    "QUERY_GENERATION_PROMPT_TEMPLATE",
    "TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE",
    "ENABLE_VOICE_MODE_PROMPT",
    "VOICE_MODE_PROMPT_TEMPLATE",
)


class TaskConfigForm(BaseModel):
    # Every key is required (a null allowed where Open WebUI's form takes Optional) except
    # TASK_MODEL_PARAMS and AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH, as in Open WebUI.
    TASK_MODEL: Text | None
    TASK_MODEL_EXTERNAL: Text | None
    TASK_MODEL_PARAMS: dict | None = None
    ENABLE_TITLE_GENERATION: bool
    TITLE_GENERATION_PROMPT_TEMPLATE: Text
    IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE: Text
    ENABLE_AUTOCOMPLETE_GENERATION: bool
    # Bounded to what the stored config's int64 holds; not positive means no limit.
    AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH: int | None = Field(default=None, ge=-(2**63), le=2**63 - 1)
    AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE: Text
    TAGS_GENERATION_PROMPT_TEMPLATE: Text
    FOLLOW_UP_GENERATION_PROMPT_TEMPLATE: Text
    ENABLE_FOLLOW_UP_GENERATION: bool
    ENABLE_TAGS_GENERATION: bool
    ENABLE_SEARCH_QUERY_GENERATION: bool
    ENABLE_RETRIEVAL_QUERY_GENERATION: bool
    QUERY_GENERATION_PROMPT_TEMPLATE: Text
    TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE: Text
    VOICE_MODE_PROMPT_TEMPLATE: Text | None
    ENABLE_VOICE_MODE_PROMPT: bool

    @field_validator("TASK_MODEL_PARAMS")
    @classmethod
    def _params_without_nul(cls, value: dict | None) -> dict | None:
        # Stored as jsonb, which cannot hold NUL anywhere in the object (keys included).
        if value is not None and has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value
