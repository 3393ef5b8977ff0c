"""The request id of the work in hand, carried from the gateway through gRPC metadata."""

import contextvars
import uuid

from services.common.grpc_identity import bearer_metadata

REQUEST_ID_METADATA_KEY = "x-request-id"
REQUEST_ID_HEADER = "X-Request-ID"

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


def outgoing_metadata(credential: str = "") -> tuple[tuple[str, str], ...]:
    """gRPC metadata that passes the current request id on and, when given, presents the end
    user's credential (every RPC but a few public ones needs it)."""
    return ((REQUEST_ID_METADATA_KEY, request_id_var.get()), *bearer_metadata(credential))
