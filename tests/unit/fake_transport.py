"""A scripted stand-in for the inference service's upstream ``Transport``, and a settable clock."""

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from services.inference.transport import Timeouts, UpstreamBroke
from services.inference.upstreams import Upstream


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Body pieces for chunks()/lines() (default: the body, split into lines for lines());
    # UpstreamBroke after ``break_after`` pieces when set.
    parts: list[bytes] = field(default_factory=list)
    break_after: int | None = None
    break_on_read: bool = False

    async def read(self) -> bytes:
        if self.break_on_read:
            raise UpstreamBroke("reset while reading")
        return self.body

    async def _pieces(self, pieces: list[bytes]) -> AsyncIterator[bytes]:
        for n, piece in enumerate(pieces):
            if self.break_after is not None and n >= self.break_after:
                raise UpstreamBroke("reset mid-stream")
            yield piece

    def chunks(self) -> AsyncIterator[bytes]:
        return self._pieces(self.parts or [self.body])

    def lines(self) -> AsyncIterator[bytes]:
        return self._pieces(self.parts or self.body.splitlines(keepends=True))


Behaviour = FakeResponse | BaseException | Callable[[], "FakeResponse | BaseException"]


class FakeTransport:
    """Scripted behaviour by (upstream name, path) or by upstream name; an exception is raised on
    open; every request is recorded (``calls``: name, method, path; ``bodies``; ``closed``; ``pinned``).

    While ``gate`` is set and not open, requests wait after their reply was decided (as though the
    upstream answered and the bytes are still on their way)."""

    def __init__(
        self, script: Mapping[object, Behaviour] | None = None, default: FakeResponse | None = None
    ) -> None:
        self.script: dict[object, Behaviour] = dict(script or {})
        self.default = default or FakeResponse()
        self.calls: list[tuple[str, str, str]] = []
        self.bodies: list[bytes | None] = []
        self.closed: list[str] = []
        # The checked addresses of each ``request_once`` (connection tests).
        self.pinned: list[tuple[str, ...]] = []
        self.gate: asyncio.Event | None = None

    def _behaviour(self, upstream: Upstream, path: str) -> Behaviour:
        for key in ((upstream.name, path), upstream.name):
            if key in self.script:
                return self.script[key]
        return self.default

    @asynccontextmanager
    async def request(
        self,
        upstream: Upstream,
        method: str,
        path: str,
        body: bytes | None,
        timeouts: Timeouts,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[FakeResponse]:
        self.calls.append((upstream.name, method, path))
        self.bodies.append(body)
        outcome = self._behaviour(upstream, path)
        if callable(outcome) and not isinstance(outcome, FakeResponse):
            outcome = outcome()
        if self.gate is not None:
            await self.gate.wait()
        if isinstance(outcome, BaseException):
            raise outcome
        try:
            yield outcome
        finally:
            self.closed.append(upstream.name)

    @asynccontextmanager
    async def request_once(
        self, upstream: Upstream, path: str, timeouts: Timeouts, addresses: Sequence[str]
    ) -> AsyncIterator[FakeResponse]:
        self.pinned.append(tuple(addresses))
        async with self.request(upstream, "GET", path, None, timeouts) as response:
            yield response
