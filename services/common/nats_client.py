"""The NATS connection a service holds: quiet one-line logging, and a drain that cannot hang."""

import asyncio
import logging
import time
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client

log = logging.getLogger(__name__)


async def wait_listening(url: str, wait_s: float) -> None:
    """Returns once the first server of ``url`` accepts TCP connections, or after ``wait_s``. nats-py
    would find a server that is still starting too, but only after its 2 s reconnect wait."""
    first_url = url.split(",", 1)[0].strip()
    first = urlsplit(first_url if "://" in first_url else f"nats://{first_url}")
    try:
        host, port = first.hostname or "127.0.0.1", first.port or 4222
    except ValueError:
        return  # nats-py reports the bad URL itself
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
        except (OSError, TimeoutError):
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


async def connect_nats(url: str, connect_timeout_s: float, startup_wait_s: float = 0.0) -> Client:
    """Connects, reconnecting forever afterwards; errors are logged as one line each. Within
    ``startup_wait_s`` (STARTUP_WAIT_S) a server not listening yet is waited for first."""
    if startup_wait_s > 0:
        await wait_listening(url, startup_wait_s)

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
