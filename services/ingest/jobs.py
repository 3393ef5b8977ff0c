"""The JetStream stream and durable consumer of processing jobs, declared idempotently at start."""

import logging
from dataclasses import dataclass

from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

log = logging.getLogger(__name__)

JOB_SUBJECT = "ingest.jobs.process"
# Publishes of the same job id within this window are dropped by the server, so re-queueing a
# job that is still waiting in a backlog adds nothing (a retry is a new job, with a new id).
_DUPLICATE_WINDOW_S = 3600.0


@dataclass(frozen=True, slots=True)
class JobQueueConfig:
    stream: str
    consumer: str
    ack_wait_s: float
    # How many jobs the server hands out unacked at once, over all replicas.
    max_ack_pending: int = 1000


class JobQueue:
    """Publishes jobs (the message is an ``ingest_job`` id) and hands out a pull subscription on
    the durable consumer.

    The consumer redelivers without limit; the worker counts deliveries itself (MAX_DELIVER), so
    that a job whose worker keeps dying is marked failed instead of silently dropped.
    """

    def __init__(self, js: JetStreamContext, config: JobQueueConfig) -> None:
        self._js = js
        self._config = config

    async def declare(self) -> None:
        stream = StreamConfig(
            name=self._config.stream,
            subjects=[JOB_SUBJECT],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            duplicate_window=_DUPLICATE_WINDOW_S,
        )
        try:
            await self._js.add_stream(stream)
        except BadRequestError:
            # It exists with other settings (an older deployment): bring it up to date.
            await self._js.update_stream(stream)
        consumer = ConsumerConfig(
            durable_name=self._config.consumer,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._config.ack_wait_s,
            max_deliver=-1,
            max_ack_pending=self._config.max_ack_pending,
            filter_subject=JOB_SUBJECT,
        )
        await self._js.add_consumer(self._config.stream, consumer)

    async def publish(self, job_id: str, timeout_s: float = 5.0) -> None:
        """Queues job ``job_id``; raises on failure (the caller decides whether that is fatal)."""
        await self._js.publish(
            JOB_SUBJECT,
            job_id.encode(),
            timeout=timeout_s,
            stream=self._config.stream,
            headers={"Nats-Msg-Id": job_id},
        )

    async def try_publish(self, job_id: str) -> bool:
        try:
            await self.publish(job_id)
        except (NatsError, TimeoutError, OSError) as error:
            log.warning("could not queue job %s (%s); the re-queue sweep will", job_id, type(error).__name__)
            return False
        return True

    async def depth(self, timeout_s: float = 2.0) -> int:
        """Jobs waiting in the consumer plus those handed out and not yet acked (all replicas)."""
        info = await self._js.consumer_info(self._config.stream, self._config.consumer, timeout=timeout_s)
        return (info.num_pending or 0) + (info.num_ack_pending or 0)

    async def subscribe(self) -> JetStreamContext.PullSubscription:
        return await self._js.pull_subscribe_bind(durable=self._config.consumer, stream=self._config.stream)
