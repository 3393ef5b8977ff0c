"""Workspace models from the core's rows to Open WebUI's JSON: the servicer's WorkspaceModel
messages, then the gateway's views of them (keys, key order, nulls that clients see)."""

from services.gateway.workspace_model_views import (
    workspace_model_detail_json,
    workspace_model_json,
    workspace_model_list_json,
)
from services.inference.workspace.records import ModelPage, ReadableModel, WorkspaceModel
from services.inference.workspace_pb import changed_message, page_message, readable_message

ROW_KEYS = [
    "id",
    "user_id",
    "base_model_id",
    "name",
    "params",
    "meta",
    "access_grants",
    "is_active",
    "updated_at",
    "created_at",
]


def row(**fields: object) -> WorkspaceModel:
    base: dict = {
        "id": "helper",
        "user_id": "alice",
        "base_model_id": "llama3",
        "name": "Helper",
        "params": {"system": "hi", "temperature": 0.2, "seed": 12345678901234},
        "meta": {"profile_image_url": "/static/favicon.png", "description": None, "capabilities": None},
        "access_grants": [{"principal_type": "user", "principal_id": "bob", "permission": "read"}],
        "is_active": True,
        "created_at": 10,
        "updated_at": 20,
    }
    base.update(fields)
    return WorkspaceModel(**base)


def test_a_changed_row_renders_as_the_record_serialises_it() -> None:
    body = workspace_model_json(changed_message(row()))
    assert list(body) == ROW_KEYS
    assert body == row().to_json()
    assert list(body["meta"]) == ["profile_image_url", "description", "capabilities"]


def test_an_override_has_a_null_base_model_and_an_empty_id_stays_a_string() -> None:
    assert workspace_model_json(changed_message(row(base_model_id=None)))["base_model_id"] is None
    assert workspace_model_json(changed_message(row(base_model_id="")))["base_model_id"] == ""


def test_the_detail_adds_write_access_last() -> None:
    body = workspace_model_detail_json(readable_message(ReadableModel(row(params={}), False)))
    assert list(body) == [*ROW_KEYS, "write_access"]
    assert body["write_access"] is False and body["params"] == {}


def test_the_list_keeps_its_order_and_total() -> None:
    page = ModelPage([ReadableModel(row(id="b"), True), ReadableModel(row(id="a"), False)], total=7)
    body = workspace_model_list_json(page_message(page))
    assert body["total"] == 7
    assert [(item["id"], item["write_access"]) for item in body["items"]] == [("b", True), ("a", False)]
    assert list(body["items"][0]) == [*ROW_KEYS, "write_access"]
    assert workspace_model_list_json(page_message(ModelPage([], 0))) == {"items": [], "total": 0}
