"""OpenAPI paths of Open WebUI's usage and analytics routes: ``/api/usage``, ``/api/v1/users/usage``
and ``/api/v1/analytics/*`` (computed from the stored chats' messages; days are UTC days)."""

from typing import Any

from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref

_TAG = "analytics"
_INT: dict[str, Any] = {"type": "integer"}
_STR: dict[str, Any] = {"type": "string"}
_EPOCH: dict[str, Any] = {"type": ["integer", "null"], "minimum": 0, "description": "Unix time in seconds"}
_COUNTS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "integer"}}
_MODEL_ID = path_param("model_id", "The model's id (as stored in its assistant messages)")
_ADMIN = "Admins only (others: 401 `ACCESS_PROHIBITED`); absent (404) when ENABLE_ADMIN_ANALYTICS is false."


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties)}


_DAY = _obj({"date": _STR, "messages": _INT, "chats": _INT, "tokens": _INT, "models": _COUNTS})

SCHEMAS: dict[str, dict[str, Any]] = {
    "ActiveUsage": _obj(
        {
            "model_ids": {
                "type": "array",
                "items": _STR,
                "description": "Models with an open UI generation: always empty (no Socket.IO here)",
            },
            "user_count": {"type": "integer", "description": "Users active in the last 180 s"},
        }
    ),
    "UsageDay": _DAY,
    "UserUsage": _obj(
        {
            "totals": _obj(
                {
                    name: _INT
                    for name in (
                        "lifetime_tokens",
                        "input_tokens",
                        "output_tokens",
                        "peak_daily_tokens",
                        "longest_chat_seconds",
                        "current_streak",
                        "longest_streak",
                        "total_chats",
                        "active_days",
                        "models_used",
                        "messages",
                        "user_messages",
                        "assistant_messages",
                    )
                }
            ),
            "heatmap": {"type": "array", "items": ref("UsageDay"), "description": "One entry per UTC day"},
            "weekly_heatmap": {"type": "array", "items": ref("UsageDay"), "description": "Weeks from Monday"},
            "cumulative_heatmap": {
                "type": "array",
                "items": ref("UsageDay"),
                "description": "Running totals",
            },
            "insights": _obj(
                {
                    "most_used_model": {"type": ["string", "null"]},
                    "average_tokens_per_chat": {"type": "number"},
                    "average_messages_per_active_day": {"type": "number"},
                    "user_message_share": {"type": "number"},
                    "assistant_message_share": {"type": "number"},
                }
            ),
            "top_models": {
                "type": "array",
                "items": _obj(
                    {
                        "model_id": _STR,
                        "messages": _INT,
                        "input_tokens": _INT,
                        "output_tokens": _INT,
                        "total_tokens": _INT,
                    }
                ),
            },
            "top_tools": {"type": "array", "items": _obj({"name": _STR, "count": _INT})},
            "period": _obj({"start_date": _INT, "end_date": _INT, "days": _INT}),
        }
    ),
    "AnalyticsSummary": _obj(
        {"total_messages": _INT, "total_chats": _INT, "total_models": _INT, "total_users": _INT}
    ),
    "AnalyticsTokens": _obj(
        {
            "models": {
                "type": "array",
                "items": _obj(
                    {
                        "model_id": _STR,
                        "input_tokens": _INT,
                        "output_tokens": _INT,
                        "total_tokens": _INT,
                        "message_count": _INT,
                    }
                ),
            },
            "total_input_tokens": _INT,
            "total_output_tokens": _INT,
            "total_tokens": _INT,
        }
    ),
    "AnalyticsModels": _obj(
        {
            "models": {
                "type": "array",
                "items": _obj({"model_id": _STR, "count": _INT, "unique_users": _INT, "unique_chats": _INT}),
            }
        }
    ),
    "AnalyticsUsers": _obj(
        {
            "users": {
                "type": "array",
                "items": _obj(
                    {
                        "user_id": _STR,
                        "name": {"type": ["string", "null"]},
                        "email": {"type": ["string", "null"]},
                        "count": _INT,
                        "input_tokens": _INT,
                        "output_tokens": _INT,
                        "total_tokens": _INT,
                    }
                ),
            }
        }
    ),
    "AnalyticsDaily": _obj(
        {
            "data": {
                "type": "array",
                "items": _obj(
                    {
                        "date": _STR,
                        "models": _COUNTS,
                        "start": {"type": ["string", "null"]},
                        "end": {"type": ["string", "null"]},
                        "previous": {
                            "oneOf": [
                                {"type": "null"},
                                _obj({"models": _COUNTS, "start": _STR, "end": _STR}),
                            ]
                        },
                    }
                ),
            }
        }
    ),
    "AnalyticsMessage": {
        "type": "object",
        "description": "Open WebUI's ChatMessageModel",
        "properties": {
            "id": _STR,
            "chat_id": _STR,
            "user_id": _STR,
            "role": {"type": ["string", "null"]},
            "parent_id": {"type": ["string", "null"]},
            "content": {},
            "output": {},
            "model_id": {"type": ["string", "null"]},
            "usage": {},
            "created_at": _INT,
            "updated_at": _INT,
        },
        "additionalProperties": True,
    },
    "AnalyticsModelChats": _obj(
        {
            "chats": {
                "type": "array",
                "items": _obj(
                    {
                        "chat_id": _STR,
                        "user_id": {"type": ["string", "null"]},
                        "user_name": {"type": ["string", "null"]},
                        "first_message": {"type": ["string", "null"], "description": "First 200 characters"},
                        "updated_at": _INT,
                    }
                ),
            },
            "total": _INT,
        }
    ),
    "AnalyticsModelOverview": _obj(
        {
            "history": {"type": "array", "items": _obj({"date": _STR, "won": _INT, "lost": _INT})},
            "tags": {"type": "array", "items": _obj({"tag": _STR, "count": _INT})},
        }
    ),
}

_WINDOW = [
    query_param("start_date", _EPOCH, "Messages created at or after"),
    query_param("end_date", _EPOCH, "Messages created at or before"),
    query_param("group_id", {"type": ["string", "null"]}, "Only the group's direct members' chats"),
]
_PAGE = [
    query_param("skip", {"type": "integer", "minimum": 0, "default": 0}),
    query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}),
]
_ERRORS = (422, *BACKEND_ERRORS)


def _admin(summary: str, schema: dict[str, Any], parameters: list, description: str = "") -> dict[str, Any]:
    return operation(
        summary,
        tag=_TAG,
        ok=schema,
        parameters=parameters,
        errors=_ERRORS,
        description=f"{_ADMIN} {description}".strip(),
    )


PATHS: dict[str, dict[str, Any]] = {
    "/api/usage": {
        "get": operation(
            "Count the users active now",
            tag=_TAG,
            ok=ref("ActiveUsage"),
            errors=(403, *BACKEND_ERRORS),
            description="Any verified user; with ENABLE_PUBLIC_ACTIVE_USERS_COUNT=false admins only "
            "(others: 403 `Access denied. Only administrators can view usage statistics.`).",
        )
    },
    "/api/v1/users/usage": {
        "get": operation(
            "The caller's own usage: totals, heatmaps, insights, top models and tools",
            tag=_TAG,
            ok=ref("UserUsage"),
            parameters=[
                query_param(
                    "days",
                    {"type": "integer", "minimum": 7, "maximum": 732, "default": 730},
                    "Days ending now",
                ),
                query_param("start_date", _EPOCH, "Overrides `days` (with `end_date`, default now)"),
                query_param("end_date", _EPOCH),
            ],
            errors=(400, *_ERRORS),
            description="Computed from the caller's stored chats (user and assistant messages, the token "
            "counts of assistant messages' `usage`). Days are UTC days: no timezone is stored. "
            "`lifetime_tokens` and `models_used` ignore the period; `longest_chat_seconds` sums the gaps "
            "of at most 30 minutes between a chat's messages. `start_date` after `end_date`: 400 "
            "`start_date must be before end_date`; a period of more than 732 days keeps its last 732.",
        )
    },
    "/api/v1/analytics/summary": {
        "get": _admin("Totals of messages, chats, models and users", ref("AnalyticsSummary"), _WINDOW)
    },
    "/api/v1/analytics/tokens": {
        "get": _admin("Tokens per model, largest first", ref("AnalyticsTokens"), _WINDOW)
    },
    "/api/v1/analytics/models": {
        "get": _admin("Assistant messages, users and chats per model", ref("AnalyticsModels"), _WINDOW)
    },
    "/api/v1/analytics/users": {
        "get": _admin(
            "Messages and tokens per user",
            ref("AnalyticsUsers"),
            [
                *_WINDOW,
                query_param("limit", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 50}),
                query_param(
                    "metric", {"type": "string", "enum": ["messages", "tokens"], "default": "messages"}
                ),
            ],
        )
    },
    "/api/v1/analytics/daily": {
        "get": _admin(
            "Assistant messages (or their tokens) per model per time bucket",
            ref("AnalyticsDaily"),
            [
                *_WINDOW,
                query_param(
                    "granularity",
                    {"type": "string", "enum": ["10m", "hourly", "3h", "6h", "daily"], "default": "daily"},
                ),
                query_param(
                    "metric", {"type": "string", "enum": ["messages", "tokens"], "default": "messages"}
                ),
                query_param(
                    "compare",
                    {"type": "boolean", "default": False},
                    "Each bucket also carries the same bucket of the equally long period before (`previous`)",
                ),
            ],
            "Buckets are UTC (`YYYY-MM-DD`, else `YYYY-MM-DD HH:MM`); a bounded period lists its empty "
            "buckets too. `start`/`end`/`previous` are null unless `compare`, which needs both "
            "`start_date` and `end_date` (else 400 `Comparison requires a bounded date range`). "
            "Another granularity or metric is a 400.",
        )
    },
    "/api/v1/analytics/messages": {
        "get": _admin(
            "Messages of a chat, a model or a user",
            {"type": "array", "items": ref("AnalyticsMessage")},
            [
                *_WINDOW,
                query_param("chat_id", {"type": ["string", "null"]}, "All of one chat's messages"),
                query_param("model_id", {"type": ["string", "null"]}),
                query_param("user_id", {"type": ["string", "null"]}),
                *_PAGE,
            ],
            "Without any of chat_id, model_id, user_id: `[]`.",
        )
    },
    "/api/v1/analytics/models/{model_id}/chats": {
        "get": _admin(
            "The chats a model answered in, most recently active first",
            ref("AnalyticsModelChats"),
            [_MODEL_ID, *_WINDOW, *_PAGE],
        )
    },
    "/api/v1/analytics/models/{model_id}/overview": {
        "get": _admin(
            "A model's ratings per day and its chats' top tags",
            ref("AnalyticsModelOverview"),
            [_MODEL_ID, query_param("days", {"type": "integer", "minimum": 0, "default": 30}, "0: all")],
            "Ratings are the model's messages' `annotation.rating` (1 won, -1 lost).",
        )
    },
}
