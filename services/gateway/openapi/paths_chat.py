"""``/api/chat/completions``, ``/api/chat/completed``, ``/api/embeddings`` (and ``/api/v1`` aliases)."""

from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    CHAT_MESSAGE,
    STREAM_CONTENT,
    json_content,
    operation,
    passthrough,
    ref,
)

_TAG = "chat"

SCHEMAS = {
    "ChatCompletionForm": {
        "type": "object",
        "description": "An OpenAI chat completion request; Open WebUI's extra keys (`files`, `chat_id`, "
        "`filter_ids`, `metadata`, …) are read, anything else is passed to the upstream.",
        "properties": {
            "model": {"type": "string"},
            "messages": {"type": "array", "items": CHAT_MESSAGE, "minItems": 1},
            "stream": {"type": "boolean"},
            "files": {"type": "array", "items": ANY_OBJECT},
            "chat_id": {
                "type": "string",
                "description": "A stored chat the turn is written into (its owner only); `local:…` and "
                "`temporary:…` ids store nothing. The reply names the chat in an `X-Chat-Id` header and, "
                "when not streamed, a `chat_id` key.",
            },
            "id": {"type": "string", "description": "The assistant message the reply fills (or creates)."},
            "parent_id": {
                "type": ["string", "null"],
                "description": "`null` without `chat_id` creates a stored chat for this turn.",
            },
            "user_message": {
                "type": "object",
                "description": "The user message of the turn (`id`, `role: user`, `content`, `parentId`); "
                "when sent, the prompt is rebuilt from the stored branch ending at it.",
                "additionalProperties": True,
            },
            "background_tasks": {
                "type": "object",
                "description": "`title_generation`, `tags_generation`, `follow_up_generation`: generated "
                "and stored after the reply.",
                "additionalProperties": True,
            },
            "tool_ids": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Python tools and `server:<id>` tool servers the server runs when the model "
                "calls them (an unknown or unreadable id is 404 before the model is called). The reply "
                "carries the rounds as Open WebUI's `output` items: a top-level `output` key, or stream "
                'chunks with `choices: []` and `output`. `params.function_calling: "legacy"` picks the '
                "tools with the task model instead and gives their results as `sources`.",
            },
            "tools": {
                "type": "array",
                "items": ANY_OBJECT,
                "description": "The client's own OpenAI tools: offered to the model with the `tool_ids` "
                "tools; calls to them come back unchanged (`finish_reason: tool_calls`).",
            },
        },
        "required": ["model", "messages"],
        "additionalProperties": True,
    },
    "ChatCompletedForm": {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "messages": {"type": "array", "items": CHAT_MESSAGE},
            "id": {"type": "string"},
            "chat_id": {"type": "string"},
            "session_id": {"type": "string"},
            "filter_ids": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": True,
    },
    "EmbeddingsForm": {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "input": {"anyOf": [{"type": "string"}, {"type": "array"}]},
        },
        "additionalProperties": True,
    },
}

_CHAT_OK = {
    **json_content(ANY_OBJECT),
    "text/event-stream": STREAM_CONTENT["text/event-stream"],
}
_ERRORS = (400, 404, 413, 422, 502, *BACKEND_ERRORS)


def _completions() -> dict:
    return passthrough(
        operation(
            "Chat completion (streams server-sent events when `stream` is true)",
            tag=_TAG,
            body=ref("ChatCompletionForm"),
            ok_content=_CHAT_OK,
            errors=_ERRORS,
        )
    )


def _completed() -> dict:
    return operation(
        "Run the outlet filters over a finished chat; answers the (filtered) body",
        tag=_TAG,
        body=ref("ChatCompletedForm"),
        ok=ANY_OBJECT,
        errors=_ERRORS,
    )


def _embeddings() -> dict:
    return passthrough(
        operation(
            "OpenAI embeddings (Ollama models' replies converted)",
            tag=_TAG,
            body=ref("EmbeddingsForm"),
            ok=ANY_OBJECT,
            errors=_ERRORS,
        )
    )


PATHS = {
    "/api/chat/completions": {"post": _completions()},
    "/api/v1/chat/completions": {"post": _completions()},
    "/api/chat/completed": {"post": _completed()},
    "/api/v1/chat/completed": {"post": _completed()},
    "/api/embeddings": {"post": _embeddings()},
    "/api/v1/embeddings": {"post": _embeddings()},
}
