"""A bound on the bytes of request bodies the gateway holds at once.

A body read whole costs about four times its size while it is parsed and handed to gRPC, and the
call keeps its request until the reply has ended: a few concurrent bodies near the 30 MB limit
would take the gateway past its memory limit. So a body over ``SMALL_BODY_BYTES`` claims its size
from one budget before it is read (its declared length, or as its chunks arrive) and gives it back
when the request ends; a claim that cannot be met within ``WAIT_S`` is refused with 503."""

import asyncio

from aiohttp import web

from services.common import messages
from services.gateway.http_errors import ApiError

# Bodies up to this size are not counted: they are most requests, and together they are small.
SMALL_BODY_BYTES = 1024 * 1024
# How long a body waits for room: a large body held by another request is usually sent on in
# well under a second; a client told to retry after 2 s then finds room.
WAIT_S = 10.0
RETRY_AFTER_S = "2"
_CLAIM = web.RequestKey("body_budget_claim", int)


def _refusal() -> ApiError:
    return ApiError(503, messages.SERVICE_UNAVAILABLE, {"Retry-After": RETRY_AFTER_S})


class BodyBudget:
    def __init__(self, max_bytes: int, wait_s: float = WAIT_S) -> None:
        self.max_bytes = max_bytes
        self.wait_s = wait_s
        self.held = 0
        self._changed = asyncio.Condition()

    async def claim(self, request: web.Request, size: int) -> None:
        """Raises the request's claim to ``size`` bytes (when it is over SMALL_BODY_BYTES), waiting
        up to ``wait_s`` for room; 503 when there is none."""
        if size <= SMALL_BODY_BYTES:
            return
        more = size - request.get(_CLAIM, 0)
        if more <= 0:
            return
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.held + more <= self.max_bytes), self.wait_s
                )
            except TimeoutError:
                raise _refusal() from None
            self.held += more
        request[_CLAIM] = request.get(_CLAIM, 0) + more

    def extend(self, request: web.Request, size: int) -> None:
        """Raises the claim of a body read without a declared length to ``size``, at once or not at
        all (a body half-read must not wait on another half-read one)."""
        more = size - request.get(_CLAIM, 0)
        if size <= SMALL_BODY_BYTES or more <= 0:
            return
        if self.held + more > self.max_bytes:
            raise _refusal()
        self.held += more
        request[_CLAIM] = request.get(_CLAIM, 0) + more

    async def release(self, request: web.Request) -> None:
        claimed = request.pop(_CLAIM, 0)
        if claimed:
            async with self._changed:
                self.held -= claimed
                self._changed.notify_all()


def body_budget_middleware(budget: BodyBudget):
    """Gives a request's claim back when it has been answered (a streamed reply: at its end, since
    the gRPC call holds the request body until then)."""

    @web.middleware
    async def give_back(request: web.Request, handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            await budget.release(request)

    return give_back
