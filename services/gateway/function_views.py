"""JSON shapes of functions, as Open WebUI returns them, built from InferenceService's messages."""

import orjson

from webui.inference.v1 import inference_pb2

TYPE_NAMES = {
    inference_pb2.FUNCTION_TYPE_PIPE: "pipe",
    inference_pb2.FUNCTION_TYPE_FILTER: "filter",
    inference_pb2.FUNCTION_TYPE_ACTION: "action",
    inference_pb2.FUNCTION_TYPE_EVENT: "event",
}


def type_name(function: inference_pb2.Function) -> str:
    return TYPE_NAMES.get(function.type, "")


def meta_json(function: inference_pb2.Function) -> dict:
    """FunctionMeta: its declared fields first, with their defaults for a row stored without them."""
    meta = orjson.loads(function.meta_json) if function.meta_json else {}
    return {"description": None, "manifest": {}, **meta}


def function_response_json(function: inference_pb2.Function) -> dict:
    """FunctionResponse: the function without its code (lists and the create reply)."""
    return {
        "id": function.id,
        "user_id": function.user_id,
        "type": type_name(function),
        "name": function.name,
        "meta": meta_json(function),
        "is_active": function.is_active,
        "is_global": function.is_global,
        "updated_at": function.updated_at,
        "created_at": function.created_at,
    }


def function_model_json(function: inference_pb2.Function) -> dict:
    """FunctionModel: the function with its code (read, update, toggles)."""
    return {
        "id": function.id,
        "user_id": function.user_id,
        "name": function.name,
        "type": type_name(function),
        "content": function.content,
        "meta": meta_json(function),
        "is_active": function.is_active,
        "is_global": function.is_global,
        "updated_at": function.updated_at,
        "created_at": function.created_at,
    }


def function_list_json(functions: list[inference_pb2.Function]) -> list[dict]:
    return [function_response_json(function) for function in functions]
