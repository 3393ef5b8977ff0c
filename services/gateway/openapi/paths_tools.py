"""OpenAPI paths of ``/api/v1/tools``: Open WebUI's Python tools, their valves and access grants."""

from typing import Any

from services.gateway.forms.tools import ToolAccessForm, ToolForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref, user_ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas
from services.gateway.openapi.paths_files import with_links

_TAG = "tools"
_TOOL_ID = path_param("tool_id", "The tool's id")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_VALVES: dict[str, Any] = {"type": "object", "additionalProperties": True}
_USER = user_ref("The owner; null once the user is deleted")
_BASE: dict[str, Any] = {
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "name": {"type": "string"},
    "meta": ref("ToolMeta"),
    "access_grants": {"type": "array", "items": ref("ToolAccessGrant")},
    "updated_at": _TIMESTAMP,
    "created_at": _TIMESTAMP,
    "version_id": {"type": ["string", "null"], "description": "The current version (history entry)"},
}
_MODEL: dict[str, Any] = {
    **_BASE,
    "content": {"type": ["string", "null"], "description": "null where the caller may not write the tool"},
    "specs": {"type": "array", "items": ref("ToolSpec")},
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "ToolMeta": {
        "type": "object",
        "description": "`manifest` holds the code's frontmatter; other keys are kept as given",
        "properties": {
            "description": {"type": ["string", "null"]},
            "manifest": {"type": ["object", "null"], "additionalProperties": True},
            "has_user_valves": {"type": "boolean"},
        },
        "additionalProperties": True,
    },
    "ToolSpec": {
        "type": "object",
        "description": "An OpenAI function spec derived from a method's type hints and docstring",
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "parameters": {"type": "object", "additionalProperties": True},
        },
        "required": ["name", "description", "parameters"],
    },
    "ToolAccessGrant": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "resource_type": {"type": "string", "enum": ["tool"]},
            "resource_id": {"type": "string"},
            "principal_type": {"type": "string", "enum": ["user", "group"]},
            "principal_id": {"type": "string"},
            "permission": {"type": "string", "enum": ["read", "write"]},
            "created_at": _TIMESTAMP,
        },
        "additionalProperties": True,
    },
    **form_schemas(ToolForm),
    **form_schemas(ToolAccessForm),
    "ToolResponse": {
        "type": "object",
        "description": "A tool without its code and specs",
        "properties": _BASE,
        "required": list(_BASE),
        "additionalProperties": True,
    },
    "ToolModel": {
        "type": "object",
        "description": "A tool with its code and specs",
        "properties": _MODEL,
        "required": list(_MODEL),
        "additionalProperties": True,
    },
    "ToolAccessResponse": {
        "type": "object",
        "properties": {**_MODEL, "write_access": {"type": "boolean"}},
        "required": [*_MODEL, "write_access"],
        "additionalProperties": True,
    },
    "ToolListItem": {
        "type": "object",
        "description": "A Python tool (with `user`, `has_user_valves`, `write_access`; content null), "
        'or a tool server (`{"id": "server:<id>", "user_id", "name", "meta"}`)',
        "properties": {
            **_MODEL,
            "user": _USER,
            "has_user_valves": {"type": "boolean"},
            "write_access": {"type": "boolean"},
        },
        "required": ["id", "user_id", "name", "meta"],
        "additionalProperties": True,
    },
}


def _by_id(summary: str, ok: dict[str, Any], errors: tuple[int, ...] = (), **kwargs: Any) -> dict:
    return operation(
        summary,
        tag=_TAG,
        ok=ok,
        parameters=[_TOOL_ID],
        errors=(*BACKEND_ERRORS, *errors),
        description=kwargs.pop("description", ""),
        **kwargs,
    )


def _valves_paths(prefix: str, who: str, access: str) -> dict[str, dict[str, Any]]:
    return {
        f"/api/v1/tools/id/{{tool_id}}/{prefix}": {
            "get": _by_id(
                f"The tool's stored {who} valves (`{{}}` when none); {access}", _VALVES, (400, 404)
            ),
        },
        f"/api/v1/tools/id/{{tool_id}}/{prefix}/spec": {
            "get": _by_id(
                f"The JSON schema of the tool's {who} valves (null when it has none); {access}",
                {"anyOf": [_VALVES, {"type": "null"}]},
                (400, 404),
            ),
        },
        f"/api/v1/tools/id/{{tool_id}}/{prefix}/update": {
            "post": _by_id(
                f"Validate and store {who} valves; answers the values stored; {access}",
                _VALVES,
                (400, 413, 422),
                body=_VALVES,
                description="None values are dropped. A tool that does not exist, or has no such "
                "valves class, is answered with 401, as Open WebUI does.",
            ),
        },
    }


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/tools/": {
        "get": operation(
            "List the tools the caller may read, then the tool servers they may use",
            tag=_TAG,
            ok={"type": "array", "items": ref("ToolListItem")},
            parameters=[query_param("query", {"type": "string"}, "Case-insensitive substring of the name")],
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/tools/list": {
        "get": operation(
            "List the tools the caller may read, with write_access",
            tag=_TAG,
            ok={"type": "array", "items": ref("ToolAccessResponse")},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/tools/export": {
        "get": operation(
            "Export the tools with their code (admin)",
            tag=_TAG,
            ok={"type": "array", "items": ref("ToolModel")},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/tools/create": {
        "post": with_links(
            operation(
                "Create a tool from Python source (admins, or users with workspace tools access)",
                tag=_TAG,
                ok=ref("ToolResponse"),
                body=form_ref(ToolForm),
                errors=(*BACKEND_ERRORS, 400, 413, 422),
            ),
            "tool_id",
            {
                "GetTool": ("/api/v1/tools/id/{tool_id}", "get"),
                "UpdateTool": ("/api/v1/tools/id/{tool_id}/update", "post"),
                "GetToolValves": ("/api/v1/tools/id/{tool_id}/valves", "get"),
                "GetToolUserValves": ("/api/v1/tools/id/{tool_id}/valves/user", "get"),
                "DeleteTool": ("/api/v1/tools/id/{tool_id}/delete", "delete"),
            },
        ),
    },
    "/api/v1/tools/id/{tool_id}": {
        "get": _by_id(
            "Get a tool the caller may read (code only for writers)",
            ref("ToolAccessResponse"),
            (404,),
            description="A caller who may not read the tool is answered with 401, as Open WebUI does.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/specs": {
        "get": _by_id(
            "List the tools of an MCP server (`server:mcp:<id>`) the caller may use",
            {
                "type": "object",
                "properties": {
                    "specs": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
                            "required": ["name", "description"],
                        },
                    }
                },
                "required": ["specs"],
            },
            (404, 502, 504),
            description="The server is connected to and asked now. Any other id, or a server the "
            "caller may not use, is a 404 `Tool not found`; a server that does not answer in time "
            "is a 504 `Tool discovery timed out`, any other failure a 502 `Unable to load tools`.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/update": {
        "post": _by_id(
            "Replace a tool's name, meta and code (owner, write grant, admin)",
            ref("ToolModel"),
            (400, 413, 422),
            body=form_ref(ToolForm),
            description="A tool that does not exist is a 401, as in Open WebUI; changing the code "
            "also needs the right to create tools; code that does not load is a 400.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/access/update": {
        "post": _by_id(
            "Replace a tool's access grants (owner, write grant, admin)",
            ref("ToolModel"),
            (403, 404, 413, 422),
            body=form_ref(ToolAccessForm),
            description="A grant the caller may not give refuses the whole request (403).",
        ),
    },
    "/api/v1/tools/id/{tool_id}/delete": {
        "delete": _by_id(
            "Delete a tool (owner, write grant, admin)",
            {"type": "boolean"},
            description="A tool that does not exist is a 401, as in Open WebUI.",
        ),
    },
    **_valves_paths("valves", "admin", "owner, write grant or admin"),
    **_valves_paths("valves/user", "per-user", "owner, read grant or admin"),
}
