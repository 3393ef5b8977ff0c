"""Wakes a pending-files watch when any file's status or any collection changes (NATS events).

The events only say "look again": the watch re-reads Postgres, and re-reads it anyway now and then
(an upload publishes no event until its processing starts, and core NATS may drop one).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError

from services.ingest.events import COLLECTIONS_SUBJECT, STATUS_SUBJECT_PREFIX

log = logging.getLogger(__name__)


class Wakeup:
    """Set by events; ``wait`` returns when one came (True) or after ``timeout_s`` (False)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout_s: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), timeout_s)
        except TimeoutError:
            return False
        self._event.clear()
        return True


class PendingFeed:
    def __init__(self, nc: Client) -> None:
        self._nc = nc

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Wakeup]:
        wakeup = Wakeup()

        async def on_event(_: Msg) -> None:
            wakeup.set()

        subscriptions = []
        try:
            for subject in (f"{STATUS_SUBJECT_PREFIX}*", COLLECTIONS_SUBJECT):
                subscriptions.append(await self._nc.subscribe(subject, cb=on_event))
        except NatsError as error:
            # Without events the watch still re-reads Postgres every few seconds.
            log.warning("pending files watch without events: %s", type(error).__name__)
        try:
            yield wakeup
        finally:
            for subscription in subscriptions:
                with contextlib.suppress(NatsError):
                    await subscription.unsubscribe()
