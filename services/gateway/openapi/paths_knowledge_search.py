"""OpenAPI paths of knowledge search, knowledge file search, pending files, export and reindexing."""

from typing import Any

from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref

_TAG = "knowledge"
_KNOWLEDGE_ID = path_param("knowledge_id", "The collection's id")
_PAGE = query_param("page", {"type": "integer", "default": 1}, "1-based page number (30 a page)")


def _text(name: str, description: str, values: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if values:
        # Documented values; anything else is ignored, as Open WebUI does.
        schema["examples"] = values
    return query_param(name, schema, description)


SCHEMAS: dict[str, dict[str, Any]] = {
    "KnowledgeFileSearchItem": {
        "type": "object",
        "description": "A file as linked into one collection (a file in two collections is two items)",
        "allOf": [ref("KnowledgeFileItem")],
        "properties": {"collection": {"type": "object", "additionalProperties": True}},
        "required": ["collection"],
    },
    "KnowledgeFileSearchList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref("KnowledgeFileSearchItem")},
            "directories": {"type": "array", "items": {}},
            "breadcrumbs": {"type": "array", "items": {}},
            "total": {"type": "integer"},
        },
        "required": ["items", "directories", "breadcrumbs", "total"],
    },
    "KnowledgePendingEvent": {
        "type": "object",
        "description": "One server-sent event: `data: [<FileModelResponse>…]`, the whole pending set",
        "properties": {"data": {"type": "string"}},
        "required": ["data"],
    },
    "KnowledgeMetadataReindex": {
        "type": "object",
        "properties": {"total": {"type": "integer"}, "success": {"type": "integer"}},
        "required": ["total", "success"],
    },
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/knowledge/search": {
        "get": operation(
            "Search the collections the caller may read, 30 a page",
            tag=_TAG,
            description="`query` matches the name, the description and the owner's name or e-mail "
            "(case-insensitive substring). Unknown `view_option`, `source`, `order_by` or `direction` "
            "values are ignored. There are no external collections: `source=external` is always empty.",
            ok=ref("KnowledgeList"),
            parameters=[
                _text("query", "Substring to look for"),
                _text("view_option", "`created`: the caller's own; `shared`: others'", ["created", "shared"]),
                _text("source", "`local` or `external`", ["local", "external"]),
                _text(
                    "order_by",
                    "Sort key (default: most recently updated first)",
                    ["name", "created_at", "updated_at"],
                ),
                _text("direction", "`asc` or `desc` (default)", ["asc", "desc"]),
                _PAGE,
            ],
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/knowledge/search/files": {
        "get": operation(
            "Search the files of every collection the caller may read, 30 a page",
            tag=_TAG,
            description="`query` matches the filename (and with `include_content=true` the extracted "
            "text, which is slower); `data` is null unless `include_content=true`.",
            ok=ref("KnowledgeFileSearchList"),
            parameters=[
                _text("query", "Substring of the filename to look for"),
                query_param(
                    "include_content",
                    {"type": "boolean", "default": False},
                    "Also match the extracted text, and include each file's `data`",
                ),
                _PAGE,
            ],
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/knowledge/reindex": {
        "post": operation(
            "Rebuild every collection's index (admins)",
            tag=_TAG,
            description="Every replica drops its in-memory index of every collection and rebuilds it "
            "from the stored vectors on its next search. Non-admins: 401.",
            ok={"type": "boolean", "const": True},
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/knowledge/metadata/reindex": {
        "post": operation(
            "Count the collections knowledge search reads (admins)",
            tag=_TAG,
            description="Knowledge search reads names and descriptions from the database, so nothing "
            "is embedded: `success` equals `total`.",
            ok=ref("KnowledgeMetadataReindex"),
            errors=BACKEND_ERRORS,
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/files/pending": {
        "get": operation(
            "Files uploaded for the collection and still being processed",
            tag=_TAG,
            description="Files uploaded with `metadata.knowledge_id` = this collection, still pending "
            "or processing and not linked yet. With `stream=true`: `text/event-stream`, a frame with the "
            "whole set each time it changes, the last one `[]` (at most one hour). 404 when the "
            "collection does not exist, 400 when the caller may not read it.",
            ok_content={
                "application/json": {"schema": {"type": "array", "items": ref("FileModelResponse")}},
                "text/event-stream": {"schema": ref("KnowledgePendingEvent")},
            },
            parameters=[
                _KNOWLEDGE_ID,
                query_param(
                    "stream", {"type": "boolean", "default": False}, "Stream the set as server-sent events"
                ),
            ],
            errors=(*BACKEND_ERRORS, 400, 404, 422),
        ),
    },
    "/api/v1/knowledge/{knowledge_id}/export": {
        "get": operation(
            "Export a collection's texts as a zip (admins)",
            tag=_TAG,
            description="One `<filename>.txt` per file with extracted text, streamed. 404 when the "
            "collection does not exist; non-admins 401.",
            ok_content={"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            parameters=[_KNOWLEDGE_ID],
            errors=(*BACKEND_ERRORS, 400, 404),
        ),
    },
}
