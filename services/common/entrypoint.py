"""The start of every gRPC service's process: settings (or a one-line exit), logging, event loop."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.common import event_loop
from services.common.logs import configure_logging
from services.common.settings import CommonSettings, load_settings

S = TypeVar("S", bound=CommonSettings)


def run_service(
    name: str, settings_cls: type[S], run: Callable[[S], Awaitable[None]], *, uvloop: bool = False
) -> None:
    """Loads ``settings_cls`` from the environment and runs ``run(settings)`` until it returns; with
    ``uvloop``, on uvloop where it is installed (services on the per-request path of every chat)."""
    settings = load_settings(settings_cls, name)
    configure_logging(name, settings.log_level, settings.log_format)
    if uvloop:
        event_loop.run(run(settings))
    else:
        asyncio.run(run(settings))
