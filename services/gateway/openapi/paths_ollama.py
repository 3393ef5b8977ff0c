"""``/ollama/*``: Ollama's API, proxied to the configured Ollama upstreams."""

from services.gateway.openapi.common import (
    ANY_JSON,
    ANY_OBJECT,
    BACKEND_ERRORS,
    CHAT_MESSAGE,
    STREAM_CONTENT,
    json_content,
    operation,
    passthrough,
    path_param,
    ref,
)

_TAG = "ollama"
PREFIX = "/ollama"

SCHEMAS = {
    "OllamaModelForm": {
        "type": "object",
        "description": "Names a model (`model`, or `name` as older clients send); other keys pass through.",
        "properties": {"model": {"type": "string"}, "name": {"type": "string"}},
        "additionalProperties": True,
    },
    "OllamaGenerateForm": {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "prompt": {"type": "string"},
            "stream": {"type": "boolean", "default": True},
        },
        "required": ["model"],
        "additionalProperties": True,
    },
    "OllamaChatForm": {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "messages": {"type": "array", "items": CHAT_MESSAGE, "minItems": 1},
            "stream": {"type": "boolean", "default": True},
        },
        "required": ["model", "messages"],
        "additionalProperties": True,
    },
    "OllamaCopyForm": {
        "type": "object",
        "properties": {"source": {"type": "string"}, "destination": {"type": "string"}},
        "additionalProperties": True,
    },
}

_URL_IDX = path_param(
    "url_idx", "Index of the upstream in OLLAMA_BASE_URLS", {"type": "integer", "minimum": 0}
)
_JSON = json_content(ANY_JSON)
_NDJSON = {**_JSON, "application/x-ndjson": STREAM_CONTENT["application/x-ndjson"]}
_SSE = {**_JSON, "text/event-stream": STREAM_CONTENT["text/event-stream"]}
_ERRORS = (400, 403, 404, 413, 422, 502, *BACKEND_ERRORS)
# Upstreams are configured from the environment, and no model file is fetched at run time.
_UNIMPLEMENTED = "; 501 in this deployment"

# (methods, path, summary, request body (None: none), reply media types, has a /{url_idx} form).
_TABLE = (
    ("post", "/verify", "Check an Ollama connection (admin)", ANY_OBJECT, _JSON, False),
    ("get", "/config", "Ollama connections config (admin)", None, _JSON, False),
    (
        "post",
        "/config/update",
        "Update the Ollama connections config (admin)" + _UNIMPLEMENTED,
        ANY_OBJECT,
        _JSON,
        False,
    ),
    ("post", "/models/download", "Download a GGUF model (admin)" + _UNIMPLEMENTED, ANY_OBJECT, _SSE, True),
    ("post", "/models/upload", "Upload a GGUF model (admin)" + _UNIMPLEMENTED, ANY_OBJECT, _SSE, True),
    ("get", "/api/tags", "Models of every Ollama upstream (with an index: admin)", None, _JSON, True),
    ("get", "/api/ps", "Loaded models (admin)", None, _JSON, False),
    ("get", "/api/version", "Lowest Ollama version (with an index: admin)", None, _JSON, True),
    ("post", "/api/unload", "Unload a model on every node (admin)", ref("OllamaModelForm"), _JSON, False),
    ("post", "/api/pull", "Pull a model (admin; NDJSON progress)", ref("OllamaModelForm"), _NDJSON, True),
    ("delete", "/api/push", "Push a model (admin; as Open WebUI)", ref("OllamaModelForm"), _NDJSON, True),
    ("post", "/api/push", "Push a model (admin; as Ollama's clients)", ref("OllamaModelForm"), _NDJSON, True),
    ("post", "/api/create", "Create a model (admin; NDJSON progress)", ref("OllamaModelForm"), _NDJSON, True),
    ("post", "/api/copy", "Copy a model (admin)", ref("OllamaCopyForm"), _JSON, True),
    ("delete", "/api/delete", "Delete a model (admin)", ref("OllamaModelForm"), _JSON, True),
    ("post", "/api/show", "Show a model", ref("OllamaModelForm"), _JSON, False),
    ("post", "/api/embed", "Embeddings", ref("OllamaModelForm"), _JSON, True),
    ("post", "/api/embeddings", "Embeddings (legacy)", ref("OllamaModelForm"), _JSON, True),
    ("post", "/api/generate", "Generate (NDJSON when `stream`)", ref("OllamaGenerateForm"), _NDJSON, True),
    ("post", "/api/chat", "Chat (NDJSON when `stream`)", ref("OllamaChatForm"), _NDJSON, True),
    ("post", "/v1/completions", "OpenAI-compatible completions", ANY_OBJECT, _SSE, True),
    ("post", "/v1/chat/completions", "OpenAI-compatible chat completions", ANY_OBJECT, _SSE, True),
    ("post", "/v1/embeddings", "OpenAI-compatible embeddings", ANY_OBJECT, _JSON, True),
    ("post", "/v1/messages", "Anthropic-compatible messages", ANY_OBJECT, _SSE, True),
    ("post", "/v1/responses", "OpenAI-compatible responses", ANY_OBJECT, _SSE, True),
    ("get", "/v1/models", "OpenAI-compatible model list (with an index: admin)", None, _JSON, True),
)


def _operation(summary: str, body: dict | None, content: dict, indexed: bool) -> dict:
    return passthrough(
        operation(
            summary,
            tag=_TAG,
            body=body,
            ok_content=content,
            parameters=[_URL_IDX] if indexed else None,
            errors=(*_ERRORS, 501) if summary.endswith(_UNIMPLEMENTED) else _ERRORS,
        )
    )


def _paths() -> dict[str, dict]:
    paths: dict[str, dict] = {
        f"{PREFIX}/": {"get": operation("Ollama API status", tag=_TAG, ok=ref("Status"), auth=False)}
    }
    for method, path, summary, body, content, has_index in _TABLE:
        paths.setdefault(PREFIX + path, {})[method] = _operation(summary, body, content, False)
        if has_index:
            paths.setdefault(PREFIX + path + "/{url_idx}", {})[method] = _operation(
                summary, body, content, True
            )
    return paths


PATHS = _paths()
