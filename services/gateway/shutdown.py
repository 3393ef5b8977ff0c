"""The gateway's SIGTERM path: stop accepting, let in-flight requests and streams finish within the
grace period, cut what is still running when it ends, then run the app's clean-ups.

aiohttp's own ``shutdown_timeout`` (``run_app``, ``AppRunner``) is not a bound on the whole stop: in
3.14 a connection's shutdown first waits that long for its handler, then "cancels" the request (which
only fails further reads of its body, not a handler that is writing a stream) and waits that long
again before cancelling the handler — so a stream outlived the grace period by up to a second one.
Here the grace period is one deadline for everything in flight.
"""

import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)


async def drain_and_clean_up(runner: web.AppRunner, grace_s: float) -> None:
    """Stops ``runner`` gracefully: no new connections from the first moment, idle keep-alive ones
    closed, requests in progress given ``grace_s`` seconds in all, then their connections closed
    (with ``handler_cancellation`` their handlers, and the backend calls under them, are cancelled);
    the app's clean-ups run last."""
    # cleanup() stops the sites (the listening sockets close at once), closes idle connections,
    # runs on_shutdown, waits for handlers, then runs the cleanup contexts (backend channels).
    cleanup = asyncio.create_task(runner.cleanup())
    done, _ = await asyncio.wait({cleanup}, timeout=grace_s)
    if not done:
        server = runner.server
        connections = server.connections if server is not None else []
        log.warning("grace period over: closing %d connections still open", len(connections))
        for connection in connections:
            connection.force_close()
    await cleanup
