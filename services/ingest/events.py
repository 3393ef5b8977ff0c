"""NATS subjects the ingest replicas tell each other things on: file status and collection changes.

These are plain (core) NATS messages: they make replicas react at once, but correctness never
depends on them — a status watcher re-reads Postgres now and then, and a FAISS copy is checked
against the collection's version in Postgres before every search.
"""

import contextlib
import logging
from collections.abc import AsyncIterator

import orjson
from nats.aio.client import Client
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError

from services.ingest.models import CollectionChange, FileStatus

log = logging.getLogger(__name__)

STATUS_SUBJECT_PREFIX = "ingest.status."
COLLECTIONS_SUBJECT = "ingest.collections"


def status_subject(file_id: str) -> str:
    return f"{STATUS_SUBJECT_PREFIX}{file_id}"


def encode_status(status: FileStatus | None, error: str | None, deleted: bool = False) -> bytes:
    return orjson.dumps({"status": status.value if status else None, "error": error, "deleted": deleted})


def decode_status(data: bytes) -> tuple[FileStatus | None, str | None, bool]:
    body = orjson.loads(data)
    status = FileStatus(body["status"]) if body.get("status") else None
    return status, body.get("error"), bool(body.get("deleted"))


def encode_change(change: CollectionChange) -> bytes:
    return orjson.dumps(
        {
            "collection": change.collection,
            "version": change.version,
            "op": change.op,
            "file_id": change.file_id,
            "origin": change.origin,
        }
    )


def decode_change(data: bytes) -> CollectionChange:
    body = orjson.loads(data)
    return CollectionChange(
        collection=str(body["collection"]),
        version=int(body["version"]),
        op=str(body["op"]),
        file_id=str(body.get("file_id", "")),
        origin=str(body.get("origin", "")),
    )


class EventPublisher:
    """Publishes events; a failed publish is logged, never raised (see the module docstring)."""

    def __init__(self, nc: Client) -> None:
        self._nc = nc

    async def status(
        self, file_id: str, status: FileStatus | None, error: str | None = None, deleted: bool = False
    ) -> None:
        await self._publish(status_subject(file_id), encode_status(status, error, deleted))

    async def change(self, change: CollectionChange) -> None:
        await self._publish(COLLECTIONS_SUBJECT, encode_change(change))

    async def _publish(self, subject: str, data: bytes) -> None:
        try:
            await self._nc.publish(subject, data)
        except NatsError as error:
            log.warning("could not publish on %s: %s", subject, type(error).__name__)


class StatusFeed:
    """Subscriptions to one file's status events."""

    def __init__(self, nc: Client) -> None:
        self._nc = nc

    @contextlib.asynccontextmanager
    async def subscribe(self, file_id: str) -> AsyncIterator["StatusSubscription"]:
        subscription = await self._nc.subscribe(status_subject(file_id))
        try:
            yield StatusSubscription(subscription)
        finally:
            with contextlib.suppress(NatsError):
                await subscription.unsubscribe()


class StatusSubscription:
    def __init__(self, subscription: Subscription) -> None:
        self._subscription = subscription

    async def next(self, timeout_s: float) -> tuple[FileStatus | None, str | None, bool] | None:
        """The next event, or None when none came within ``timeout_s``."""
        try:
            message = await self._subscription.next_msg(timeout=timeout_s)
        except TimeoutError:
            return None
        return decode_status(message.data)
