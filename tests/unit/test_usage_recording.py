"""The usage recorder (batching, retries, drops) with a fake sink, estimates, and the reply meters."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence

import pytest

from services.common.errors import InvalidArgument
from services.common.identity import Identity, KeyScope
from services.common.usage.estimate import TokenEstimator
from services.common.usage.query import UsageFilter, build_query, check_group_by, parse_day
from services.common.usage.record import CHAT, EMBEDDINGS, INGEST, PendingEstimate, UsageRecord
from services.common.usage.recorder import UsageRecorder
from services.common.usage.settings import RecordingSettings
from services.inference.replies import Head
from services.inference.sse import Marker, Relayed
from services.inference.usage_meter import CallInfo, counts_of, proxy_kind, watch_chat, watch_raw


class FakeSink:
    def __init__(self, failures: int = 0) -> None:
        self.batches: list[list[UsageRecord]] = []
        self.failures = failures
        self.calls = 0

    async def write(self, records: Sequence[UsageRecord]) -> None:
        self.calls += 1
        if self.failures:
            self.failures -= 1
            raise OSError("database down")
        self.batches.append(list(records))


async def _no_sleep(_: float) -> None:
    return None


def _settings(**values: object) -> RecordingSettings:
    base = {"USAGE_BATCH_SIZE": 3, "USAGE_FLUSH_INTERVAL_S": 60, "USAGE_WRITE_RETRIES": 3}
    base.update({k: v for k, v in values.items()})
    return RecordingSettings(**base)  # type: ignore[arg-type]


def _record(n: int = 0) -> UsageRecord:
    return UsageRecord(CHAT, f"u{n}", model="m", input_tokens=n)


async def test_records_are_written_in_batches_and_on_close() -> None:
    sink = FakeSink()
    recorder = UsageRecorder(sink, _settings(), sleep=_no_sleep)
    recorder.start()
    for n in range(7):
        recorder.record(_record(n))
    await asyncio.sleep(0.05)
    # A full batch wakes the writer, which then writes everything queued, a batch at a time.
    assert [len(b) for b in sink.batches] == [3, 3, 1]
    recorder.record(_record(8))
    await asyncio.sleep(0.05)
    assert len(sink.batches) == 3  # a lone record waits for the interval, or for close
    await recorder.close()
    assert [len(b) for b in sink.batches] == [3, 3, 1, 1]
    assert recorder.stats.written == 8 and recorder.stats.dropped == 0


async def test_interval_flushes_a_partial_batch() -> None:
    sink = FakeSink()
    recorder = UsageRecorder(sink, _settings(USAGE_FLUSH_INTERVAL_S=0.05), sleep=_no_sleep)
    recorder.start()
    recorder.record(_record())
    await asyncio.sleep(0.2)
    assert sum(len(b) for b in sink.batches) == 1
    await recorder.close()


async def test_a_failing_write_is_retried_until_it_succeeds() -> None:
    sink = FakeSink(failures=2)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    recorder = UsageRecorder(sink, _settings(), sleep=sleep)
    for n in range(3):
        recorder.record(_record(n))
    await recorder.close()
    assert sink.calls == 3 and recorder.stats.written == 3 and recorder.stats.dropped == 0
    assert slept == [0.2, 0.4]  # backing off


async def test_exhausted_retries_drop_the_batch_with_a_logged_count(caplog: pytest.LogCaptureFixture) -> None:
    sink = FakeSink(failures=100)
    recorder = UsageRecorder(sink, _settings(USAGE_WRITE_RETRIES=2), sleep=_no_sleep)
    for n in range(4):
        recorder.record(_record(n))
    with caplog.at_level(logging.ERROR):
        await recorder.close()
    assert recorder.stats.dropped_failed == 4 and recorder.stats.written == 0
    assert sink.calls == 6  # two batches, three attempts each
    assert "could not be written after 3 attempts" in caplog.text
    assert "4 dropped" in caplog.text


async def test_a_full_queue_drops_and_counts_never_blocks(caplog: pytest.LogCaptureFixture) -> None:
    sink = FakeSink()
    recorder = UsageRecorder(sink, _settings(USAGE_QUEUE_MAX=2, USAGE_BATCH_SIZE=10), sleep=_no_sleep)
    with caplog.at_level(logging.ERROR):
        for n in range(5):
            recorder.record(_record(n))
        await recorder.close()
    assert recorder.stats.dropped_full == 3 and recorder.stats.written == 2
    assert "the queue was full" in caplog.text and "3 in all" in caplog.text


async def test_recording_off_records_nothing() -> None:
    sink = FakeSink()
    recorder = UsageRecorder(sink, _settings(USAGE_RECORDING=False))
    recorder.record(_record())
    await recorder.close()
    assert sink.batches == [] and recorder.stats.recorded == 0


def test_estimates_are_marked_and_exact_counts_are_not() -> None:
    estimator = TokenEstimator()
    estimated = UsageRecord(
        CHAT, "u", pending=PendingEstimate(input_text="hello world", output_text=lambda: "hi")
    )
    estimator.settle(estimated)
    assert estimated.estimated and estimated.input_tokens == 2 and estimated.output_tokens == 1
    exact = UsageRecord(INGEST, "u", pending=PendingEstimate(input_text="hello world", exact=True))
    estimator.settle(exact)
    assert not exact.estimated and exact.input_tokens == 2
    # Long texts are counted whole: the model's 128-token truncation is off.
    assert estimator.count("word " * 1000) == 1000


def test_records_name_the_caller_key_and_groups() -> None:
    caller = Identity(user_id="u1", role="user", group_ids=frozenset({"g2", "g1"}), scope=KeyScope("k1"))
    record = UsageRecord.for_caller(CHAT, caller, model="m")
    assert (record.user_id, record.key_id, record.group_ids) == ("u1", "k1", ("g1", "g2"))
    assert UsageRecord.for_caller(CHAT, Identity(user_id="u2", role="user")).key_id == ""


def test_counts_from_openai_and_ollama_shapes() -> None:
    assert counts_of({"usage": {"prompt_tokens": 5, "completion_tokens": 7}}) == (5, 7)
    assert counts_of({"usage": {"prompt_tokens": 4, "total_tokens": 4}}) == (4, 0)
    assert counts_of({"done": True, "prompt_eval_count": 3, "eval_count": 9}) == (3, 9)
    assert counts_of({"choices": []}) is None


class Sink(list):
    def record(self, record: UsageRecord) -> None:
        self.append(record)

    enabled = True


async def _drain(parts: AsyncIterator) -> list:
    return [p async for p in parts]


async def _parts(*items: object) -> AsyncIterator:
    for item in items:
        yield item


def _info(kind: str = CHAT, request: object = None) -> CallInfo:
    caller = Identity(user_id="u1", role="user")
    return CallInfo(
        caller, kind, "m", "ollama[0]", request or {"messages": [{"role": "user", "content": "hi"}]}
    )


async def test_streamed_chat_takes_the_final_chunk_usage() -> None:
    sink = Sink()
    chunk = {
        "choices": [{"delta": {"content": "yo"}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 2},
    }
    out = await _drain(watch_chat(sink, _info(), _parts(Head(200, streaming=True), chunk, Marker.DONE)))  # type: ignore[arg-type]
    assert len(out) == 3 and len(sink) == 1
    record = sink[0]
    assert (record.input_tokens, record.output_tokens, record.status, record.pending) == (11, 2, "ok", None)


async def test_relayed_stream_without_usage_is_left_to_estimate() -> None:
    sink = Sink()
    frame = Relayed(b'data: {"choices":[{"delta":{"content":"hello there"}}]}\n\n')
    await _drain(watch_chat(sink, _info(), _parts(Head(200, streaming=True), frame, Marker.DONE)))  # type: ignore[arg-type]
    record = sink[0]
    TokenEstimator().settle(record)
    assert record.estimated and record.input_tokens == 1 and record.output_tokens == 2


async def test_a_failed_stream_and_an_upstream_error_are_recorded_with_their_status() -> None:
    sink = Sink()
    await _drain(watch_chat(sink, _info(), _parts(Head(200, streaming=True), Marker.FAILED)))  # type: ignore[arg-type]
    await _drain(watch_chat(sink, _info(), _parts(Head(429), b'{"detail":"slow down"}')))  # type: ignore[arg-type]
    assert [r.status for r in sink] == ["error", "429"]
    assert all(r.pending is None for r in sink)


async def test_raw_ollama_stream_and_embeddings_bodies() -> None:
    sink = Sink()
    lines = [
        b'{"message":{"content":"a"},"done":false}\n',
        b'{"done":true,"prompt_eval_count":6,"eval_count":4}\n',
    ]
    await _drain(watch_raw(sink, _info(), _parts(Head(200, streaming=True), *lines)))  # type: ignore[arg-type]
    body = b'{"object":"list","data":[],"usage":{"prompt_tokens":9,"total_tokens":9}}'
    await _drain(watch_raw(sink, _info(EMBEDDINGS, {"input": "x"}), _parts(Head(200), body)))  # type: ignore[arg-type]
    assert [(r.input_tokens, r.output_tokens) for r in sink] == [(6, 4), (9, 0)]


async def test_a_cancelled_reply_is_still_recorded() -> None:
    sink = Sink()
    gen = watch_chat(sink, _info(), _parts(Head(200, streaming=True), {"choices": []}, Marker.DONE))  # type: ignore[arg-type]
    await gen.__anext__()
    await gen.aclose()
    assert len(sink) == 1 and sink[0].status == "error"


def test_proxy_paths_that_are_billed() -> None:
    assert proxy_kind("ollama", "/api/chat") == CHAT
    assert proxy_kind("ollama", "/api/generate/1") == CHAT
    assert proxy_kind("ollama", "/api/embeddings") == EMBEDDINGS
    assert proxy_kind("ollama", "/api/tags") is None
    assert proxy_kind("openai", "/chat/completions") == CHAT
    assert proxy_kind("openai", "/models") is None


def test_query_arguments_are_checked() -> None:
    assert str(parse_day("2026-12-03", "start")) == "2026-12-03"
    assert str(parse_day("86400", "start")) == "1970-01-02"
    assert parse_day("", "start") is None
    with pytest.raises(InvalidArgument):
        parse_day("yesterday", "start")
    with pytest.raises(InvalidArgument):
        check_group_by(["day", "colour"])
    sql, args = build_query(UsageFilter(user_id="u1", group_id="g", group_by=("group", "day")))
    assert "unnest" in sql and args.count("u1") == 2


async def test_each_upstream_call_of_a_tool_loop_is_a_record() -> None:
    from tests.unit.test_tool_calling import (
        CALLER,
        FakeResolver,
        ScriptedModel,
        call_of,
        pipeline,
        server_tool,
        user_body,
    )

    model = ScriptedModel({"calls": [call_of("weather")]}, {"text": "done"})
    chat = pipeline(model, FakeResolver("", {"wx": [server_tool()]}))
    sink = Sink()
    chat.record_usage_with(sink)  # type: ignore[arg-type]
    [p async for p in chat.complete(CALLER, user_body(tool_ids=["wx"]))]
    assert [r.kind for r in sink] == ["chat", "tool_round"]
    assert all(r.user_id == CALLER.user_id and r.status == "ok" for r in sink)
