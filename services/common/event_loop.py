"""The event loop every process of the stack runs on: uvloop where it is installed, else asyncio's."""

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, on uvloop when it can be imported: its loop and transports are C code,
    which takes a measurable share off the CPU time of every request the gateway and the services
    handle (BENCHMARKS.md, "Issue 20: chat overhead")."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
