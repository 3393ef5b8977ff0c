"""Access-grant rows as Open WebUI stores grants: ``{"id", "resource_type", "resource_id",
"principal_type", "principal_id", "permission", "created_at"}`` (prompts, tools)."""

import asyncpg


def grant_dict(row: asyncpg.Record, resource_type: str, resource_column: str) -> dict:
    """One grant row of a ``<resource>_access_grant`` table; ``resource_column`` holds the id of
    what it grants (``prompt_id``, ``tool_id``)."""
    return {
        "id": row["id"],
        "resource_type": resource_type,
        "resource_id": row[resource_column],
        "principal_type": row["principal_type"],
        "principal_id": row["principal_id"],
        "permission": row["permission"],
        "created_at": row["created_at"],
    }
