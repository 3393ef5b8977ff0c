"""OpenAPI paths of ``/api/v1/retrieval``: vector search over a file's or a collection's chunks."""

from typing import Any

from services.gateway.openapi.common import BACKEND_ERRORS, operation, ref

_TAG = "retrieval"
_K: dict[str, Any] = {
    "type": ["integer", "null"],
    "description": "How many chunks to return; absent, null or not positive: the configured RAG_TOP_K",
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "RetrievalQueryDocForm": {
        "type": "object",
        "properties": {
            "collection_name": {
                "type": "string",
                "description": "`file-<file_id>` or a knowledge collection's id",
            },
            "query": {"type": "string"},
            "k": _K,
        },
        "required": ["collection_name", "query"],
    },
    "RetrievalQueryCollectionsForm": {
        "type": "object",
        "properties": {
            "collection_names": {"type": "array", "items": {"type": "string"}},
            "query": {"type": "string"},
            "k": _K,
        },
        "required": ["collection_names", "query"],
    },
    "RetrievalSearchResult": {
        "type": "object",
        "description": "Chroma's query result for one query: one inner list each, best match first",
        "properties": {
            "distances": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
            "documents": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
            "metadatas": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            },
        },
        "required": ["distances", "documents", "metadatas"],
    },
}

_ERRORS = (400, 403, 413, 422, *BACKEND_ERRORS)
_DESCRIPTION = (
    "400 when the query is blank or no collection is named; 403 when a collection does not exist or "
    "the caller may not read it (the two are not told apart)."
)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/retrieval/query/doc": {
        "post": operation(
            "Search one collection",
            tag=_TAG,
            description=_DESCRIPTION,
            ok=ref("RetrievalSearchResult"),
            body=ref("RetrievalQueryDocForm"),
            errors=_ERRORS,
        ),
    },
    "/api/v1/retrieval/query/collection": {
        "post": operation(
            "Search several collections at once",
            tag=_TAG,
            description=_DESCRIPTION,
            ok=ref("RetrievalSearchResult"),
            body=ref("RetrievalQueryCollectionsForm"),
            errors=_ERRORS,
        ),
    },
}
