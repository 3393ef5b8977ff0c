"""What one chat completion's upstream calls reported, summed: every round of a tool loop and
retrieval's query generation, for the limits' charge (quotas/quota_gate.py). The reply a client gets
carries at most the last round's usage, or none at all."""

import re
from collections.abc import AsyncIterator

import orjson

from services.inference.replies import Part
from services.inference.sse import ChatPart, Relayed

# Where an OpenAI upstream was asked for a stream's usage only for our count: the usage-only chunk
# goes, and so does the ``"usage": null`` OpenAI then puts on every other chunk.
_USAGE_NULL = re.compile(rb',\s*"usage"\s*:\s*null|"usage"\s*:\s*null\s*,?')
_USAGE = b'"usage"'


class UsageTally:
    """Tokens the upstream calls of one completion reported (input + output)."""

    __slots__ = ("calls", "reported", "tokens")

    def __init__(self) -> None:
        self.calls = 0
        self.reported = 0
        self.tokens = 0

    def add(self, counts: tuple[int, int] | None) -> None:
        self.calls += 1
        if counts is not None:
            self.reported += 1
            self.tokens += counts[0] + counts[1]

    def total(self) -> int | None:
        """The reported tokens, or None when no call reported any (the admission estimate stands).
        A call that reported nothing (cut short, failed) adds nothing."""
        return self.tokens if self.reported else None


def wants_usage(body: dict) -> bool:
    """Whether a streamed OpenAI request asked for its usage itself."""
    options = body.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))


def asking_usage(body: dict) -> dict:
    """``body`` with the upstream asked for the stream's usage."""
    options = body.get("stream_options")
    return {
        **body,
        "stream_options": {**(options if isinstance(options, dict) else {}), "include_usage": True},
    }


async def relayed_without_unasked_usage(parts: AsyncIterator[Part]) -> AsyncIterator[Part]:
    """A relayed stream whose body parts are whole SSE events (``/openai/chat/completions``),
    without what asking the upstream for usage added."""
    async for part in parts:
        if isinstance(part, bytes) and _USAGE in part:
            kept = unasked_usage_removed(Relayed(part))
            if kept is None:
                continue
            assert isinstance(kept, Relayed)
            part = kept.frame
        yield part


def unasked_usage_removed(part: ChatPart) -> ChatPart | None:
    """``part`` as the upstream would have sent it without ``include_usage``: None for the
    usage-only chunk, the chunk without its usage otherwise; anything else unchanged."""
    if not isinstance(part, Relayed) or _USAGE not in part.frame:
        return part
    try:
        event = part.data()
    except ValueError:
        return part
    if not isinstance(event, dict) or "usage" not in event:
        return part
    if event.get("usage") is None:
        return Relayed(_USAGE_NULL.sub(b"", part.frame, count=1))
    if event.get("choices") == []:
        return None
    # A server that puts the usage on a content chunk: that chunk without it.
    return Relayed(b"data: " + orjson.dumps({k: v for k, v in event.items() if k != "usage"}) + b"\n\n")
