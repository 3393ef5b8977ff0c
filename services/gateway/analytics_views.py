"""Open WebUI's usage and analytics JSON: the reports the inference service computed, with the
user names and e-mails that only the auth service knows."""

import orjson

from webui.auth.v1 import groups_pb2


def users_report_json(raw: bytes, details: list[groups_pb2.UserWithGroups]) -> dict:
    """``GET /api/v1/analytics/users``: each entry's ``name`` and ``email`` (null once the user is
    deleted)."""
    report = orjson.loads(raw)
    known = {d.user.id: d.user for d in details}
    for entry in report["users"]:
        user = known.get(entry["user_id"])
        entry["name"] = user.name if user is not None else None
        entry["email"] = user.email if user is not None else None
    # Open WebUI's field order: user_id, name, email, count, tokens.
    report["users"] = [
        {
            key: entry[key]
            for key in ("user_id", "name", "email", "count", "input_tokens", "output_tokens", "total_tokens")
        }
        for entry in report["users"]
    ]
    return report


def model_chats_json(raw: bytes, details: list[groups_pb2.UserWithGroups]) -> dict:
    """``GET /api/v1/analytics/models/{id}/chats``: each chat's ``user_name``."""
    report = orjson.loads(raw)
    names = {d.user.id: d.user.name for d in details}
    for chat in report["chats"]:
        chat["user_name"] = names.get(chat["user_id"])
    return report


def user_ids_of(raw: bytes, key: str, field: str = "user_id") -> list[str]:
    """The distinct user ids a report names (to look their names up in one call)."""
    return sorted({entry[field] for entry in orjson.loads(raw)[key] if entry.get(field)})


def active_usage_json(user_count: int) -> dict:
    """``GET /api/usage``. ``model_ids`` lists the models with an open UI generation, which Open
    WebUI learns from browsers over Socket.IO; we serve no Socket.IO, so none is ever open."""
    return {"model_ids": [], "user_count": user_count}
