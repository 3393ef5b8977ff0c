"""Re-wrapping a gRPC method handler's behaviour, for the server interceptors."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

UnaryBehaviour = Callable[..., Awaitable[Any]]
StreamBehaviour = Callable[..., AsyncIterator[Any]]


def rewrap_handler(
    handler: grpc.RpcMethodHandler,
    wrap_unary: Callable[[UnaryBehaviour], UnaryBehaviour],
    wrap_stream: Callable[[StreamBehaviour], StreamBehaviour],
) -> grpc.RpcMethodHandler:
    """``handler`` with its behaviour wrapped and its (de)serializers kept: ``wrap_unary`` for the
    kinds that answer once (unary-unary, stream-unary), ``wrap_stream`` for those that stream replies."""
    serializers = (handler.request_deserializer, handler.response_serializer)
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(wrap_unary(handler.unary_unary), *serializers)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(wrap_stream(handler.unary_stream), *serializers)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(wrap_unary(handler.stream_unary), *serializers)
    return grpc.stream_stream_rpc_method_handler(wrap_stream(handler.stream_stream), *serializers)
