"""The vocabulary every paths module uses to describe its operations (OpenAPI 3.1 dicts)."""

from typing import Any

Schema = dict[str, Any]

# Every error the gateway renders: `{"detail": ...}` (a string, or FastAPI-style validation items).
ERROR: Schema = {
    "type": "object",
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array"}, {"type": "object"}]}},
    "required": ["detail"],
}
# A JSON object whose keys are free-form (upstream bodies, model metadata, …).
ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}
ANY_JSON: Schema = {}


def user_ref(description: str) -> Schema:
    """Open WebUI's ``user`` object on a shared resource (``{id, name, role, email}``), or null once
    the user is deleted."""
    return {
        "description": description,
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "role": {"type": "string"},
                    "email": {"type": "string"},
                },
                "required": ["id", "name", "role", "email"],
            },
            {"type": "null"},
        ],
    }


SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}, {"tokenCookie": []}]
SECURITY_SCHEMES: Schema = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A JWT or an `sk-` API key"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    "tokenCookie": {"type": "apiKey", "in": "cookie", "name": "token"},
}
_REASONS = {
    200: "Successful Response",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Validation Error",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def path_param(name: str, description: str = "", schema: Schema | None = None) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def query_param(name: str, schema: Schema, description: str = "", required: bool = False) -> Schema:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def operation(
    summary: str,
    *,
    tag: str,
    ok: Schema | None = None,
    ok_content: dict[str, Any] | None = None,
    body: Schema | None = None,
    body_content: dict[str, Any] | None = None,
    body_required: bool = True,
    parameters: list[Schema] | None = None,
    errors: tuple[int, ...] = (),
    auth: bool = True,
    description: str = "",
) -> Schema:
    """One operation: a 200 with ``ok`` (JSON) or ``ok_content`` (other media types), an optional
    JSON ``body`` (or ``body_content``), and ``{"detail"}`` errors for each status in ``errors``
    (plus 401 when ``auth``)."""
    responses: dict[str, Any] = {
        "200": {
            "description": _REASONS[200],
            "content": ok_content
            if ok_content is not None
            else json_content(ok if ok is not None else ANY_JSON),
        }
    }
    codes = sorted({*errors, *((401,) if auth else ())})
    for code in codes:
        responses[str(code)] = {
            "description": _REASONS.get(code, "Error"),
            "content": json_content(ref("Error")),
        }
    op: Schema = {"tags": [tag], "summary": summary, "responses": responses}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if body is not None or body_content is not None:
        op["requestBody"] = {
            "required": body_required,
            "content": body_content if body_content is not None else json_content(body or ANY_OBJECT),
        }
    if auth:
        op["security"] = SECURITY
    return op


# What any route that calls a backend service may answer besides its own errors.
BACKEND_ERRORS = (503, 504)
# Media types an upstream's passed-through reply may carry.
# (A `text/event-stream` schema describes each event as parsed: `{"data", "event"?, "id"?, "retry"?}`.)
SSE_EVENT: Schema = {
    "type": "object",
    "properties": {
        "data": {"type": "string", "description": "Usually a JSON object; `[DONE]` ends OpenAI streams"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
    "required": ["data"],
}
STREAM_CONTENT: dict[str, Any] = {
    "text/event-stream": {"schema": SSE_EVENT},
    "application/x-ndjson": {"schema": {"type": "string", "description": "One JSON object a line"}},
}


# Statuses only the gateway itself answers (credentials, body size, body syntax): always `{"detail"}`.
_OWN_STATUSES = ("200", "401", "413", "422")
_UPSTREAM_BODY: dict[str, Any] = {
    "application/json": {
        "schema": {"description": "The gateway's `{\"detail\": …}`, or the upstream's own error body"}
    },
    "*/*": {"schema": ANY_JSON},
}


def passthrough(op: Schema, description: str = "The upstream's status and body, passed through") -> Schema:
    """``op`` for a route whose upstream's answer (its errors included) reaches the client unchanged:
    the error statuses an upstream may give too carry its body, and a ``default`` covers the rest."""
    for status, response in op["responses"].items():
        if status not in _OWN_STATUSES:
            response["content"] = _UPSTREAM_BODY
    op["responses"]["default"] = {"description": description, "content": {"*/*": {"schema": ANY_JSON}}}
    return op


def optional_auth(op: Schema) -> Schema:
    """``op`` callable with or without a credential (the reply depends on who asks)."""
    op["security"] = [*SECURITY, {}]
    return op


# A chat message as clients send it (OpenAI's and Ollama's shape); other keys pass through.
CHAT_MESSAGE: Schema = {
    "type": "object",
    "properties": {
        "role": {"type": "string", "enum": ["system", "user", "assistant", "tool"]},
        "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": ANY_OBJECT}]},
    },
    "required": ["role", "content"],
    "additionalProperties": True,
}
