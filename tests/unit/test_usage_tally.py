"""A chat completion's charge: every upstream call's reported tokens summed (usage_tally), the
quota gate settling with that sum, and an OpenAI stream's unasked usage taken out byte for byte."""

import asyncio
import json
import threading

from services.common.identity import Identity
from services.inference.quotas.quota_gate import QuotaGate
from services.inference.replies import Head
from services.inference.sse import Relayed
from services.inference.usage_meter import CallInfo, watch_chat
from services.inference.usage_tally import (
    UsageTally,
    asking_usage,
    relayed_without_unasked_usage,
    unasked_usage_removed,
    wants_usage,
)

HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m"'
USAGE = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}


def frame(text: str) -> Relayed:
    return Relayed(f"data: {text}\n\n".encode())


def chunk(delta: dict, finish: str | None = None, usage: str = "") -> Relayed:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return frame(f'{HEAD},"choices":[{json.dumps(choice, separators=(",", ":"))}]{usage}}}')


def stream(include_usage: bool, null_usage: bool = False) -> list[Relayed]:
    """An OpenAI stream as sent without and with ``include_usage`` (OpenAI then adds
    ``"usage":null`` to every chunk, which the fakes do not)."""
    extra = ',"usage":null' if include_usage and null_usage else ""
    frames = [
        chunk({"role": "assistant", "content": ""}, usage=extra),
        chunk({"content": "Hi"}, usage=extra),
        chunk({}, "stop", usage=extra),
    ]
    if include_usage:
        frames.append(frame(f'{HEAD},"choices":[],"usage":{json.dumps(USAGE)}}}'))
    frames.append(Relayed(b"data: [DONE]\n\n"))
    return frames


def test_tally_sums_reported_calls_and_has_no_total_without_any():
    tally = UsageTally()
    assert tally.total() is None
    tally.add(None)
    assert tally.total() is None
    tally.add((7, 1))
    tally.add((20, 3))
    tally.add(None)
    assert tally.total() == 31 and tally.calls == 4 and tally.reported == 2


def test_usage_is_asked_for_and_what_the_client_did_not_ask_is_removed_byte_for_byte():
    body = {"model": "m", "stream": True, "stream_options": {"other": 1}}
    asked = asking_usage(body)
    assert asked["stream_options"] == {"other": 1, "include_usage": True} and wants_usage(asked)
    assert not wants_usage(body) and body["stream_options"] == {"other": 1}
    for null_usage in (False, True):
        kept = [unasked_usage_removed(part) for part in stream(True, null_usage)]
        assert [k.frame for k in kept if k is not None] == [p.frame for p in stream(False)]
    # A server that puts usage on its last content chunk: that chunk goes on without it.
    last = unasked_usage_removed(chunk({}, "stop", usage=f',"usage":{json.dumps(USAGE)}'))
    assert isinstance(last, Relayed) and "usage" not in last.data()
    assert unasked_usage_removed({"usage": USAGE}) == {"usage": USAGE}


def test_watch_chat_without_a_recorder_adds_each_call_to_the_tally():
    async def parts(counts: tuple[int, int] | None):
        yield Head(200, {}, streaming=True)
        yield chunk({"content": "Hi"})
        if counts is not None:
            usage = {"prompt_tokens": counts[0], "completion_tokens": counts[1]}
            yield frame(f'{HEAD},"choices":[],"usage":{json.dumps(usage)}}}')

    async def run() -> UsageTally:
        tally = UsageTally()
        info = CallInfo(Identity(user_id="u"), "chat", "m", "openai[0]", {})
        for counts in ((5, 2), (9, 4), None):
            async for _ in watch_chat(None, info, parts(counts), tally):
                pass
        return tally

    tally = asyncio.run(run())
    assert tally.total() == 20 and tally.calls == 3


class _Ticket:
    def __init__(self) -> None:
        self.headers = {"x-ratelimit-limit-tokens": "100"}
        self.settled: list[int | None] = []

    async def settle(self, tokens: int | None) -> None:
        self.settled.append(tokens)


def test_gate_settles_with_the_tally_over_the_replys_tail():
    async def reply():
        yield Head(200, {})
        # The reply reports only its last round.
        yield json.dumps({"usage": {"prompt_tokens": 30, "completion_tokens": 4}}).encode()

    async def run(tally: UsageTally | None) -> list[int | None]:
        gate = QuotaGate(None, None)  # type: ignore[arg-type]
        ticket = _Ticket()
        parts = [p async for p in gate.charged(ticket, reply(), tally)]  # type: ignore[arg-type]
        assert parts[0].headers["x-ratelimit-limit-tokens"] == "100"
        await asyncio.sleep(0)
        return ticket.settled

    tally = UsageTally()
    tally.add((12, 1))
    tally.add((30, 4))
    assert asyncio.run(run(tally)) == [47]
    assert asyncio.run(run(None)) == [34]
    assert asyncio.run(run(UsageTally())) == [34]


def test_token_count_off_the_loop_runs_in_a_worker_thread(monkeypatch):
    from services.common.usage import estimate

    threads: list[str] = []
    counted = estimate._SHARED.count

    def count(text):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return counted(text)

    monkeypatch.setattr(estimate._SHARED, "count", count)
    tokens = asyncio.run(estimate.count_tokens_off_loop("tokenization of antidisestablishmentarianism"))
    assert tokens == estimate.TokenEstimator().count("tokenization of antidisestablishmentarianism")
    assert threads and threads[0] != threading.main_thread().name


def test_relayed_stream_loses_only_the_unasked_usage():
    async def parts():
        yield Head(200, {}, streaming=True)
        for part in stream(True, null_usage=True):
            yield part.frame

    async def run() -> list:
        return [p async for p in relayed_without_unasked_usage(parts())]

    kept = asyncio.run(run())
    assert isinstance(kept[0], Head)
    assert kept[1:] == [p.frame for p in stream(False)]
