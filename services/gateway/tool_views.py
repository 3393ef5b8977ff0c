"""JSON shapes of tools, as Open WebUI returns them, built from ToolsService's messages."""

import orjson

from webui.inference.v1 import tools_pb2


def _loads(raw: bytes, default: object) -> object:
    return orjson.loads(raw) if raw else default


def meta_json(tool: tools_pb2.Tool) -> dict:
    """ToolMeta: its declared fields first, with their defaults for a row stored without them."""
    return {"description": None, "manifest": {}, **_loads(tool.meta_json, {})}


def tool_model_json(tool: tools_pb2.Tool) -> dict:
    """ToolModel: the tool with its code and specs (update, access update, export)."""
    return {
        # The current version (history entry); null for a tool stored before versions were kept.
        "version_id": tool.version_id or None,
        "id": tool.id,
        "user_id": tool.user_id,
        "name": tool.name,
        "content": tool.content if tool.has_content else None,
        "specs": _loads(tool.specs_json, []),
        "meta": meta_json(tool),
        "access_grants": _loads(tool.access_grants_json, []),
        "updated_at": tool.updated_at,
        "created_at": tool.created_at,
    }


def tool_response_json(tool: tools_pb2.Tool) -> dict:
    """ToolResponse (the create reply): without code and specs."""
    return {
        # The current version (history entry); null for a tool stored before versions were kept.
        "version_id": tool.version_id or None,
        "id": tool.id,
        "user_id": tool.user_id,
        "name": tool.name,
        "meta": meta_json(tool),
        "access_grants": _loads(tool.access_grants_json, []),
        "updated_at": tool.updated_at,
        "created_at": tool.created_at,
    }


def tool_access_json(tool: tools_pb2.Tool) -> dict:
    """ToolAccessResponse (``GET /id/{id}``, ``/list``): the model with ``write_access``; the code
    only for those who may write the tool."""
    return {**tool_model_json(tool), "write_access": tool.write_access}


def tool_user_json(tool: tools_pb2.Tool) -> dict:
    """ToolUserResponse (``GET /``): no code; specs, ``has_user_valves``; ``user`` is attached by
    the route."""
    return {
        **tool_model_json(tool),
        "content": None,
        "has_user_valves": tool.has_user_valves,
        "write_access": tool.write_access,
    }


def tool_version_json(version: tools_pb2.ToolVersion, names: dict[str, str]) -> dict:
    """A history entry (``GET /id/{id}/history``); with its snapshot where one version was asked
    for. ``user`` is null once its author is deleted."""
    name = names.get(version.user_id)
    entry: dict = {
        "id": version.id,
        "tool_id": version.tool_id,
        "parent_id": version.parent_id or None,
        "user_id": version.user_id,
        "commit_message": version.commit_message if version.has_commit_message else None,
        "created_at": version.created_at,
        "user": {"name": name} if name is not None else None,
    }
    if version.has_snapshot:
        entry["snapshot"] = {
            "name": version.name,
            "content": version.content,
            "specs": _loads(version.specs_json, []),
            "meta": _loads(version.meta_json, {}),
        }
    return entry
