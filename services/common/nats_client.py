"""The NATS connection a service holds: quiet one-line logging, and a drain that cannot hang."""

import asyncio
import logging

import nats
from nats.aio.client import Client

log = logging.getLogger(__name__)


async def connect_nats(url: str, connect_timeout_s: float) -> Client:
    """Connects, reconnecting forever afterwards; errors are logged as one line each."""

    async def on_error(error: Exception) -> None:
        log.warning("nats: %s: %s", type(error).__name__, error)

    async def on_disconnected() -> None:
        log.warning("nats: disconnected")

    async def on_reconnected() -> None:
        log.info("nats: reconnected")

    return await nats.connect(
        url,
        connect_timeout=connect_timeout_s,
        max_reconnect_attempts=-1,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
    )


async def close_nats(nc: Client, timeout_s: float) -> None:
    """Drains (finishing in-flight messages) within ``timeout_s``, else closes: a server that is
    already gone must not stall the shutdown."""
    try:
        await asyncio.wait_for(nc.drain(), timeout_s)
    except (TimeoutError, nats.errors.Error):
        log.warning("nats: drain did not finish, closing")
        await nc.close()
