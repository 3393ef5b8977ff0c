"""The asyncpg pool every service opens at start."""

import asyncio
import logging

import asyncpg

log = logging.getLogger(__name__)


async def open_pool(
    dsn: str,
    *,
    min_size: int,
    max_size: int,
    timeout_s: float,
    attempts: int = 30,
    server_settings: dict[str, str] | None = None,
) -> asyncpg.Pool:
    """Opens a pool, retrying for a while so a service may start before its database."""
    for attempt in range(1, attempts + 1):
        try:
            return await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                timeout=timeout_s,
                command_timeout=timeout_s,
                server_settings=server_settings,
            )
        except (OSError, asyncpg.CannotConnectNowError) as error:
            if attempt == attempts:
                raise
            log.warning("database not reachable yet (%s), retrying", type(error).__name__)
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")
