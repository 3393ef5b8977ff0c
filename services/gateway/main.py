"""Runs the gateway: settings, logging, the app, and a graceful stop on SIGTERM."""

import logging

from aiohttp import web

from services.common import event_loop
from services.common.grpc_server import wait_for_stop_signal
from services.common.logs import configure_logging
from services.common.settings import load_settings
from services.gateway.app import create_app
from services.gateway.protocol_errors import GatewayRunner
from services.gateway.settings import GatewaySettings
from services.gateway.shutdown import drain_and_clean_up
from services.gateway.state import LIFECYCLE

log = logging.getLogger(__name__)


async def serve(settings: GatewaySettings) -> None:
    """Serves until SIGTERM/SIGINT, then stops: not ready, no new connections, in-flight requests
    and streams finish within SHUTDOWN_GRACE_S (cut when it ends), clean-ups, return."""
    app = create_app(settings)
    runner = GatewayRunner(
        app,
        handle_signals=False,
        access_log=None,
        # A client that goes away cancels its handler at once, and with it the gRPC call and the
        # upstream request, even while the upstream is silent; the end of the grace period does the same.
        handler_cancellation=True,
        shutdown_timeout=settings.shutdown_grace_s,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("gateway listening on http://%s:%d", settings.host, settings.port)
        await wait_for_stop_signal()
        app[LIFECYCLE].stopping = True
        log.info("stopping: no new connections, draining for up to %.1f s", settings.shutdown_grace_s)
    finally:
        await drain_and_clean_up(runner, settings.shutdown_grace_s)
    log.info("stopped")


def main() -> None:
    settings = load_settings(GatewaySettings, "gateway")
    configure_logging("gateway", settings.log_level, settings.log_format)
    event_loop.run(serve(settings))


if __name__ == "__main__":
    main()
