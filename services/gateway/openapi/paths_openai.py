"""``/openai/*``: the OpenAI-compatible upstreams; any other path is the opt-in pass-through."""

from services.gateway.openapi.common import (
    ANY_JSON,
    ANY_OBJECT,
    BACKEND_ERRORS,
    STREAM_CONTENT,
    json_content,
    operation,
    passthrough,
    path_param,
    ref,
)

_TAG = "openai"
PREFIX = "/openai"

SCHEMAS: dict[str, dict] = {}

_JSON = json_content(ANY_JSON)
_SSE = {**_JSON, "text/event-stream": STREAM_CONTENT["text/event-stream"]}
_AUDIO = {"audio/*": {"schema": {"type": "string", "format": "binary"}}}
_ERRORS = (400, 403, 404, 413, 422, 502, *BACKEND_ERRORS)
_URL_IDX = path_param(
    "url_idx", "Index of the upstream in OPENAI_API_BASE_URLS", {"type": "integer", "minimum": 0}
)
_PATH = path_param("path", "The upstream path (may hold `/`)")


def _op(
    summary: str,
    body: dict | None = None,
    content: dict = _JSON,
    params: list | None = None,
    errors: tuple[int, ...] = _ERRORS,
) -> dict:
    return passthrough(
        operation(summary, tag=_TAG, body=body, ok_content=content, parameters=params, errors=errors)
    )


def _passthrough_op(method: str) -> dict:
    body = ANY_JSON if method in ("post", "put", "patch") else None
    op = _op(
        "Any other upstream path: passed through when ENABLE_OPENAI_API_PASSTHROUGH is set, else 403",
        body,
        _SSE,
        [_PATH],
    )
    if body is not None:
        op["requestBody"]["required"] = False
    return op


PATHS = {
    f"{PREFIX}/config": {"get": _op("OpenAI connections config (admin)")},
    f"{PREFIX}/config/update": {
        "post": _op(
            "Update the OpenAI connections config (admin); 501 in this deployment (configured from the "
            "environment)",
            ANY_OBJECT,
            errors=(*_ERRORS, 501),
        )
    },
    f"{PREFIX}/verify": {"post": _op("Check an OpenAI connection (admin)", ANY_OBJECT)},
    f"{PREFIX}/models": {
        "get": _op("Models of every OpenAI-compatible upstream", content=json_content(ref("ModelList")))
    },
    PREFIX + "/models/{url_idx}": {"get": _op("Models of one upstream", params=[_URL_IDX])},
    f"{PREFIX}/chat/completions": {
        "post": _op("Chat completion (streams server-sent events when `stream` is true)", ANY_OBJECT, _SSE)
    },
    # Served whether or not the pass-through is enabled: to an upstream serving the body's model.
    f"{PREFIX}/responses": {
        "post": _op("Responses API, to an upstream serving the model (SSE when `stream`)", ANY_OBJECT, _SSE)
    },
    f"{PREFIX}/audio/speech": {
        "post": _op("Text to speech, to an upstream serving the model", ANY_OBJECT, _AUDIO)
    },
    PREFIX + "/{path}": {m: _passthrough_op(m) for m in ("get", "post", "put", "patch", "delete")},
}
