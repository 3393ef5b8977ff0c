"""Which exceptions mean that PostgreSQL or NATS is out of reach, as opposed to a bug.

asyncpg and nats are not imported here: every gRPC server imports this module (its error
interceptor), and nats alone (with aiohttp, which it imports) is 0.15-0.2 s of a service's start.
An exception of a library can only exist once that library is imported, so its classes are looked
up in ``sys.modules`` when an error is classified.
"""

import sys
from types import ModuleType

# The server went away, is starting or stopping, or refuses more clients: all pass when it is back.
_DATABASE_DOWN = (
    "PostgresConnectionError",
    "CannotConnectNowError",
    "AdminShutdownError",
    "CrashShutdownError",
    "TooManyConnectionsError",
)
# The connection to nats-server is down or being re-established (a lost publish is a timeout, an
# OSError, below).
_BROKER_DOWN = (
    "ConnectionClosedError",
    "ConnectionReconnectingError",
    "ConnectionDrainingError",
    "NoServersError",
    "StaleConnectionError",
    "OutboundBufferLimitError",
    "NoRespondersError",
)
_JETSTREAM_DOWN = ("NoStreamResponseError", "ServiceUnavailableError")
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
    asyncpg = sys.modules.get("asyncpg")
    down = (
        _classes(asyncpg, _DATABASE_DOWN)
        + _classes(sys.modules.get("nats.errors"), _BROKER_DOWN)
        + _classes(sys.modules.get("nats.js.errors"), _JETSTREAM_DOWN)
    )
    if isinstance(error, down):
        return True
    if asyncpg is not None and isinstance(error, asyncpg.InterfaceError):
        # "connection is closed", "pool is closing": the rest of InterfaceError is misuse.
        return "closed" in str(error) or "closing" in str(error)
    # ConnectionRefusedError and its kin, TimeoutError (a pool acquire, a connect, a publish), and
    # the plain OSError asyncpg raises when every address of a host refused.
    return isinstance(error, OSError) and not isinstance(error, _LOCAL_OS_ERRORS)


def _classes(module: ModuleType | None, names: tuple[str, ...]) -> tuple[type[BaseException], ...]:
    """The exception classes ``names`` of ``module``; none where it is not imported."""
    return () if module is None else tuple(getattr(module, name) for name in names)
