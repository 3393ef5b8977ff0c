"""OpenAPI paths of ``/api/v1/prompts``: Open WebUI's prompts, their grants and versions."""

from typing import Any

from services.gateway.forms.prompts import PromptAccessForm, PromptForm, PromptMetaForm, PromptVersionForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref, user_ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas
from services.gateway.openapi.paths_files import with_links

_TAG = "prompts"
_PROMPT_ID = path_param("prompt_id", "The prompt's id (a uuid)")
_HISTORY_ID = path_param("history_id", "The version's id")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
_USER = user_ref("The owner (or author); null once the user is deleted")
_PROMPT: dict[str, Any] = {
    "id": {"type": "string"},
    "command": {"type": "string"},
    "user_id": {"type": "string"},
    "name": {"type": "string"},
    "content": {"type": "string"},
    "data": _OBJECT,
    "meta": _OBJECT,
    "tags": {"type": "array", "items": {"type": "string"}},
    "is_active": {"type": "boolean"},
    "version_id": {"type": ["string", "null"], "description": "The live version (history entry)"},
    "created_at": _TIMESTAMP,
    "updated_at": _TIMESTAMP,
    "access_grants": {"type": "array", "items": ref("PromptAccessGrant")},
}
_VERSION: dict[str, Any] = {
    "id": {"type": "string"},
    "prompt_id": {"type": "string"},
    "parent_id": {"type": ["string", "null"], "description": "The version this one was made from"},
    "snapshot": {
        "type": "object",
        "description": "The prompt at that version: name, content, command, data, meta, tags, access_grants",
        "additionalProperties": True,
    },
    "user_id": {"type": "string", "description": "Who made the change"},
    "commit_message": {"type": ["string", "null"]},
    "created_at": _TIMESTAMP,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "PromptAccessGrant": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "resource_type": {"type": "string", "enum": ["prompt"]},
            "resource_id": {"type": "string"},
            "principal_type": {"type": "string", "enum": ["user", "group"]},
            "principal_id": {"type": "string"},
            "permission": {"type": "string", "enum": ["read", "write"]},
            "created_at": _TIMESTAMP,
        },
        "additionalProperties": True,
    },
    **form_schemas(PromptForm, PromptMetaForm, PromptAccessForm, PromptVersionForm),
    "PromptModel": {
        "type": "object",
        "properties": _PROMPT,
        "required": list(_PROMPT),
        "additionalProperties": True,
    },
    "PromptAccessResponse": {
        "type": "object",
        "description": "A prompt with its owner and whether the caller may change it",
        "properties": {**_PROMPT, "user": _USER, "write_access": {"type": "boolean"}},
        "required": [*_PROMPT, "user", "write_access"],
        "additionalProperties": True,
    },
    "PromptAccessList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref("PromptAccessResponse")},
            "total": {"type": "integer", "description": "Matches over all pages"},
        },
        "required": ["items", "total"],
    },
    "PromptHistoryModel": {
        "type": "object",
        "description": "One stored version of a prompt",
        "properties": _VERSION,
        "required": list(_VERSION),
    },
    "PromptHistoryResponse": {
        "type": "object",
        "properties": {**_VERSION, "user": _USER},
        "required": [*_VERSION, "user"],
    },
    "PromptDiff": {
        "type": "object",
        "description": "Both snapshots and the unified diff of their content, one line per item",
        "properties": {
            "from_id": {"type": "string"},
            "to_id": {"type": "string"},
            "from_snapshot": _OBJECT,
            "to_snapshot": _OBJECT,
            "content_diff": {"type": "array", "items": {"type": "string"}},
            "name_changed": {"type": "boolean"},
        },
        "required": ["from_id", "to_id", "from_snapshot", "to_snapshot", "content_diff", "name_changed"],
    },
}

_WRITE = "owner, write grant, admin"
_READ = "owner, read grant, admin"


def _by_id(summary: str, ok: dict[str, Any], errors: tuple[int, ...], **kwargs: Any) -> dict:
    return operation(
        summary,
        tag=_TAG,
        ok=ok,
        parameters=[_PROMPT_ID, *kwargs.pop("parameters", [])],
        errors=(*BACKEND_ERRORS, 404, *errors),
        **kwargs,
    )


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/prompts/": {
        "get": operation(
            "List the active prompts the caller may read, most recently updated first",
            tag=_TAG,
            ok={"type": "array", "items": ref("PromptModel")},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/prompts/tags": {
        "get": operation(
            "The distinct tags of the active prompts the caller may read, sorted",
            tag=_TAG,
            ok={"type": "array", "items": {"type": "string"}},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/prompts/list": {
        "get": operation(
            "Search the prompts the caller may read (active or not), 30 a page",
            tag=_TAG,
            ok=ref("PromptAccessList"),
            parameters=[
                query_param(
                    "query", {"type": "string"}, "Case-insensitive substring of name, command or content"
                ),
                query_param(
                    "view_option",
                    {"type": "string"},
                    "`created`: the caller's own; `shared`: others' (anything else: both)",
                ),
                query_param("tag", {"type": "string"}, "A tag the prompt carries (case-insensitive)"),
                query_param("order_by", {"type": "string"}, "`name`, `created_at` or `updated_at` (default)"),
                query_param("direction", {"type": "string"}, "`asc`; anything else sorts descending"),
                query_param("page", {"type": "integer", "minimum": 1, "default": 1}, "1-based page"),
            ],
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/prompts/create": {
        "post": with_links(
            operation(
                "Create a prompt (admins, or users with workspace.prompts or workspace.prompts_import)",
                tag=_TAG,
                ok=ref("PromptModel"),
                body=form_ref(PromptForm),
                errors=(*BACKEND_ERRORS, 400, 413, 422),
                description="`command` is globally unique (400 `Uh-oh! This command is already "
                "registered. …`). Grants the caller may not give (§6.2) are dropped; a grant to a "
                "group that does not exist is a 400. The first version (`Initial version` unless "
                "`commit_message` says otherwise) becomes the live one.",
            ),
            "prompt_id",
            {
                "GetPrompt": ("/api/v1/prompts/id/{prompt_id}", "get"),
                "UpdatePrompt": ("/api/v1/prompts/id/{prompt_id}/update", "post"),
                "PromptHistory": ("/api/v1/prompts/id/{prompt_id}/history", "get"),
                "DeletePrompt": ("/api/v1/prompts/id/{prompt_id}/delete", "delete"),
            },
        ),
    },
    "/api/v1/prompts/id/{prompt_id}": {
        "get": _by_id(
            f"Get a prompt with its owner and write_access ({_READ})",
            ref("PromptAccessResponse"),
            (),
            description="A prompt the caller may not read is a 404, as a missing one.",
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/update": {
        "post": _by_id(
            f"Change a prompt ({_WRITE})",
            ref("PromptModel"),
            (400, 413, 422),
            body=form_ref(PromptForm),
            description="A version is stored when name, command, content or tags changed; with "
            "`is_production: false` it is stored but the live name, content, data, meta and tags stay "
            "(the command still changes). Empty `data`/`meta` keep the stored ones. `access_grants` "
            "is ignored here (see `/access/update`). A command another prompt holds is a 400.",
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/update/meta": {
        "post": _by_id(
            f"Change a prompt's name, command and tags without storing a version ({_WRITE})",
            ref("PromptModel"),
            (400, 413, 422),
            body=form_ref(PromptMetaForm),
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/update/version": {
        "post": _by_id(
            f"Make a stored version live ({_WRITE})",
            ref("PromptModel"),
            (400, 413, 422),
            body=form_ref(PromptVersionForm),
            description="Restores the version's name, content, data, meta and tags (not its "
            "command or grants). A version that is not this prompt's is a 400 `Something went wrong :/`.",
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/access/update": {
        "post": _by_id(
            f"Replace a prompt's access grants ({_WRITE})",
            ref("PromptModel"),
            (400, 403, 413, 422),
            body=form_ref(PromptAccessForm),
            description="A grant the caller may not give (§6.2) refuses the whole request (403); a "
            "grant to a group that does not exist is a 400.",
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/toggle": {
        "post": _by_id(f"Switch a prompt on or off ({_WRITE})", ref("PromptModel"), ()),
    },
    "/api/v1/prompts/id/{prompt_id}/delete": {
        "delete": _by_id(f"Delete a prompt and its versions ({_WRITE})", {"type": "boolean"}, ()),
    },
    "/api/v1/prompts/id/{prompt_id}/history": {
        "get": _by_id(
            f"List a prompt's versions, newest first, 20 a page ({_READ})",
            {"type": "array", "items": ref("PromptHistoryResponse")},
            (422,),
            parameters=[query_param("page", {"type": "integer", "minimum": 0, "default": 0}, "0-based page")],
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/history/diff": {
        "get": _by_id(
            f"Diff two versions of a prompt ({_READ})",
            ref("PromptDiff"),
            (422,),
            parameters=[
                query_param("from_id", {"type": "string"}, "The older version", required=True),
                query_param("to_id", {"type": "string"}, "The newer version", required=True),
            ],
            description="A version that is not this prompt's is a 404 "
            "`One or both history entries not found`.",
        ),
    },
    "/api/v1/prompts/id/{prompt_id}/history/{history_id}": {
        "get": _by_id(
            f"Get one version of a prompt ({_READ})",
            ref("PromptHistoryModel"),
            (),
            parameters=[_HISTORY_ID],
        ),
        "delete": _by_id(
            f"Delete one version of a prompt, not the live one ({_WRITE})",
            {"type": "boolean"},
            (400,),
            parameters=[_HISTORY_ID],
            description="The live version is a 400 `Cannot delete the active production version`; "
            "versions made from the deleted one then count as made from its parent.",
        ),
    },
}
