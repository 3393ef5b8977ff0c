"""OpenAPI paths of ``GET /api/v1/usage`` (ours): usage record totals, filtered and grouped."""

from typing import Any

from services.common.usage.query import GROUP_BY, TOTALS
from services.common.usage.record import KINDS
from services.gateway.openapi.common import BACKEND_ERRORS, operation, query_param, ref

_TAG = "usage"
_STRING: dict[str, Any] = {"type": "string"}
_DAY = "An inclusive UTC day, YYYY-MM-DD, or epoch seconds (their UTC day)"
_TOTAL_DESCRIPTIONS = {
    "requests": "Records (upstream calls, embeddings calls, files processed)",
    "errors": "Records whose status was not ok",
    "input_tokens": "Prompt tokens (the upstream's count, or our estimate)",
    "output_tokens": "Completion tokens (the upstream's count, or our estimate)",
    "context_tokens": "Tokens of retrieved context injected into prompts (RAG)",
    "chunks": "Chunks embedded by ingest",
    "estimated_requests": "Records whose tokens our tokenizer counted (the upstream gave none)",
    "latency_ms_sum": "Summed latency; divide by requests for the mean",
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "UsageRow": {
        "type": "object",
        "description": "One group: its value of each group_by dimension, then its totals",
        "properties": {
            **{name: {"type": "string"} for name in GROUP_BY},
            **{t: {"type": "integer", "description": _TOTAL_DESCRIPTIONS[t]} for t in TOTALS},
        },
        "required": list(TOTALS),
    },
    "UsageReport": {
        "type": "object",
        "properties": {
            "group_by": {"type": "array", "items": {"type": "string", "enum": list(GROUP_BY)}},
            "rows": {"type": "array", "items": ref("UsageRow")},
        },
        "required": ["group_by", "rows"],
    },
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/usage": {
        "get": operation(
            "Usage record totals",
            tag=_TAG,
            ok=ref("UsageReport"),
            parameters=[
                query_param("user_id", _STRING, "Only this user's records (others: admins only, else 403)"),
                query_param("key_id", _STRING, "Only records made with this API key"),
                query_param("group_id", _STRING, "Only records of members of this group"),
                query_param("model", _STRING, "Only this model"),
                query_param("kind", {"type": "string", "enum": list(KINDS)}, "Only this kind of record"),
                query_param("start", _STRING, _DAY),
                query_param("end", _STRING, _DAY),
                query_param(
                    "group_by",
                    {"type": "array", "items": {"type": "string", "enum": list(GROUP_BY)}},
                    "Dimensions to group by, repeated or comma-separated; none: one row of totals",
                ),
            ],
            errors=(400, 403, *BACKEND_ERRORS),
            description=(
                "Every usage record (chat completions per upstream call, tool rounds, embeddings, "
                "files processed by ingest) and the daily roll-up of older ones, read together. "
                "Admins see every record; anyone else sees only their own, and naming another "
                "user_id is refused with 403."
            ),
        )
    }
}
