"""The asyncpg pool every service opens at start."""

import asyncio
import logging
import time

import asyncpg

log = logging.getLogger(__name__)

# How long a service keeps trying a database that refuses connections or is still starting up.
UNREACHABLE_WAIT_S = 15.0
# Between attempts: short at first (a launcher's database usually comes up within a second), then
# no more often than this.
_FIRST_PAUSE_S = 0.05
_LONGEST_PAUSE_S = 0.25


async def open_pool(
    dsn: str,
    *,
    min_size: int,
    max_size: int,
    timeout_s: float,
    startup_wait_s: float = 0.0,
    server_settings: dict[str, str] | None = None,
) -> asyncpg.Pool:
    """Opens a pool, retrying for a while so a service may start before its database.

    A database that is not listening yet, or still starting up, is tried again for
    ``max(UNREACHABLE_WAIT_S, startup_wait_s)``. A refused login is tried again only within
    ``startup_wait_s``: the window in which a launcher that started us alongside the database may
    still be setting up its logins (``STARTUP_WAIT_S``); outside it (0, the default) a wrong password
    fails at once."""
    started = time.monotonic()
    unreachable_until = started + max(UNREACHABLE_WAIT_S, startup_wait_s)
    refused_until = started + startup_wait_s
    pause = _FIRST_PAUSE_S
    logged: set[str] = set()
    while True:
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
            if time.monotonic() + pause > unreachable_until:
                raise
            reason = type(error).__name__
        except asyncpg.InvalidAuthorizationSpecificationError as error:
            if time.monotonic() + pause > refused_until:
                raise
            reason = type(error).__name__
        # Once per kind of failure: a start alongside the database sees a few of each.
        level = logging.DEBUG if reason in logged else logging.INFO
        logged.add(reason)
        log.log(level, "database not ready yet (%s), retrying", reason)
        await asyncio.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE_S)
