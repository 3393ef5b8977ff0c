"""A chat reply asked for whole: one message for a reply that is not streamed, the usual head and
chunks for a streamed one; and the event loop the services run on."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from services.common import event_loop
from services.inference.replies import Head, Part
from services.inference.servicer import _whole_replies


async def _parts(*items: Part) -> AsyncIterator[Part]:
    for item in items:
        yield item


async def _messages(*items: Part) -> list:
    return [message async for message in _whole_replies(_parts(*items))]


async def test_a_reply_not_streamed_is_one_message_with_its_body_in_the_head() -> None:
    messages = await _messages(Head(200, {"Content-Type": "application/json"}), b'{"a":', b"1}")
    assert len(messages) == 1
    head = messages[0].head
    assert (head.status, dict(head.headers), head.streaming, head.body) == (
        200,
        {"Content-Type": "application/json"},
        False,
        b'{"a":1}',
    )


async def test_an_error_reply_keeps_its_status_and_body() -> None:
    messages = await _messages(Head(400, {"Content-Type": "application/json"}), b'{"detail":"no"}')
    assert [(m.head.status, m.head.body) for m in messages] == [(400, b'{"detail":"no"}')]


async def test_a_streamed_reply_is_a_head_then_its_chunks() -> None:
    messages = await _messages(Head(200, {"Content-Type": "text/event-stream"}, streaming=True), b"a", b"b")
    assert messages[0].WhichOneof("part") == "head"
    assert messages[0].head.streaming and messages[0].head.body == b""
    assert [m.chunk for m in messages[1:]] == [b"a", b"b"]


async def test_a_failure_after_the_head_sends_nothing_of_the_reply() -> None:
    async def failing() -> AsyncIterator[Part]:
        yield Head(200, {})
        raise RuntimeError("upstream broke")

    sent = []
    with pytest.raises(RuntimeError):
        async for message in _whole_replies(failing()):
            sent.append(message)
    assert sent == []


def test_the_event_loop_runs_a_coroutine_to_its_result() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert event_loop.run(answer()) == 42
