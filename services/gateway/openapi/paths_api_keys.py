"""``/api/v1/auths/api_keys``: many named, scoped API keys per user (beyond Open WebUI's one key)."""

from services.gateway.forms.api_keys import CreateApiKeyForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "auths"
_IDS = {"type": "array", "items": {"type": "string"}}
_KEY_PROPERTIES = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "kind": {"type": "string", "enum": ["full", "chat", "ingest", "read"]},
    "masked_key": {"type": "string", "description": "sk-… and the key's last four characters"},
    "created_at": {"type": "integer"},
    "expires_at": {"type": ["integer", "null"], "description": "Epoch seconds; null: never"},
    "expired": {"type": "boolean"},
    "last_used_at": {"type": ["integer", "null"], "description": "To within a minute; null: never used"},
    "model_ids": _IDS,
    "knowledge_ids": _IDS,
    "file_ids": _IDS,
}

_COUNT = {"type": "integer"}
_USAGE = {
    "description": "The key's lifetime usage from its usage records (GET /api/v1/usage has the "
    "detail); null when the usage service could not answer",
    "anyOf": [
        {
            "type": "object",
            "properties": {
                name: _COUNT
                for name in (
                    "requests",
                    "errors",
                    "input_tokens",
                    "output_tokens",
                    "total_tokens",
                    "context_tokens",
                    "chunks",
                    "estimated_requests",
                )
            },
        },
        {"type": "null"},
    ],
}

SCHEMAS = {
    **form_schemas(CreateApiKeyForm),
    "ScopedApiKeyWithUsage": {
        "type": "object",
        "properties": {**_KEY_PROPERTIES, "usage": _USAGE},
        "required": [*_KEY_PROPERTIES, "usage"],
    },
    "ScopedApiKey": {"type": "object", "properties": _KEY_PROPERTIES, "required": list(_KEY_PROPERTIES)},
    "CreatedApiKey": {
        "type": "object",
        "properties": {**_KEY_PROPERTIES, "api_key": {"type": "string", "description": "Shown this once"}},
        "required": [*_KEY_PROPERTIES, "api_key"],
    },
}

_KEY_ID = path_param("id", "The key's id")
_SCOPES = (
    "Kinds: `full` (whatever the user may), `chat` (models, completions, embeddings, retrieval "
    "queries), `ingest` (files and knowledge), `read` (reads only). A request outside the key's "
    "kind or lists is refused with 403 naming the key and its scope; an expired or revoked key "
    "gets 401 within 5 s on every replica."
)

PATHS = {
    "/api/v1/auths/api_keys": {
        "post": operation(
            "Create a named, scoped API key; the whole key is returned this once "
            "(a JWT session, not an API key: 403)",
            tag=_TAG,
            body=form_ref(CreateApiKeyForm),
            ok=ref("CreatedApiKey"),
            errors=(400, 403, 413, 422, *BACKEND_ERRORS),
            description=_SCOPES + " Model, collection and file ids must be ones the caller can list "
            "or read (400 names any other).",
        ),
        "get": operation(
            "The caller's API keys, masked, with their last use and lifetime usage",
            tag=_TAG,
            ok={"type": "array", "items": ref("ScopedApiKeyWithUsage")},
            errors=(403, *BACKEND_ERRORS),
        ),
    },
    "/api/v1/auths/api_keys/{id}": {
        "get": operation(
            "One of the caller's API keys, masked, with its lifetime usage",
            tag=_TAG,
            parameters=[_KEY_ID],
            ok=ref("ScopedApiKeyWithUsage"),
            errors=(403, 404, *BACKEND_ERRORS),
        ),
        "delete": operation(
            "Revoke one of the caller's API keys (a JWT session, not an API key: 403)",
            tag=_TAG,
            parameters=[_KEY_ID],
            ok=ref("ScopedApiKey"),
            errors=(403, 404, *BACKEND_ERRORS),
        ),
    },
}
