"""The gateway's JSON shapes of tools, and the ``workspace.tools`` permission it shows."""

import orjson

from services.gateway.tool_views import tool_access_json, tool_model_json, tool_response_json, tool_user_json
from webui.inference.v1 import tools_pb2


def _tool(**overrides: object) -> tools_pb2.Tool:
    fields = {
        "id": "weather",
        "user_id": "u1",
        "name": "Weather",
        "content": "class Tools: ...",
        "has_content": True,
        "specs_json": orjson.dumps([{"name": "f", "description": "", "parameters": {}}]),
        "meta_json": orjson.dumps({"description": "d", "manifest": {}, "has_user_valves": True}),
        "access_grants_json": b"[]",
        "created_at": 1,
        "updated_at": 2,
        "write_access": True,
        "has_user_valves": True,
        **overrides,
    }
    return tools_pb2.Tool(**fields)


def test_shapes():
    tool = _tool()
    assert list(tool_response_json(tool)) == [
        "version_id",
        "id",
        "user_id",
        "name",
        "meta",
        "access_grants",
        "updated_at",
        "created_at",
    ]
    assert tool_model_json(tool)["content"] == "class Tools: ..."
    assert tool_access_json(tool)["write_access"] is True
    listed = tool_user_json(tool)
    assert (
        listed["content"] is None and listed["has_user_valves"] is True and listed["specs"][0]["name"] == "f"
    )


def test_readers_get_no_code_and_meta_defaults():
    tool = _tool(content="", has_content=False, write_access=False, meta_json=b"")
    assert tool_access_json(tool)["content"] is None
    assert tool_access_json(tool)["meta"] == {"description": None, "manifest": {}}
