"""The supervised loop that POSTs callbacks from the outbox: signed, no redirects, with a timeout,
retried with exponential backoff up to a number of attempts, then recorded as failed.

The outbox is Postgres, so a callback written before a crash or restart is delivered after it; a
replica takes due rows with ``FOR UPDATE SKIP LOCKED`` and leases them past its timeout, so two
replicas never deliver the same callback at once."""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from services.common.outages import is_outage
from services.common.supervised import Supervised
from services.ingest.ingest_jobs.callback_urls import CallbackPolicy, CallbackUrlRefused
from services.ingest.ingest_jobs.repository import DueCallback, JobsRepository
from services.ingest.ingest_jobs.signing import CALLBACK_ID_HEADER, signed_headers

log = logging.getLogger(__name__)

_BATCH = 20
# Bytes of the receiver's answer read (and ignored) at most.
_MAX_ANSWER_BYTES = 4096


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    secret: str
    policy: CallbackPolicy
    timeout_s: float = 10.0
    max_attempts: int = 8
    retry_base_s: float = 5.0
    retry_max_s: float = 3600.0
    poll_s: float = 1.0


def retry_delay(settings: DeliverySettings, attempts: int) -> float:
    """The wait after the ``attempts``-th failed try: base, 2 x base, 4 x base, ... capped."""
    return min(settings.retry_base_s * 2 ** max(attempts - 1, 0), settings.retry_max_s)


class CallbackDelivery:
    def __init__(self, repo: JobsRepository, settings: DeliverySettings) -> None:
        self._repo = repo
        self._settings = settings
        self._loop = Supervised("ingest-callbacks", self._run)
        self._session: aiohttp.ClientSession | None = None

    @property
    def healthy(self) -> bool:
        return self._loop.healthy

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            try:
                delivered = await self.deliver_due()
            except Exception as error:
                if not is_outage(error):
                    raise
                log.warning("callback outbox unavailable: %s", type(error).__name__)
                delivered = 0
            if delivered < _BATCH:
                await asyncio.sleep(self._settings.poll_s)

    async def deliver_due(self) -> int:
        """Delivers the callbacks due now (one batch of them); returns how many were tried."""
        # Leased past every try's timeout, so that no other replica takes them meanwhile.
        lease_s = self._settings.timeout_s * (_BATCH + 1) + 5
        due = await self._repo.take_due(_BATCH, lease_s)
        if due:
            await asyncio.gather(*(self._deliver(callback) for callback in due))
        return len(due)

    async def _deliver(self, callback: DueCallback) -> None:
        error = await self._post(callback)
        if error is None:
            await self._repo.delivered(callback.id)
            return
        host = urlsplit(callback.url).hostname or "?"
        if callback.attempts >= self._settings.max_attempts:
            log.warning(
                "callback %d to %s failed for good after %d tries: %s",
                callback.id,
                host,
                callback.attempts,
                error,
            )
            await self._repo.attempt_failed(callback.id, error, None)
        else:
            delay = retry_delay(self._settings, callback.attempts)
            log.info("callback %d to %s failed (%s); retrying in %.1f s", callback.id, host, error, delay)
            await self._repo.attempt_failed(callback.id, error, time.time() + delay)

    async def _post(self, callback: DueCallback) -> str | None:
        """None when the receiver answered 2xx; otherwise why not."""
        try:
            # Checked again: the allow-list may have shrunk since the callback was asked for.
            self._settings.policy.check(callback.url)
        except CallbackUrlRefused as refusal:
            return str(refusal)
        headers = signed_headers(self._settings.secret, int(time.time()), callback.payload)
        headers[CALLBACK_ID_HEADER] = str(callback.id)
        try:
            async with self._client().post(
                callback.url,
                data=callback.payload,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self._settings.timeout_s),
            ) as response:
                with contextlib.suppress(Exception):
                    await response.content.read(_MAX_ANSWER_BYTES)
                if 200 <= response.status < 300:
                    return None
                return f"HTTP {response.status}"
        except TimeoutError:
            return "timed out"
        except aiohttp.ClientError as error:
            return type(error).__name__

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # No proxies from the environment, no cookies kept between receivers.
            self._session = aiohttp.ClientSession(trust_env=False, cookie_jar=aiohttp.DummyCookieJar())
        return self._session
