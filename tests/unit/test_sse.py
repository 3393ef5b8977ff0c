"""Chat stream events: how each is framed for the wire, and what a relayed upstream event holds."""

from collections.abc import AsyncIterator

import pytest

from services.common.stream_frames import SSE_DONE, SSE_STREAM_FAILED
from services.inference.replies import Head
from services.inference.sse import ChatPart, Marker, Relayed, frame, framed


def test_frames() -> None:
    assert frame({"a": 1, "b": "é"}) == 'data: {"a":1,"b":"é"}\n\n'.encode()
    assert frame(Marker.DONE) == SSE_DONE
    assert frame(Marker.FAILED) == SSE_STREAM_FAILED
    assert frame(Relayed(b'data: {"a": 1}\n\n')) == b'data: {"a": 1}\n\n'


def test_relayed_data() -> None:
    assert Relayed(b'data: {"a": 1}\r\n\r\n').data() == {"a": 1}
    for raw in (b"data: [DONE]\n\n", b"event: ping\ndata: {}\n\n", b": comment\n\n", b'data: {"a"}\n\n'):
        with pytest.raises(ValueError):
            Relayed(raw).data()


async def test_framed_passes_heads_and_bodies() -> None:
    head = Head(200, streaming=True)

    async def parts() -> AsyncIterator[ChatPart]:
        for part in (head, b"raw", {"x": 1}, Marker.DONE):
            yield part

    assert [p async for p in framed(parts())] == [head, b"raw", b'data: {"x":1}\n\n', SSE_DONE]
