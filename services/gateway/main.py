"""Runs the gateway: settings, logging, the app, and a graceful stop on SIGTERM."""

import logging

from aiohttp import web

from services.common.logs import configure_logging
from services.common.settings import load_settings
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

log = logging.getLogger(__name__)


def main() -> None:
    settings = load_settings(GatewaySettings, "gateway")
    configure_logging("gateway", settings.log_level, settings.log_format)
    log.info("gateway listening on http://%s:%d", settings.host, settings.port)
    # run_app stops accepting on SIGTERM/SIGINT, waits shutdown_timeout for requests, runs cleanups.
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        shutdown_timeout=settings.shutdown_grace_s,
        access_log=None,
        print=None,
        # A client that goes away cancels its handler at once, and with it the gRPC call and the
        # upstream request, even while the upstream is silent.
        handler_cancellation=True,
    )


if __name__ == "__main__":
    main()
