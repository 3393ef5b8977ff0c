"""System routes: liveness, readiness, metrics, version and the public config."""

from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    json_content,
    operation,
    optional_auth,
    ref,
)

_TAG = "system"

SCHEMAS = {
    "Status": {
        "type": "object",
        "properties": {"status": {"type": "boolean"}},
        "required": ["status"],
    },
    "ReadyStatus": {
        "type": "object",
        "description": "`status` is true when every backend (auth, inference, ingest) is SERVING; "
        "else `detail` names what is not (or that the gateway is shutting down).",
        "properties": {"status": {"type": "boolean"}, "detail": {"type": "string"}},
        "required": ["status"],
        "additionalProperties": True,
    },
    "Version": {
        "type": "object",
        "properties": {"version": {"type": "string"}, "deployment_id": {"type": "string"}},
        "required": ["version", "deployment_id"],
    },
    "Config": {
        "type": "object",
        "description": "The public config; signed-in users get their permissions and defaults too.",
        "properties": {
            "onboarding": {"type": "boolean"},
            "status": {"type": "boolean"},
            "name": {"type": "string"},
            "version": {"type": "string"},
            "default_locale": {"type": "string"},
            "oauth": ANY_OBJECT,
            "features": {
                "type": "object",
                "properties": {
                    "auth": {"type": "boolean"},
                    "enable_signup": {"type": "boolean"},
                    "enable_login_form": {"type": "boolean"},
                    "enable_api_keys": {"type": "boolean"},
                    "enable_admin_export": {"type": "boolean"},
                },
                "required": ["auth", "enable_signup", "enable_login_form"],
                "additionalProperties": True,
            },
            "default_models": {"type": "string"},
            "default_pinned_models": {"type": "string"},
            "default_prompt_suggestions": {"type": "array"},
            "file": ANY_OBJECT,
            "permissions": ANY_OBJECT,
            "ui": ANY_OBJECT,
        },
        "required": ["status", "name", "version", "features"],
        "additionalProperties": True,
    },
}

_ready = operation(
    "Readiness: 200 when auth, inference and ingest answer gRPC health SERVING",
    tag=_TAG,
    ok=ref("ReadyStatus"),
    auth=False,
)
_ready["responses"]["503"] = {
    "description": "A backend is not serving",
    "content": json_content(ref("ReadyStatus")),
}

PATHS = {
    "/health": {"get": operation("Liveness", tag=_TAG, ok=ref("Status"), auth=False)},
    "/ready": {"get": _ready},
    "/metrics": {
        "get": operation(
            "Prometheus metrics (text exposition format)",
            tag=_TAG,
            ok_content={"text/plain": {"schema": {"type": "string"}}},
            auth=False,
        )
    },
    "/api/version": {"get": operation("Version", tag=_TAG, ok=ref("Version"), auth=False)},
    "/api/config": {
        "get": optional_auth(
            operation(
                "Public config (more fields for a signed-in user)",
                tag=_TAG,
                ok=ref("Config"),
                errors=BACKEND_ERRORS,
                auth=False,
            )
        )
    },
}
