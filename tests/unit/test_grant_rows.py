"""Prompts and tools render their grant rows with one helper, in Open WebUI's stored shape."""

from services.inference.grant_rows import grant_dict


def test_grant_row_in_open_webui_shape():
    row = {
        "id": "g1",
        "tool_id": "t1",
        "principal_type": "group",
        "principal_id": "grp",
        "permission": "read",
        "created_at": 5,
    }
    assert grant_dict(row, "tool", "tool_id") == {  # type: ignore[arg-type]
        "id": "g1",
        "resource_type": "tool",
        "resource_id": "t1",
        "principal_type": "group",
        "principal_id": "grp",
        "permission": "read",
        "created_at": 5,
    }
