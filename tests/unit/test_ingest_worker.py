"""Job handling: ack after success, nak with a delay on transient errors, failed after MAX_DELIVER."""

import asyncio
from dataclasses import dataclass, field

import asyncpg

from services.ingest.processing import Outcome
from services.ingest.worker import JobWorkers, attempts_exhausted


@dataclass
class _Metadata:
    num_delivered: int


@dataclass
class FakeMessage:
    data: bytes
    metadata: _Metadata
    actions: list = field(default_factory=list)

    async def ack(self) -> None:
        self.actions.append(("ack",))

    async def nak(self, delay: float | None = None) -> None:
        self.actions.append(("nak", delay))

    async def term(self) -> None:
        self.actions.append(("term",))

    async def in_progress(self) -> None:
        self.actions.append(("in_progress",))


class FakeProcessor:
    def __init__(
        self, error: Exception | None = None, seconds: float = 0.0, outcome: Outcome = Outcome.COMPLETED
    ) -> None:
        self.error = error
        self.outcome = outcome
        self.seconds = seconds
        self.processed: list[str] = []
        self.failed: list[tuple[str, str]] = []

    async def process(self, file_id: str) -> Outcome:
        self.processed.append(file_id)
        await asyncio.sleep(self.seconds)
        if self.error is not None:
            raise self.error
        return self.outcome

    async def fail(self, file_id: str, error: str) -> None:
        self.failed.append((file_id, error))


class FakeRepo:
    def __init__(self) -> None:
        self.reset: list[str] = []

    async def reset_to_pending(self, file_id: str) -> None:
        self.reset.append(file_id)


def workers(processor: FakeProcessor, ack_wait_s: float = 30.0) -> JobWorkers:
    return JobWorkers(
        None,  # type: ignore[arg-type]  # handle() never touches the queue
        processor,  # type: ignore[arg-type]
        FakeRepo(),  # type: ignore[arg-type]
        count=1,
        max_deliver=3,
        ack_wait_s=ack_wait_s,
        nak_delay_s=2.0,
        requeue_after_s=60,
    )


async def test_success_is_acked_after_processing() -> None:
    processor = FakeProcessor()
    message = FakeMessage(b"f1", _Metadata(1))
    await workers(processor).handle(message)
    assert processor.processed == ["f1"] and message.actions == [("ack",)]


async def test_poison_input_is_terminated() -> None:
    message = FakeMessage(b"f1", _Metadata(1))
    await workers(FakeProcessor(outcome=Outcome.FAILED)).handle(message)
    assert message.actions == [("term",)]


async def test_transient_error_is_naked_with_a_growing_delay() -> None:
    # Not an outage (those are waited out, below): an error of the job itself.
    processor = FakeProcessor(error=RuntimeError("embedding failed"))
    message = FakeMessage(b"f1", _Metadata(2))
    await workers(processor).handle(message)
    assert message.actions == [("nak", 4.0)] and processor.failed == []


async def test_last_attempt_marks_the_file_failed_and_acks() -> None:
    processor = FakeProcessor(error=RuntimeError("embedding failed again"))
    message = FakeMessage(b"f1", _Metadata(3))
    await workers(processor).handle(message)
    assert processor.failed == [("f1", attempts_exhausted(3))] and message.actions == [("ack",)]


async def test_a_job_whose_workers_kept_dying_is_failed_without_another_try() -> None:
    processor = FakeProcessor()
    message = FakeMessage(b"f1", _Metadata(4))
    await workers(processor).handle(message)
    assert processor.processed == [] and processor.failed == [("f1", attempts_exhausted(3))]
    assert message.actions == [("ack",)]


async def test_long_jobs_send_in_progress() -> None:
    processor = FakeProcessor(seconds=0.35)
    message = FakeMessage(b"f1", _Metadata(1))
    await workers(processor, ack_wait_s=0.3).handle(message)
    assert message.actions.count(("in_progress",)) >= 2 and message.actions[-1] == ("ack",)


async def test_a_cancelled_job_is_handed_back() -> None:
    processor = FakeProcessor(seconds=10)
    message = FakeMessage(b"f1", _Metadata(1))
    worker = workers(processor)
    task = asyncio.create_task(worker.handle(message))
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert message.actions == [("nak", None)]


class FlakyProcessor(FakeProcessor):
    """Fails with ``errors`` first (one per call), then succeeds."""

    def __init__(self, errors: list[Exception]) -> None:
        super().__init__()
        self.errors = errors

    async def process(self, file_id: str) -> Outcome:
        self.processed.append(file_id)
        if self.errors:
            raise self.errors.pop(0)
        return Outcome.COMPLETED


async def test_a_database_outage_is_waited_out_without_using_an_attempt() -> None:
    down = asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    processor = FlakyProcessor([down, ConnectionRefusedError(111, "refused")])
    message = FakeMessage(b"f1", _Metadata(3))
    await workers(processor).handle(message)
    # The last allowed delivery, yet neither failed nor handed back: retried in place until done.
    assert processor.processed == ["f1"] * 3 and processor.failed == []
    assert message.actions == [("ack",)]


class FakeSubscription:
    def __init__(self, messages: list[FakeMessage]) -> None:
        self.messages = messages

    async def fetch(self, batch: int, timeout: float) -> list[FakeMessage]:  # noqa: ASYNC109  # nats' signature
        if not self.messages:
            await asyncio.sleep(0.05)
            raise TimeoutError
        return [self.messages.pop(0)]


class UnsettleableProcessor(FakeProcessor):
    async def fail(self, file_id: str, error: str) -> None:
        raise asyncpg.InterfaceError("connection is closed")


async def test_the_loop_survives_a_job_it_cannot_settle() -> None:
    # Past MAX_DELIVER the file is marked failed, which needs the database: down here.
    first = FakeMessage(b"f1", _Metadata(4))
    second = FakeMessage(b"f2", _Metadata(1))
    processor = UnsettleableProcessor()
    loop = asyncio.create_task(workers(processor)._loop(FakeSubscription([first, second])))
    try:
        for _ in range(100):
            if second.actions:
                break
            await asyncio.sleep(0.02)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    # The first is left unacked for redelivery; the loop went on to the second.
    assert first.actions == [] and second.actions == [("ack",)]
