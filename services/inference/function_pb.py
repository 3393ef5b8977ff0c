"""Function records as InferenceService's Function messages."""

from services.inference.functions.records import FunctionRecord
from services.inference.replies import dumps
from webui.inference.v1 import inference_pb2

_TYPES = {
    "pipe": inference_pb2.FUNCTION_TYPE_PIPE,
    "filter": inference_pb2.FUNCTION_TYPE_FILTER,
    "action": inference_pb2.FUNCTION_TYPE_ACTION,
    "event": inference_pb2.FUNCTION_TYPE_EVENT,
}


def function_message(record: FunctionRecord, *, content: bool = True) -> inference_pb2.Function:
    """The record without its stored valves and load error; ``content=False`` leaves out the code
    (lists do not show it, and it is the bulk of a row)."""
    return inference_pb2.Function(
        id=record.id,
        user_id=record.user_id,
        type=_TYPES.get(record.type, inference_pb2.FUNCTION_TYPE_UNSPECIFIED),
        name=record.name,
        meta_json=dumps(record.meta),
        is_active=record.is_active,
        is_global=record.is_global,
        created_at=record.created_at,
        updated_at=record.updated_at,
        content=record.content if content else "",
    )
