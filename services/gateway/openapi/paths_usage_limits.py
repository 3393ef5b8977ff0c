"""OpenAPI paths of ``/api/v1/usage/limits``: usage limits per API key, user and group (admins)."""

from typing import Any

from services.gateway.forms.usage_limits import UsageLimitsForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "usage"
_LIMIT: dict[str, Any] = {"type": ["integer", "null"], "minimum": 0}
_FIELDS: dict[str, Any] = {
    "rpm": {**_LIMIT, "description": "Requests per minute"},
    "tpm": {**_LIMIT, "description": "Tokens per minute"},
    "tpd": {**_LIMIT, "description": "Tokens per UTC day"},
    "budget_day": {**_LIMIT, "description": "Token budget per UTC day"},
    "budget_month": {**_LIMIT, "description": "Token budget per UTC month"},
}
_OVER_LIMIT = (
    "Over a limit, billable calls (chat completions, embeddings, /ollama and /openai generation, "
    "file uploads and processing) answer 429 with `Retry-After`, `x-ratelimit-limit-*`, "
    "`x-ratelimit-remaining-*`, `x-ratelimit-reset-*` (`-requests` or `-tokens`) and a detail "
    "object naming the limit: `{message, type: rate_limit_exceeded, subject_type, subject_id, "
    "limit: rpm|tpm|tpd|budget_day|budget_month, value, window, retry_after}`."
)

SCHEMAS: dict[str, dict[str, Any]] = {
    **form_schemas(UsageLimitsForm),
    "UsageLimits": {
        "type": "object",
        "description": "One subject's limits: null = the subject type's default, 0 = no limit.",
        "properties": {
            "subject_type": {"type": "string", "enum": ["key", "user", "group"]},
            "subject_id": {"type": "string"},
            **_FIELDS,
            "updated_at": {"type": "integer", "description": "Epoch milliseconds"},
        },
        "required": ["subject_type", "subject_id", *_FIELDS, "updated_at"],
    },
    "UsageLimitsList": {
        "type": "object",
        "properties": {
            "limits": {"type": "array", "items": ref("UsageLimits")},
            "defaults": {
                "type": "object",
                "description": "Per subject type (key, user, group): the environment's defaults (0: none)",
                "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
        "required": ["limits", "defaults"],
    },
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/usage/limits": {
        "get": operation(
            "Every stored subject's limits, and the defaults per subject type (admins)",
            tag=_TAG,
            ok=ref("UsageLimitsList"),
            errors=(401, 403, *BACKEND_ERRORS),
            description=_OVER_LIMIT,
        ),
        "post": operation(
            "Store (replace) one subject's limits (admins)",
            tag=_TAG,
            ok=ref("UsageLimits"),
            body=form_ref(UsageLimitsForm),
            errors=(400, 401, 403, 422, *BACKEND_ERRORS),
            description="Takes effect on every replica within USAGE_LIMITS_TTL_S (2 s).",
        ),
    },
    "/api/v1/usage/limits/{subject_type}/{subject_id}": {
        "delete": operation(
            "Forget one subject's limits: the defaults apply again (admins)",
            tag=_TAG,
            ok={"type": "boolean"},
            parameters=[
                path_param("subject_type", "key, user or group"),
                path_param("subject_id", "The API key's, user's or group's id"),
            ],
            errors=(400, 401, 403, 404, *BACKEND_ERRORS),
        ),
    },
}
