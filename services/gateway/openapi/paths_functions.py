"""OpenAPI paths of ``/api/v1/functions``: Open WebUI functions (pipes, filters), their code,
switches and valves."""

from typing import Any

from services.gateway.forms.functions import FunctionForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas
from services.gateway.openapi.paths_files import with_links

_TAG = "functions"
_FUNCTION_ID = path_param("function_id", "The function's id")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_RESPONSE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "type": {"type": "string", "enum": ["pipe", "filter", "action", "event"]},
    "name": {"type": "string"},
    "meta": ref("FunctionMeta"),
    "is_active": {"type": "boolean"},
    "is_global": {"type": "boolean"},
    "updated_at": _TIMESTAMP,
    "created_at": _TIMESTAMP,
}
_RESPONSE_REQUIRED = list(_RESPONSE_PROPERTIES)
_VALVES: dict[str, Any] = {"type": "object", "additionalProperties": True}

SCHEMAS: dict[str, dict[str, Any]] = {
    "FunctionMeta": {
        "type": "object",
        "description": "`manifest` holds the code's frontmatter; `toggle` marks a user-switchable filter; "
        "other keys are kept as given",
        "properties": {
            "description": {"type": ["string", "null"]},
            "manifest": {"type": ["object", "null"], "additionalProperties": True},
            "toggle": {"type": "boolean"},
        },
        "additionalProperties": True,
    },
    **form_schemas(FunctionForm),
    "FunctionResponse": {
        "type": "object",
        "description": "A function without its code",
        "properties": _RESPONSE_PROPERTIES,
        "required": _RESPONSE_REQUIRED,
        "additionalProperties": True,
    },
    "FunctionWithUser": {
        "type": "object",
        "properties": {
            **_RESPONSE_PROPERTIES,
            "user": {
                "description": "The owner; null once the user is deleted",
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
            },
        },
        "required": [*_RESPONSE_REQUIRED, "user"],
        "additionalProperties": True,
    },
    "FunctionModel": {
        "type": "object",
        "description": "A function with its code",
        "properties": {**_RESPONSE_PROPERTIES, "content": {"type": "string"}},
        "required": [*_RESPONSE_REQUIRED, "content"],
        "additionalProperties": True,
    },
}

# A missing function is a 401 (Open WebUI's answer), like a caller who is not an admin.
_NOT_FOUND_NOTE = "A function that does not exist is answered with 401, as Open WebUI does."


def _by_id(summary: str, ok: dict[str, Any], errors: tuple[int, ...] = (), **kwargs: Any) -> dict:
    return operation(
        summary,
        tag=_TAG,
        ok=ok,
        parameters=[_FUNCTION_ID],
        errors=(*BACKEND_ERRORS, *errors),
        description=kwargs.pop("description", _NOT_FOUND_NOTE),
        **kwargs,
    )


def _valves_paths(prefix: str, who: str) -> dict[str, dict[str, Any]]:
    return {
        f"/api/v1/functions/id/{{function_id}}/{prefix}": {
            "get": _by_id(f"The function's stored {who} valves (`{{}}` when none)", _VALVES, (400,)),
        },
        f"/api/v1/functions/id/{{function_id}}/{prefix}/spec": {
            "get": _by_id(
                f"The JSON schema of the function's {who} valves (null when it has none)",
                {"anyOf": [_VALVES, {"type": "null"}]},
                (400,),
            ),
        },
        f"/api/v1/functions/id/{{function_id}}/{prefix}/update": {
            "post": _by_id(
                f"Validate and store {who} valves; answers the values stored",
                _VALVES,
                (400, 413, 422),
                body=_VALVES,
                description=f"None values are dropped. {_NOT_FOUND_NOTE} So is a function without "
                "such a valves class.",
            ),
        },
    }


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/functions/": {
        "get": operation(
            "List the functions ([] while functions are disabled)",
            tag=_TAG,
            ok={"type": "array", "items": ref("FunctionResponse")},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/functions/list": {
        "get": operation(
            "List the functions with their owners (admin)",
            tag=_TAG,
            ok={"type": "array", "items": ref("FunctionWithUser")},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/functions/create": {
        "post": with_links(
            operation(
                "Create a function from Python source (admin); new functions are inactive",
                tag=_TAG,
                ok=ref("FunctionResponse"),
                body=form_ref(FunctionForm),
                errors=(*BACKEND_ERRORS, 400, 413, 422),
            ),
            "function_id",
            {
                "GetFunction": ("/api/v1/functions/id/{function_id}", "get"),
                "UpdateFunction": ("/api/v1/functions/id/{function_id}/update", "post"),
                "ToggleFunction": ("/api/v1/functions/id/{function_id}/toggle", "post"),
                "GetFunctionValves": ("/api/v1/functions/id/{function_id}/valves", "get"),
                "GetFunctionValvesSpec": ("/api/v1/functions/id/{function_id}/valves/spec", "get"),
                "GetFunctionUserValves": ("/api/v1/functions/id/{function_id}/valves/user", "get"),
                "DeleteFunction": ("/api/v1/functions/id/{function_id}/delete", "delete"),
            },
        ),
    },
    "/api/v1/functions/id/{function_id}": {
        "get": _by_id("Get a function with its code (admin)", ref("FunctionModel")),
    },
    "/api/v1/functions/id/{function_id}/update": {
        "post": _by_id(
            "Replace a function's code, name and meta (admin)",
            ref("FunctionModel"),
            (400, 413, 422),
            body=form_ref(FunctionForm),
            description="Code that does not load is a 400 and switches the function off; "
            "a function that does not exist is a 400 too.",
        ),
    },
    "/api/v1/functions/id/{function_id}/toggle": {
        "post": _by_id("Switch a function on or off (admin)", ref("FunctionModel")),
    },
    "/api/v1/functions/id/{function_id}/toggle/global": {
        "post": _by_id("Make a filter or action run for every model (admin)", ref("FunctionModel")),
    },
    "/api/v1/functions/id/{function_id}/delete": {
        "delete": _by_id(
            "Delete a function (admin); true whether or not it existed",
            {"type": "boolean"},
            description="",
        ),
    },
    **_valves_paths("valves", "admin"),
    **_valves_paths("valves/user", "per-user"),
}
