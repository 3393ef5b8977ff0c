"""OpenAPI paths of ``/api/v1/retrieval``: vector search over a file's or a collection's chunks."""

from typing import Any

from services.gateway.forms.retrieval import QueryCollectionsForm, QueryDocForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "retrieval"

SCHEMAS: dict[str, dict[str, Any]] = {
    **form_schemas(QueryDocForm, QueryCollectionsForm),
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
            body=form_ref(QueryDocForm),
            errors=_ERRORS,
        ),
    },
    "/api/v1/retrieval/query/collection": {
        "post": operation(
            "Search several collections at once",
            tag=_TAG,
            description=_DESCRIPTION,
            ok=ref("RetrievalSearchResult"),
            body=form_ref(QueryCollectionsForm),
            errors=_ERRORS,
        ),
    },
}
