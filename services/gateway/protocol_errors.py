"""Errors aiohttp meets before any middleware (a line too long, a malformed header) answered as JSON."""

import logging
from http import HTTPStatus

from aiohttp import web
from aiohttp.http_exceptions import LineTooLong

from services.common import messages
from services.gateway.http_errors import detail_response

log = logging.getLogger(__name__)

# The request line's limit differs from a header field's, so that the LineTooLong aiohttp's parser
# raises, which names only the limit it hit, tells a URL over 8 KiB (414) from a header (431).
MAX_LINE_BYTES = 8192
MAX_FIELD_BYTES = 8190


def status_for(status: int, error: BaseException | None) -> int:
    if isinstance(error, LineTooLong) and len(error.args) > 1:
        limit = error.args[1]
        if limit == MAX_LINE_BYTES:
            return HTTPStatus.REQUEST_URI_TOO_LONG
        if limit == MAX_FIELD_BYTES:
            return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
    return status


class JsonErrorHandler(web.RequestHandler):
    """aiohttp's connection handler, whose own error answers are ``{"detail": ...}`` like ours."""

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            # As aiohttp: once part of a response is out, the connection can only be dropped.
            raise ConnectionError("Response is sent already, cannot send another one")
        status = status_for(status, exc)
        if status >= 500:
            log.error("error handling a request from %s", request.remote, exc_info=exc)
            detail = messages.DEFAULT
        else:
            # A client's malformed request: its text is ours, not the parser's echo of the input.
            log.info("refused a malformed request from %s: %s", request.remote, type(exc).__name__)
            detail = HTTPStatus(status).phrase
        response = detail_response(status, detail)
        response.force_close()
        return response


class _Server(web.Server):
    def __call__(self) -> web.RequestHandler:
        return JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class GatewayRunner(web.AppRunner):
    """``web.AppRunner`` whose connections use JsonErrorHandler and the line limits above."""

    def __init__(self, app: web.Application, **kwargs) -> None:
        super().__init__(app, max_line_size=MAX_LINE_BYTES, max_field_size=MAX_FIELD_BYTES, **kwargs)

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        return _Server(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            loop=plain._loop,
            **plain._kwargs,
        )
