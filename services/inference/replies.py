"""HTTP-shaped replies as the service streams them to the gateway: a ``Head``, then body bytes."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import orjson

JSON_TYPE = "application/json"
SSE_TYPE = "text/event-stream; charset=utf-8"

# Not relayed from upstream replies: they describe the upstream's connection, not ours.
_HOP_HEADERS = frozenset(
    ("content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "server", "date")
)


@dataclass(frozen=True)
class Head:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    # True when the body follows in pieces that must reach the client as they come.
    streaming: bool = False


Part = Head | bytes


def dumps(value: object) -> bytes:
    """Compact JSON, as Open WebUI emits it (orjson)."""
    return orjson.dumps(value)


def loads(raw: bytes | str) -> object:
    return orjson.loads(raw)


def json_reply(value: object, status: int = 200) -> Iterator[Part]:
    yield Head(status, {"Content-Type": JSON_TYPE})
    yield dumps(value)


def detail_reply(status: int, detail: object) -> Iterator[Part]:
    """FastAPI's ``{"detail": ...}`` error body."""
    return json_reply({"detail": detail}, status)


def relayed_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The upstream's reply headers worth passing on (content type, Retry-After, rate limits…)."""
    return {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}
