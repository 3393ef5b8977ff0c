"""Ingest jobs without I/O: callback signatures, URL allow-list, backoff, states, and the worker's
handling of job ids (cancelled jobs skipped, failures recorded on the job)."""

import hashlib
import hmac

import pytest

from services.ingest.ingest_jobs.callback_urls import CallbackPolicy, CallbackUrlRefused
from services.ingest.ingest_jobs.delivery import DeliverySettings, retry_delay
from services.ingest.ingest_jobs.models import (
    ACTIVE_STATES,
    FINAL_STATES,
    BatchRecord,
    JobRecord,
    JobState,
    can_move,
)
from services.ingest.ingest_jobs.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
    signed_headers,
    verify,
)
from services.ingest.processing import Outcome
from services.ingest.worker import JobWorkers, attempts_exhausted
from tests.unit.test_ingest_worker import FakeMessage, FakeRepo, _Metadata

SECRET = "s3cret"


def test_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    body = b'{"event":"job.finished"}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, 1700000000, body) == f"sha256={expected}"
    headers = signed_headers(SECRET, 1700000000, body)
    assert headers[TIMESTAMP_HEADER] == "1700000000" and headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"


def test_verify_refuses_a_changed_body_timestamp_or_secret_and_old_timestamps() -> None:
    body = b'{"a":1}'
    headers = signed_headers(SECRET, 1000, body)
    assert verify(SECRET, headers, body, now=1000)
    assert not verify(SECRET, headers, b'{"a":2}', now=1000)
    assert not verify("other", headers, body, now=1000)
    assert not verify(SECRET, {**headers, TIMESTAMP_HEADER: "1001"}, body, now=1000)
    assert not verify(SECRET, headers, body, now=1000 + 301)
    assert not verify(SECRET, {**headers, TIMESTAMP_HEADER: "soon"}, body, now=1000)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://hooks.example.com/x?y=1",
        "https://a.b.example.org/",
    ],
)
def test_allowed_callback_urls(url: str) -> None:
    policy = CallbackPolicy.parse("127.0.0.1, hooks.example.com, *.example.org", SECRET)
    assert policy.check(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/hook", "not on the allow-list"),
        ("https://example.org/", "not on the allow-list"),
        ("https://evilexample.org/", "not on the allow-list"),
        ("ftp://hooks.example.com/", "http or https"),
        ("http:///nohost", "http or https"),
        ("https://user:pw@hooks.example.com/", "credentials"),
        ("https://hooks.example.com/\r\nX: y", "malformed"),
        ("https://hooks.example.com:99999/", "malformed"),
        ("https://hooks.example.com/" + "a" * 3000, "malformed"),
    ],
)
def test_refused_callback_urls(url: str, reason: str) -> None:
    policy = CallbackPolicy.parse("127.0.0.1,hooks.example.com,*.example.org", SECRET)
    with pytest.raises(CallbackUrlRefused, match=reason):
        policy.check(url)


def test_callbacks_need_a_secret_and_an_allow_list() -> None:
    for policy in (CallbackPolicy.parse("", SECRET), CallbackPolicy.parse("127.0.0.1", "")):
        with pytest.raises(CallbackUrlRefused, match="not enabled"):
            policy.check("http://127.0.0.1/hook")


def test_retry_delay_doubles_up_to_the_cap() -> None:
    settings = DeliverySettings(SECRET, CallbackPolicy((), True), retry_base_s=1.0, retry_max_s=10.0)
    assert [retry_delay(settings, n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_state_machine() -> None:
    assert can_move(JobState.QUEUED, JobState.RUNNING) and can_move(JobState.QUEUED, JobState.CANCELLED)
    assert can_move(JobState.RUNNING, JobState.COMPLETED) and can_move(JobState.RUNNING, JobState.QUEUED)
    assert not can_move(JobState.QUEUED, JobState.COMPLETED)
    for final in FINAL_STATES:
        assert not any(can_move(final, target) for target in JobState)
    assert set(JobState) == ACTIVE_STATES | FINAL_STATES


def test_batch_finished_only_when_no_job_is_active() -> None:
    assert not BatchRecord("b", "u", None, 0).finished
    assert not BatchRecord("b", "u", None, 0, {"completed": 3, "queued": 1}).finished
    assert BatchRecord("b", "u", None, 0, {"completed": 3, "cancelled": 2}).finished


def _job(state: JobState, file_id: str = "f1") -> JobRecord:
    return JobRecord("j1", file_id, None, "u", "", state, 0, None, None, None, 0, None, None)


class FakeJobs:
    def __init__(self, state: JobState | None) -> None:
        self.state = state
        self.started: list[tuple[str, int]] = []
        self.settled: list[str] = []
        self.outages = 0

    async def start(self, job_id: str, attempt: int) -> JobRecord | None:
        self.started.append((job_id, attempt))
        if self.outages:
            self.outages -= 1
            raise ConnectionRefusedError("PostgreSQL is down")
        return _job(JobState.RUNNING) if self.state in ACTIVE_STATES else None

    async def get(self, job_id: str) -> JobRecord | None:
        return _job(self.state) if self.state is not None else None

    async def settle_skipped(self, job_id: str) -> None:
        self.settled.append(job_id)


class JobProcessor:
    def __init__(self, outcome: Outcome = Outcome.COMPLETED) -> None:
        self.outcome = outcome
        self.processed: list[tuple[str, str]] = []
        self.failed: list[tuple[str, str, str]] = []

    async def process(self, file_id: str, job_id: str) -> Outcome:
        self.processed.append((file_id, job_id))
        return self.outcome

    async def fail(self, file_id: str, error: str, job_id: str) -> None:
        self.failed.append((file_id, error, job_id))


def _workers(processor: JobProcessor, jobs: FakeJobs) -> JobWorkers:
    return JobWorkers(
        None,  # type: ignore[arg-type]
        processor,  # type: ignore[arg-type]
        FakeRepo(),  # type: ignore[arg-type]
        count=1,
        max_deliver=3,
        ack_wait_s=30,
        nak_delay_s=2.0,
        requeue_after_s=60,
        jobs=jobs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("state", [JobState.CANCELLED, JobState.COMPLETED, None])
async def test_a_job_that_does_not_run_any_more_is_acked_and_skipped(state: JobState | None) -> None:
    processor = JobProcessor()
    message = FakeMessage(b"j1", _Metadata(1))
    await _workers(processor, FakeJobs(state)).handle(message)
    assert processor.processed == [] and message.actions == [("ack",)]


async def test_a_queued_job_runs_its_file_with_the_job_id() -> None:
    processor, jobs = JobProcessor(), FakeJobs(JobState.QUEUED)
    message = FakeMessage(b"j1", _Metadata(2))
    await _workers(processor, jobs).handle(message)
    assert jobs.started == [("j1", 2)] and processor.processed == [("f1", "j1")]
    assert message.actions == [("ack",)]


async def test_a_job_cancelled_while_running_is_acked() -> None:
    message = FakeMessage(b"j1", _Metadata(1))
    await _workers(JobProcessor(Outcome.CANCELLED), FakeJobs(JobState.QUEUED)).handle(message)
    assert message.actions == [("ack",)]


async def test_exhausted_deliveries_fail_the_job() -> None:
    processor = JobProcessor()
    message = FakeMessage(b"j1", _Metadata(4))
    await _workers(processor, FakeJobs(JobState.RUNNING)).handle(message)
    assert processor.failed == [("f1", attempts_exhausted(3), "j1")] and message.actions == [("ack",)]


async def test_a_skipped_run_settles_its_job() -> None:
    jobs = FakeJobs(JobState.QUEUED)
    message = FakeMessage(b"j1", _Metadata(1))
    await _workers(JobProcessor(Outcome.SKIPPED), jobs).handle(message)
    assert jobs.settled == ["j1"] and message.actions == [("ack",)]


async def test_an_outage_while_claiming_is_waited_out_not_counted() -> None:
    processor, jobs = JobProcessor(), FakeJobs(JobState.QUEUED)
    jobs.outages = 1
    message = FakeMessage(b"j1", _Metadata(1))
    await _workers(processor, jobs).handle(message)
    assert jobs.started == [("j1", 1), ("j1", 1)] and processor.processed == [("f1", "j1")]
    assert message.actions[-1] == ("ack",)
