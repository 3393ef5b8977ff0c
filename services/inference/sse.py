"""Chat stream events as the pipeline passes them between stages, and the one place they are framed."""

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass

import orjson

from services.common.stream_frames import SSE_DONE, SSE_STREAM_FAILED
from services.inference.replies import Head, Part


class Marker(enum.Enum):
    """The ends of a stream: ``data: [DONE]``, or the in-band failure that ends it early."""

    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Relayed:
    """An upstream's event as it came (``sse_events``): relayed byte for byte unless a stage must read
    it, so passing it on costs no JSON work."""

    frame: bytes

    @classmethod
    def of_line(cls, line: str) -> "Relayed":
        """A ``data:`` line a function wrote itself, ended as one event."""
        return cls(line.rstrip("\n").encode() + b"\n\n")

    def data(self) -> object:
        """The JSON of its one ``data: `` line; ValueError for anything else (``[DONE]``, comments,
        several fields), which is relayed as it is."""
        if not self.frame.startswith(b"data: "):
            raise ValueError("not a data event")
        return orjson.loads(self.frame[6:])


# A dict is a chunk, the sources event or an error object, framed as ``data: <json>``; any other JSON
# value a stream filter returns travels the same way.
Event = dict | Relayed | Marker
# What the chat stages yield: a head, then body bytes (a whole reply) or, after a streaming head, events.
ChatPart = Part | Event


def frame(event: Event) -> bytes:
    """The event as the client reads it."""
    if isinstance(event, Relayed):
        return event.frame
    if event is Marker.DONE:
        return SSE_DONE
    if event is Marker.FAILED:
        return SSE_STREAM_FAILED
    return b"data: " + orjson.dumps(event) + b"\n\n"


async def framed(parts: AsyncIterator[ChatPart]) -> AsyncIterator[Part]:
    """``parts`` for the wire: heads and body bytes as they are, events framed."""
    async for part in parts:
        yield part if isinstance(part, Head | bytes) else frame(part)
