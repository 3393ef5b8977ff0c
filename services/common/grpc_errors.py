"""The one server interceptor: request id and caller identity in, core exceptions out as gRPC status."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import grpc

from services.common import errors, messages
from services.common.grpc_handlers import StreamBehaviour, UnaryBehaviour, rewrap_handler
from services.common.grpc_identity import (
    Authenticator,
    Authorize,
    credential_from_metadata,
    identity_var,
    is_open,
)
from services.common.identity import Identity
from services.common.key_rpcs import rpc_refusal
from services.common.outages import is_outage
from services.common.request_context import REQUEST_ID_METADATA_KEY, new_request_id, request_id_var

log = logging.getLogger(__name__)

# Trailing metadata naming the HTTP status a ServiceError pins (see ServiceError.http_status).
HTTP_STATUS_METADATA_KEY = "webui-http-status"

STATUS_BY_ERROR: dict[type[errors.ServiceError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.PayloadTooLarge: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.Timeout: grpc.StatusCode.DEADLINE_EXCEEDED,
    errors.Unimplemented: grpc.StatusCode.UNIMPLEMENTED,
}


def pinned_status(error: grpc.aio.AioRpcError) -> int | None:
    """The HTTP status a service pinned on a failed RPC, if it did."""
    for key, value in error.trailing_metadata() or ():
        if key == HTTP_STATUS_METADATA_KEY and str(value).isdigit():
            return int(value)
    return None


def service_error_from_rpc(error: grpc.aio.AioRpcError, unreachable: str) -> errors.ServiceError:
    """A failed call to another of our services as this service's own exception: same kind, same
    text, same pinned HTTP status, so the gateway answers as the callee meant. A callee that is down
    or too slow becomes ``Unavailable(unreachable)``."""
    code = error.code()
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
        return errors.Unavailable(unreachable)
    kind = next((cls for cls, mapped in STATUS_BY_ERROR.items() if mapped == code), None)
    if kind is None:
        return errors.Unavailable(unreachable)
    return kind(error.details() or unreachable, http_status=pinned_status(error))


def status_for(error: errors.ServiceError) -> grpc.StatusCode:
    """The gRPC status of a core exception (by its nearest mapped base class)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return grpc.StatusCode.INTERNAL


# Trailing metadata that tells a client's retry policy (services/common/grpc_channel.py) not to
# send the call again.
NO_RETRY_METADATA = ("grpc-retry-pushback-ms", "-1")
_NO_RETRY = NO_RETRY_METADATA


async def _abort_for(error: BaseException, context: grpc.aio.ServicerContext, method: str) -> None:
    if isinstance(error, errors.ServiceError):
        code = status_for(error)
        log.info("%s failed: %s", method, code.name)
        trailers = ((HTTP_STATUS_METADATA_KEY, str(error.http_status)),) if error.http_status else ()
        # A refusal over a limit carries its x-ratelimit-* values (services/common/usage/rate_limited.py).
        trailers += getattr(error, "trailers", ())
        # The call was served and this is its answer (an upstream that failed is UNAVAILABLE too):
        # a negative push-back tells the client's retry policy (services/common/grpc_channel.py)
        # not to send it again. Only UNAVAILABLE from the transport, or from a server that is
        # stopping, is retried.
        await context.abort(code, error.detail, trailing_metadata=(*trailers, _NO_RETRY))
    if is_outage(error):
        # PostgreSQL or NATS is down: the caller may retry once it is back (HTTP 503), and is not
        # helped by the channel resending at once, hence the same push-back.
        log.warning("%s failed: a dependency is unavailable (%s)", method, type(error).__name__)
        await context.abort(
            grpc.StatusCode.UNAVAILABLE, messages.SERVICE_UNAVAILABLE, trailing_metadata=(_NO_RETRY,)
        )
    log.error("%s failed unexpectedly", method, exc_info=error)
    # Never leak internals: the client sees a fixed text, the log holds the trace.
    await context.abort(grpc.StatusCode.INTERNAL, "internal error")


def _request_id(details: grpc.HandlerCallDetails) -> str:
    for key, value in details.invocation_metadata or ():
        if key == REQUEST_ID_METADATA_KEY and value:
            return str(value)[:128]
    return new_request_id()


Identify = Callable[[], Awaitable[Identity]]


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Sets the request id from metadata, resolves the caller's credential (every method but the
    open ones), and turns core exceptions into gRPC status codes.

    ``authorize`` then refuses identities a method is not for (a role rule) before the servicer
    reads the request. Without an ``authenticator`` no identity is resolved: for servers that serve
    only open services (tests of the interceptor itself).
    """

    def __init__(
        self,
        authenticator: Authenticator | None = None,
        public_methods: Collection[str] = (),
        authorize: Authorize | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._public = frozenset(public_methods)
        self._authorize = authorize

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        rid = _request_id(handler_call_details)
        method = handler_call_details.method
        identify = None
        if self._authenticator is not None and not is_open(method, self._public):
            credential = credential_from_metadata(handler_call_details.invocation_metadata)
            identify = self._identifier(method, credential)
        return rewrap_handler(
            handler,
            lambda inner: _wrap_unary(inner, rid, method, identify),
            lambda inner: _wrap_stream(inner, rid, method, identify),
        )

    def _identifier(self, method: str, credential: str) -> Identify:
        authenticator, authorize = self._authenticator, self._authorize
        assert authenticator is not None

        async def identify() -> Identity:
            if not credential:
                raise errors.Unauthenticated(messages.NOT_AUTHENTICATED)
            identity = await authenticator.identify(credential)
            if authorize is not None:
                authorize(method, identity)
            # An sk- key reaches only the RPCs of its kind's areas, whichever client calls.
            refused = rpc_refusal(method, identity) if identity.scope is not None else None
            if refused is not None:
                raise refused
            return identity

        return identify


def _is_abort(error: BaseException) -> bool:
    # context.abort() raises this internally; it must pass through untouched.
    return isinstance(error, grpc.aio.AbortError)


def _wrap_unary(inner: UnaryBehaviour, rid: str, method: str, identify: Identify | None) -> UnaryBehaviour:
    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        request_id_var.set(rid)
        try:
            # Inside the handler's own task, so the identity is this call's alone.
            identity_var.set(await identify() if identify is not None else None)
            return await inner(request, context)
        except Exception as error:
            if _is_abort(error):
                raise
            await _abort_for(error, context, method)

    return unary


def _wrap_stream(inner: StreamBehaviour, rid: str, method: str, identify: Identify | None) -> StreamBehaviour:
    async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        request_id_var.set(rid)
        try:
            identity_var.set(await identify() if identify is not None else None)
            async for item in inner(request, context):
                yield item
        except Exception as error:
            if _is_abort(error):
                raise
            await _abort_for(error, context, method)

    return stream
