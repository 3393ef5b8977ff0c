"""``GET /api/models`` (alias ``/api/v1/models``) and ``GET /api/models/base``."""

from services.gateway.openapi.common import BACKEND_ERRORS, operation, query_param, ref

_TAG = "models"

SCHEMAS = {
    "Model": {
        "type": "object",
        "description": "A model as Open WebUI lists it (upstream fields kept).",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "object": {"type": "string"},
            "created": {"type": "integer"},
            "owned_by": {"type": "string"},
        },
        "required": ["id"],
        "additionalProperties": True,
    },
    "ModelList": {
        "type": "object",
        "properties": {"data": {"type": "array", "items": ref("Model")}},
        "required": ["data"],
    },
}

_REFRESH = query_param("refresh", {"type": "boolean", "default": False}, "Ask the upstreams again")


def _list(summary: str) -> dict:
    return operation(
        summary, tag=_TAG, parameters=[_REFRESH], ok=ref("ModelList"), errors=(422, *BACKEND_ERRORS)
    )


PATHS = {
    "/api/models": {"get": _list("Every model the caller may use")},
    "/api/v1/models": {"get": _list("Every model the caller may use (alias of /api/models)")},
    "/api/models/base": {"get": _list("Base models: functions and upstreams, no workspace presets (admin)")},
}
