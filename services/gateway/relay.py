"""The gateway's one streaming adapter: an RPC's head and body parts become the HTTP response,
each part written to the client the moment it arrives."""

import logging
from collections.abc import AsyncIterator

import grpc
from aiohttp import web
from multidict import CIMultiDict

from services.common import messages
from services.common.stream_frames import NDJSON_STREAM_FAILED, SSE_STREAM_FAILED
from services.gateway.http_errors import ApiError

log = logging.getLogger(__name__)


def in_band_error(content_type: str) -> bytes:
    """What tells a client, after the head was sent, that the rest will not come."""
    if "text/event-stream" in content_type:
        return SSE_STREAM_FAILED
    if "ndjson" in content_type:
        return NDJSON_STREAM_FAILED
    return b""


async def write_rest(
    request: web.Request, response: web.StreamResponse, chunks: AsyncIterator[bytes]
) -> web.StreamResponse:
    """Writes the rest of a reply whose head (a length, or a format without an in-band error) is
    out already: if the stream behind it fails, hanging up is the only way to say the rest will not
    come."""
    try:
        async for chunk in chunks:
            await response.write(chunk)
    except grpc.aio.AioRpcError as error:
        log.warning("stream failed after the head: %s", error.code().name)
        if request.transport is not None:
            request.transport.close()
        return response
    await response.write_eof()
    return response


async def relay(request: web.Request, call: grpc.aio.UnaryStreamCall) -> web.StreamResponse:
    """Answers ``request`` with ``call``'s reply. Errors before the head are raised (the edge
    middleware maps them); after it they go in-band. Leaving early cancels the call, which cancels
    the upstream request in the inference service."""
    try:
        parts = call.__aiter__()
        try:
            first = await parts.__anext__()
        except StopAsyncIteration:
            raise ApiError(502, messages.SERVER_CONNECTION_ERROR) from None
        head = first.head
        headers = CIMultiDict(head.headers)
        if not head.streaming:
            # A reply asked for whole (ChatCompletionRequest.whole_reply) has its body in the head.
            body = head.body + b"".join([message.chunk async for message in parts])
            return web.Response(status=head.status, body=body, headers=headers)
        response = web.StreamResponse(status=head.status, headers=headers)
        await response.prepare(request)
        try:
            async for message in parts:
                await response.write(message.chunk)
        except grpc.aio.AioRpcError as error:
            log.warning("stream from inference failed after the head: %s", error.code().name)
            await response.write(in_band_error(headers.get("Content-Type", "")))
        await response.write_eof()
        return response
    finally:
        if not call.done():
            call.cancel()
