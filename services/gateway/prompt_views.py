"""JSON shapes of prompts, as Open WebUI returns them, built from PromptsService's messages."""

import orjson

from webui.inference.v1 import prompts_pb2


def _loads(raw: bytes, default: object) -> object:
    return orjson.loads(raw) if raw else default


def prompt_json(prompt: prompts_pb2.Prompt) -> dict:
    """PromptModel (create, update, toggle, access update, ``GET /``)."""
    return {
        "id": prompt.id,
        "command": prompt.command,
        "user_id": prompt.user_id,
        "name": prompt.name,
        "content": prompt.content,
        "data": _loads(prompt.data_json, {}),
        "meta": _loads(prompt.meta_json, {}),
        "tags": list(prompt.tags),
        "is_active": prompt.is_active,
        "version_id": prompt.version_id or None,
        "created_at": prompt.created_at,
        "updated_at": prompt.updated_at,
        "access_grants": _loads(prompt.access_grants_json, []),
    }


def prompt_access_json(prompt: prompts_pb2.Prompt) -> dict:
    """PromptAccessResponse (``GET /id/{id}``, ``/list`` items): with ``write_access``; ``user`` is
    attached by the route."""
    return {**prompt_json(prompt), "write_access": prompt.write_access}


def version_json(version: prompts_pb2.PromptVersion) -> dict:
    """PromptHistoryModel (``GET /history/{id}``); the list adds ``user``."""
    return {
        "id": version.id,
        "prompt_id": version.prompt_id,
        "parent_id": version.parent_id or None,
        "snapshot": _loads(version.snapshot_json, {}),
        "user_id": version.user_id,
        "commit_message": version.commit_message if version.has_commit_message else None,
        "created_at": version.created_at,
    }
