"""Which exceptions mean that PostgreSQL or NATS is out of reach, as opposed to a bug."""

import asyncpg
from nats import errors as nats_errors
from nats.js import errors as js_errors

# The server went away, is starting or stopping, or refuses more clients: all pass when it is back.
_DATABASE_DOWN = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
# The connection to nats-server is down or being re-established (a lost publish is a timeout, an
# OSError, below).
_BROKER_DOWN = (
    nats_errors.ConnectionClosedError,
    nats_errors.ConnectionReconnectingError,
    nats_errors.ConnectionDrainingError,
    nats_errors.NoServersError,
    nats_errors.StaleConnectionError,
    nats_errors.OutboundBufferLimitError,
    nats_errors.NoRespondersError,
    js_errors.NoStreamResponseError,
    js_errors.ServiceUnavailableError,
)
# OSErrors about files are our own doing, not a dependency's.
_LOCAL_OS_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
)


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says a dependency is down (the caller may retry once it is back): a refused
    or dropped connection, a timed-out connect or pool acquire, a server shutting down or full."""
    if isinstance(error, _DATABASE_DOWN + _BROKER_DOWN):
        return True
    if isinstance(error, asyncpg.InterfaceError):
        # "connection is closed", "pool is closing": the rest of InterfaceError is misuse.
        return "closed" in str(error) or "closing" in str(error)
    # ConnectionRefusedError and its kin, TimeoutError (a pool acquire, a connect, a publish), and
    # the plain OSError asyncpg raises when every address of a host refused.
    return isinstance(error, OSError) and not isinstance(error, _LOCAL_OS_ERRORS)
