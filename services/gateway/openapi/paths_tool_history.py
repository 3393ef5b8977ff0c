"""OpenAPI paths of a tool's versions (``/api/v1/tools/id/{id}/history``, ``/update/version``)
and of ``/api/v1/tools/load/url``."""

from typing import Any

from services.gateway.forms.tools import ToolLoadUrlForm, ToolVersionForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "tools"
_TOOL_ID = path_param("tool_id", "The tool's id")
_HISTORY_ID = path_param("history_id", "The version's id")
_ACCESS = "owner, write grant, admin"
_ENTRY: dict[str, Any] = {
    "id": {"type": "string"},
    "tool_id": {"type": "string"},
    "parent_id": {"type": ["string", "null"], "description": "The version this one was made from"},
    "user_id": {"type": "string", "description": "Who made the change"},
    "commit_message": {"type": ["string", "null"]},
    "created_at": {"type": "integer", "description": "Unix time in seconds"},
    "user": {
        "description": "The author's name; null once the user is deleted",
        "anyOf": [
            {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
            {"type": "null"},
        ],
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "ToolVersion": {
        "type": "object",
        "description": "One stored version of a tool: every create and update stores one",
        "properties": _ENTRY,
        "required": list(_ENTRY),
    },
    "ToolVersionSnapshot": {
        "type": "object",
        "description": "A version with what the tool was at that version",
        "properties": {
            **_ENTRY,
            "snapshot": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "content": {"type": "string"},
                    "specs": {"type": "array", "items": ref("ToolSpec")},
                    "meta": ref("ToolMeta"),
                },
                "required": ["name", "content", "specs", "meta"],
            },
        },
        "required": [*_ENTRY, "snapshot"],
    },
    "ToolVersionDiff": {
        "type": "object",
        "description": "Unified diffs (empty where equal) of two versions' code and meta (JSON, sorted keys)",
        "properties": {
            "from_id": {"type": "string"},
            "to_id": {"type": "string"},
            "name": {
                "type": "object",
                "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
                "required": ["from", "to"],
            },
            "content": {"type": "string"},
            "meta": {"type": "string"},
        },
        "required": ["from_id", "to_id", "name", "content", "meta"],
    },
    **form_schemas(ToolVersionForm),
    **form_schemas(ToolLoadUrlForm),
    "ToolSource": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "content": {"type": "string"}},
        "required": ["name", "content"],
    },
}


def _history(summary: str, ok: dict[str, Any], errors: tuple[int, ...], **kwargs: Any) -> dict:
    return operation(
        f"{summary} ({_ACCESS})",
        tag=_TAG,
        ok=ok,
        parameters=[_TOOL_ID, *kwargs.pop("parameters", [])],
        errors=(*BACKEND_ERRORS, *errors),
        **kwargs,
    )


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/tools/load/url": {
        "post": operation(
            "Fetch a tool's source from a URL for the create form (admin)",
            tag=_TAG,
            ok=ref("ToolSource"),
            body=form_ref(ToolLoadUrlForm),
            errors=(*BACKEND_ERRORS, 400, 413, 422, 500, 502),
            description="GitHub `tree` URLs read the folder's `main.py`, `blob` URLs the raw file. "
            "The inference service fetches it: only addresses inside `VERIFY_ALLOWED_NETWORKS`, no "
            "redirect followed, within `TOOL_LOAD_URL_TIMEOUT_S` and `TOOL_LOAD_URL_MAX_BYTES`. A "
            "non-200 answer is passed on with its status and `Failed to fetch the tool`; an empty one "
            "is a 400 `No data received from the URL`; a failed connection a 500 "
            "`[ERROR: Error fetching tool]`. `name` is the file (or folder) name, as Open WebUI "
            "gives it.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/history": {
        "get": _history(
            "List a tool's versions, newest first, 30 a page",
            {"type": "array", "items": ref("ToolVersion")},
            (404,),
            parameters=[query_param("page", {"type": "integer", "minimum": 1}, "1-based page")],
            description="A tool that does not exist is a 404 `Not found`; a caller who may not "
            "write it a 401 `ACCESS_PROHIBITED`.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/history/diff": {
        "get": _history(
            "Diff two versions of a tool",
            ref("ToolVersionDiff"),
            (404,),
            parameters=[
                query_param("from_id", {"type": "string"}, "Default: the parent of `to_id`"),
                query_param("to_id", {"type": "string"}, "Default: the current version"),
            ],
            description="A version that is not the tool's is a 404 `Version not found`.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/history/{history_id}": {
        "get": _history(
            "Get one version of a tool with its snapshot",
            ref("ToolVersionSnapshot"),
            (404,),
            parameters=[_HISTORY_ID],
        ),
        "delete": _history(
            "Delete one version of a tool (not the current one)",
            {"type": "boolean"},
            (400, 404),
            parameters=[_HISTORY_ID],
            description="Versions made from it then count as made from its parent.",
        ),
    },
    "/api/v1/tools/id/{tool_id}/update/version": {
        "post": _history(
            "Make a stored version the tool's code, name and meta again",
            ref("ToolModel"),
            (400, 404, 413, 422),
            body=form_ref(ToolVersionForm),
            description="No new version is stored: `version_id` becomes the one re-applied. Code "
            "that no longer loads is a 400; re-applying other code also needs the right to create "
            "tools.",
        ),
    },
}
