"""A server interceptor that refuses RPCs past MAX_INFLIGHT_RPCS at once, as UNAVAILABLE."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health
from grpc_reflection.v1alpha import reflection

from services.common import messages
from services.common.admission import Admission
from services.common.grpc_errors import NO_RETRY_METADATA
from services.common.grpc_handlers import StreamBehaviour, UnaryBehaviour, rewrap_handler

# Health checks must answer while the service is saturated, or balancers would take it for dead.
_EXEMPT_PREFIXES = (f"/{health.SERVICE_NAME}/", f"/{reflection.SERVICE_NAME}/")


class AdmissionInterceptor(grpc.aio.ServerInterceptor):
    """Admits at most ``admission.limit`` calls at a time; a streamed reply holds its place until
    it ends. A refused call is UNAVAILABLE (the gateway answers 503 with Retry-After) and marked not
    to be retried: the client's retry policy resending it at once would only add to the load."""

    def __init__(self, admission: Admission) -> None:
        self.admission = admission

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or not self.admission.limit:
            return handler
        if handler_call_details.method.startswith(_EXEMPT_PREFIXES):
            return handler
        return rewrap_handler(handler, self._wrap_unary, self._wrap_stream)

    def _wrap_unary(self, inner: UnaryBehaviour) -> UnaryBehaviour:
        admission = self.admission

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            if not admission.try_enter():
                await _refuse(context)
            try:
                return await inner(request, context)
            finally:
                admission.leave()

        return unary

    def _wrap_stream(self, inner: StreamBehaviour) -> StreamBehaviour:
        admission = self.admission

        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            if not admission.try_enter():
                await _refuse(context)
            try:
                async for item in inner(request, context):
                    yield item
            finally:
                admission.leave()

        return stream


async def _refuse(context: grpc.aio.ServicerContext) -> None:
    await context.abort(
        grpc.StatusCode.UNAVAILABLE, messages.SERVICE_UNAVAILABLE, trailing_metadata=(NO_RETRY_METADATA,)
    )
