"""Functions from the core's record to Open WebUI's JSON: the servicer's Function message, then the
gateway's view of it (keys, key order and defaults that clients see)."""

from services.gateway.function_views import function_list_json, function_model_json, function_response_json
from services.inference.function_pb import function_message
from services.inference.functions.records import FunctionRecord
from webui.inference.v1 import inference_pb2

MODEL_KEYS = [
    "id",
    "user_id",
    "name",
    "type",
    "content",
    "meta",
    "is_active",
    "is_global",
    "updated_at",
    "created_at",
]
RESPONSE_KEYS = [
    "id",
    "user_id",
    "type",
    "name",
    "meta",
    "is_active",
    "is_global",
    "updated_at",
    "created_at",
]


def record(**fields: object) -> FunctionRecord:
    base: dict = {
        "id": "echo",
        "user_id": "admin-1",
        "name": "Echo",
        "type": "filter",
        "content": "class Filter: ...\n",
        "meta": {"description": "d", "manifest": {"title": "Echo"}, "toggle": True, "extra": [1, None]},
        "valves": {"secret": "kept in the service"},
        "is_active": True,
        "is_global": False,
        "created_at": 10,
        "updated_at": 20,
        "load_error": None,
    }
    base.update(fields)
    return FunctionRecord(**base)


def test_the_message_carries_the_record_without_valves() -> None:
    message = function_message(record())
    assert message.type == inference_pb2.FUNCTION_TYPE_FILTER and message.content == "class Filter: ...\n"
    assert b"secret" not in message.SerializeToString()
    assert function_message(record(), content=False).content == ""


def test_function_model_json() -> None:
    body = function_model_json(function_message(record()))
    assert list(body) == MODEL_KEYS
    assert body == {
        "id": "echo",
        "user_id": "admin-1",
        "name": "Echo",
        "type": "filter",
        "content": "class Filter: ...\n",
        "meta": {"description": "d", "manifest": {"title": "Echo"}, "toggle": True, "extra": [1, None]},
        "is_active": True,
        "is_global": False,
        "updated_at": 20,
        "created_at": 10,
    }
    # Key order inside meta is the stored one.
    assert list(body["meta"]) == ["description", "manifest", "toggle", "extra"]


def test_function_response_json_has_no_code() -> None:
    message = function_message(record(type="pipe"), content=False)
    body = function_response_json(message)
    assert list(body) == RESPONSE_KEYS
    assert body["type"] == "pipe" and "content" not in body
    assert function_list_json([message, message]) == [body, body]


def test_meta_gets_function_meta_defaults_first() -> None:
    body = function_model_json(function_message(record(meta={"toggle": True})))
    assert list(body["meta"].items()) == [("description", None), ("manifest", {}), ("toggle", True)]
    assert function_model_json(inference_pb2.Function(id="x"))["meta"] == {
        "description": None,
        "manifest": {},
    }


def test_every_type_round_trips() -> None:
    for kind in ("pipe", "filter", "action", "event"):
        assert function_model_json(function_message(record(type=kind)))["type"] == kind
