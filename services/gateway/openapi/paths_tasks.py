"""OpenAPI paths of ``/api/v1/tasks``: the task configuration and the task completions."""

from typing import Any

from services.gateway.forms.tasks import TaskConfigForm
from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    CHAT_MESSAGE,
    STREAM_CONTENT,
    json_content,
    operation,
    ref,
)
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "tasks"
_STRING: dict[str, Any] = {"type": "string"}
_BOOL: dict[str, Any] = {"type": "boolean"}
_MESSAGES: dict[str, Any] = {"type": "array", "items": CHAT_MESSAGE}


def _config_properties() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, field in TaskConfigForm.model_fields.items():
        if name == "TASK_MODEL_PARAMS":
            properties[name] = ANY_OBJECT
        elif field.annotation is bool:
            properties[name] = _BOOL
        elif name == "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH":
            properties[name] = {"type": "integer"}
        else:
            properties[name] = _STRING
    return properties


def _task_form(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {"model": _STRING, **properties, "chat_id": _STRING},
        "additionalProperties": True,
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "TaskConfig": {
        "type": "object",
        "description": "An empty template means Open WebUI's built-in one",
        "properties": _config_properties(),
        "required": list(TaskConfigForm.model_fields),
        "additionalProperties": False,
    },
    **form_schemas(TaskConfigForm),
    "ChatTaskForm": _task_form("The chat whose history the template renders", {"messages": _MESSAGES}),
    "QueriesTaskForm": _task_form(
        "The chat to generate search queries for",
        {"messages": _MESSAGES, "type": {"type": "string", "enum": ["web_search", "retrieval"]}},
    ),
    "AutocompleteTaskForm": _task_form(
        "The text to continue", {"prompt": _STRING, "type": _STRING, "messages": _MESSAGES}
    ),
    "EmojiTaskForm": _task_form("The message to reflect with an emoji", {"prompt": _STRING}),
    "MoaTaskForm": _task_form(
        "The question and the models' answers to merge into one",
        {"prompt": _STRING, "responses": {"type": "array", "items": _STRING}, "stream": _BOOL},
    ),
}

_REPLY = {**json_content(ANY_OBJECT)}
_ERRORS = (400, 404, 413, 422, 500, *BACKEND_ERRORS)
_NO_MODEL = (
    " A body without `model` is answered 400 (Open WebUI: 500). The reply is the chat completion's, "
    "for the task model (TASK_MODEL for Ollama models, TASK_MODEL_EXTERNAL for others, when set)."
)


def _task(summary: str, form: str, description: str = "", ok: dict[str, Any] | None = None) -> dict:
    return operation(
        summary,
        tag=_TAG,
        body=ref(form),
        ok_content=ok or _REPLY,
        errors=_ERRORS,
        description=(description + _NO_MODEL).strip(),
    )


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/tasks/config": {
        "get": operation("The task configuration", tag=_TAG, ok=ref("TaskConfig"), errors=BACKEND_ERRORS),
    },
    "/api/v1/tasks/config/update": {
        "post": operation(
            "Store the task configuration (admin); answers it as stored",
            tag=_TAG,
            body=form_ref(TaskConfigForm),
            ok=ref("TaskConfig"),
            errors=(413, 422, *BACKEND_ERRORS),
        ),
    },
    "/api/v1/tasks/title/completions": {
        "post": _task(
            'Generate a chat title (`{"title": …}` in the reply\'s content)',
            "ChatTaskForm",
            '200 `{"detail": "Title generation is disabled"}` while it is off.',
        ),
    },
    "/api/v1/tasks/tags/completions": {
        "post": _task(
            'Generate tags for a chat (`{"tags": […]}`)',
            "ChatTaskForm",
            '200 `{"detail": "Tags generation is disabled"}` while it is off.',
        ),
    },
    "/api/v1/tasks/follow_up/completions": {
        "post": _task(
            'Suggest follow-up questions (`{"follow_ups": […]}`)',
            "ChatTaskForm",
            '200 `{"detail": "Follow-up generation is disabled"}` while it is off.',
        ),
    },
    "/api/v1/tasks/queries/completions": {
        "post": _task(
            'Generate web search or retrieval queries (`{"queries": […]}`)',
            "QueriesTaskForm",
            "400 while the query generation of that type is off.",
        ),
    },
    "/api/v1/tasks/auto/completions": {
        "post": _task(
            'Autocomplete a text (`{"text": …}`)',
            "AutocompleteTaskForm",
            "400 while autocompletion is off (the default) or the prompt is longer than allowed.",
        ),
    },
    "/api/v1/tasks/emoji/completions": {
        "post": _task("Pick an emoji for a message", "EmojiTaskForm"),
    },
    "/api/v1/tasks/image_prompt/completions": {
        "post": _task('Generate an image prompt from a chat (`{"prompt": …}`)', "ChatTaskForm"),
    },
    "/api/v1/tasks/moa/completions": {
        "post": _task(
            "Merge several models' answers into one (mixture of agents)",
            "MoaTaskForm",
            "Streams server-sent events when `stream` is true; runs on `model` itself.",
            ok={**_REPLY, "text/event-stream": STREAM_CONTENT["text/event-stream"]},
        ),
    },
}
