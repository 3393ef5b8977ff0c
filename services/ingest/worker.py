"""Job workers: pull from the durable consumer, process, ack only after the commit."""

import asyncio
import contextlib
import logging
import time

from nats.aio.msg import Msg
from nats.errors import Error as NatsError

from services.common.outages import is_outage
from services.common.supervised import Supervised
from services.ingest.ingest_jobs.models import ACTIVE_STATES
from services.ingest.ingest_jobs.repository import JobsRepository
from services.ingest.jobs import JobQueue
from services.ingest.metrics import IngestMetrics
from services.ingest.processing import FileProcessor, Outcome
from services.ingest.repository import IngestRepository

log = logging.getLogger(__name__)

_FETCH_WAIT_S = 2.0
# While PostgreSQL is down a job waits in its worker, retried at these capped intervals for as long
# as the outage lasts: an outage is nobody's attempt, and must not use up MAX_DELIVER.
_OUTAGE_RETRY_MIN_S = 0.5
_OUTAGE_RETRY_MAX_S = 5.0


def attempts_exhausted(attempts: int) -> str:
    return f"Processing did not finish after {attempts} attempts. Upload the file again to retry."


class JobWorkers:
    """``count`` pull loops plus a sweep that re-queues files whose job was never published."""

    def __init__(
        self,
        queue: JobQueue,
        processor: FileProcessor,
        repo: IngestRepository,
        *,
        count: int,
        max_deliver: int,
        ack_wait_s: float,
        nak_delay_s: float,
        requeue_after_s: float,
        metrics: IngestMetrics | None = None,
        jobs: JobsRepository | None = None,
    ) -> None:
        # With jobs, a message carries an ``ingest_job`` id (without, a file id): a cancelled job is
        # acked and skipped when picked.
        self._jobs = jobs
        self._queue = queue
        self._processor = processor
        self._repo = repo
        self._count = count
        self._max_deliver = max_deliver
        self._ack_wait_s = ack_wait_s
        self._nak_delay_s = nak_delay_s
        self._requeue_after_s = requeue_after_s
        self._metrics = metrics
        self._loops: list[Supervised] = []
        self._subscriptions: list = []

    @property
    def healthy(self) -> bool:
        """Every loop runs (none is waiting to be restarted after a failure)."""
        return all(loop.healthy for loop in self._loops)

    async def start(self) -> None:
        for n in range(self._count):
            subscription = await self._queue.subscribe()
            self._subscriptions.append(subscription)
            self._loops.append(Supervised(f"ingest-worker-{n}", lambda s=subscription: self._loop(s)))
        self._loops.append(Supervised("ingest-requeue", self._sweep))
        for loop in self._loops:
            loop.start()

    async def stop(self) -> None:
        """Cancels the loops; a job in progress is handed back (nak) for another replica."""
        await asyncio.gather(*(loop.stop() for loop in self._loops))
        self._loops.clear()
        # Unsubscribe now: a drain of the connection would otherwise wait forever for messages
        # (fetch replies, heartbeats) that no loop will read any more.
        for subscription in self._subscriptions:
            with contextlib.suppress(NatsError):
                await subscription.unsubscribe()
        self._subscriptions.clear()

    async def _loop(self, subscription) -> None:  # type: ignore[no-untyped-def]
        while True:
            try:
                messages = await subscription.fetch(1, timeout=_FETCH_WAIT_S)
            except TimeoutError:
                continue
            except NatsError as error:
                log.warning("fetching jobs failed: %s", type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            for message in messages:
                try:
                    await self.handle(message)
                except Exception as error:
                    # The job could not even be settled (its file not marked failed while PostgreSQL
                    # is down): it stays unacked, so JetStream offers it again after the ack wait,
                    # and this loop goes on with the next.
                    log.warning(
                        "job %s: %s; left for redelivery",
                        message.data[:64].decode(errors="replace"),
                        type(error).__name__,
                        exc_info=None if is_outage(error) else error,
                    )
                    await asyncio.sleep(_OUTAGE_RETRY_MIN_S)

    async def _claim(self, key: str, attempt: int) -> tuple[str | None, str] | None:
        """(job id, file id) of a message, the job marked running; None when there is nothing to do
        (the job was cancelled, has ended, or is gone with its file)."""
        if self._jobs is None:
            return None, key
        if attempt > self._max_deliver:
            job = await self._jobs.get(key)
            return (key, job.file_id) if job is not None and job.state in ACTIVE_STATES else None
        job = await self._jobs.start(key, attempt)
        return (key, job.file_id) if job is not None else None

    async def handle(self, message: Msg) -> None:
        attempt = message.metadata.num_delivered or 1
        key = message.data.decode()
        if self._jobs is None:
            claimed: tuple[str | None, str] | None = (None, key)
        else:
            # Waited out like processing is (an outage must not use up deliveries), kept ours meanwhile.
            beat = asyncio.create_task(self._heartbeat(message))
            try:
                claimed = await self._wait_out_outages(lambda: self._claim(key, attempt), key)
            finally:
                beat.cancel()
        if claimed is None:
            self._observe("skipped", time.monotonic())
            await self._settle(message.ack)
            return
        job_id, file_id = claimed
        job_args = (job_id,) if job_id is not None else ()
        if attempt > self._max_deliver:
            # Every earlier attempt died without an answer (a worker killed, say).
            await self._processor.fail(file_id, attempts_exhausted(self._max_deliver), *job_args)
            await self._settle(message.ack)
            return
        heartbeat = asyncio.create_task(self._heartbeat(message))
        started = time.monotonic()
        try:
            outcome = await self._process(file_id, job_id)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self._repo.reset_to_pending(file_id)
                if job_id is not None and self._jobs is not None:
                    await self._jobs.requeue(job_id)
                await message.nak()
            raise
        except Exception as error:
            log.warning(
                "file %s: attempt %d of %d failed: %s",
                file_id,
                attempt,
                self._max_deliver,
                type(error).__name__,
                exc_info=error,
            )
            final = attempt >= self._max_deliver
            self._observe("failed" if final else "retried", started)
            if final:
                await self._processor.fail(file_id, attempts_exhausted(attempt), *job_args)
                await self._settle(message.ack)
            else:
                await self._settle(message.nak, self._nak_delay_s * attempt)
            return
        finally:
            heartbeat.cancel()
        self._observe(outcome.value, started)
        if outcome is Outcome.SKIPPED and job_id is not None and self._jobs is not None:
            await self._jobs.settle_skipped(job_id)
        log.info("job %s: %s in %.2f s", file_id, outcome.value, time.monotonic() - started)
        # Input that can never succeed is terminated, so the server never offers it again.
        await self._settle(message.term if outcome is Outcome.FAILED else message.ack)

    async def _process(self, file_id: str, job_id: str | None) -> Outcome:
        """Processes ``file_id``, waiting out a database or broker outage (the heartbeat keeps the
        job ours meanwhile); every step is safe to run again."""
        job_args = (job_id,) if job_id is not None else ()
        return await self._wait_out_outages(lambda: self._processor.process(file_id, *job_args), file_id)

    @staticmethod
    async def _wait_out_outages(call, what: str):  # type: ignore[no-untyped-def]
        """``await call()``, again at capped intervals while a database or broker outage lasts."""
        delay = _OUTAGE_RETRY_MIN_S
        while True:
            try:
                return await call()
            except Exception as error:
                if not is_outage(error):
                    raise
                name = type(error).__name__
                log.warning("job %s: %s, a dependency is down; retrying in %.1f s", what, name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, _OUTAGE_RETRY_MAX_S)

    def _observe(self, outcome: str, started: float) -> None:
        if self._metrics is not None:
            self._metrics.observe_job(outcome, time.monotonic() - started)

    async def _heartbeat(self, message: Msg) -> None:
        """Keeps a long job (a big file's embeddings) from being redelivered while it runs."""
        while True:
            await asyncio.sleep(self._ack_wait_s / 3)
            with contextlib.suppress(NatsError, TimeoutError):
                await message.in_progress()

    @staticmethod
    async def _settle(action, *args) -> None:  # type: ignore[no-untyped-def]
        # A lost ack only means a redelivery, which finds the file finished and skips it.
        try:
            await action(*args)
        except (NatsError, TimeoutError) as error:
            log.warning("could not settle a job: %s", type(error).__name__)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._requeue_after_s / 2)
            try:
                stale = await self._stale(int(time.time() - self._requeue_after_s))
            except Exception as error:
                if not is_outage(error):
                    raise
                log.warning("re-queue sweep failed: %s", type(error).__name__)
                continue
            for key in stale:
                await self._queue.try_publish(key)

    async def _stale(self, older_than: int) -> list[str]:
        """What to publish again: jobs still queued after a while (their publish may have been
        lost), and pending files with no unfinished job (from before jobs existed), each given one."""
        if self._jobs is None:
            return await self._repo.stale_pending_files(older_than)
        return await self._jobs.stale_queued(older_than) + await self._jobs.adopt_orphans(older_than)
