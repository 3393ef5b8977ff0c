"""The configured upstreams and their health: requests in flight, failures in a row, cool-down."""

import enum
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field


class Kind(enum.Enum):
    OLLAMA = "ollama"
    OPENAI = "openai"


@dataclass(eq=False)
class Upstream:
    """One Ollama or OpenAI-compatible server; ``idx`` is its position in its kind's URL list."""

    kind: Kind
    idx: int
    base_url: str
    api_key: str = field(default="", repr=False)
    in_flight: int = 0
    failures: int = 0
    cooled_until: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.kind.value}[{self.idx}]"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}


class UpstreamPool:
    """Chooses among the upstreams that serve a model, and keeps each one's health.

    The choice is the healthy upstream with the fewest requests in flight (ties broken at random,
    so that idle upstreams share the load). ``failure_threshold`` transport failures in a row take
    an upstream out of rotation; it comes back when a probe succeeds after ``cooldown_s``.
    """

    def __init__(
        self,
        upstreams: Iterable[Upstream],
        failure_threshold: int,
        cooldown_s: float,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.upstreams = list(upstreams)
        self._threshold = failure_threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._rng = rng or random.Random()

    def of_kind(self, kind: Kind) -> list[Upstream]:
        return [u for u in self.upstreams if u.kind is kind]

    def get(self, kind: Kind, idx: int) -> Upstream | None:
        for upstream in self.upstreams:
            if upstream.kind is kind and upstream.idx == idx:
                return upstream
        return None

    def is_cooling(self, upstream: Upstream) -> bool:
        return upstream.cooled_until > 0.0

    def choose(self, candidates: Sequence[Upstream], exclude: Sequence[Upstream] = ()) -> Upstream | None:
        """The upstream to send the next request to, or None when every candidate was excluded.

        When every remaining candidate is cooling down, the one that failed least recently is still
        tried: refusing outright would turn a recovered upstream into an outage until its probe.
        """
        remaining = [u for u in candidates if u not in exclude]
        if not remaining:
            return None
        healthy = [u for u in remaining if not self.is_cooling(u)]
        if not healthy:
            return min(remaining, key=lambda u: u.cooled_until)
        fewest = min(u.in_flight for u in healthy)
        return self._rng.choice([u for u in healthy if u.in_flight == fewest])

    def begin(self, upstream: Upstream) -> None:
        upstream.in_flight += 1

    def end(self, upstream: Upstream, ok: bool | None) -> None:
        """A request finished: ``ok`` True or False counts for its health, None (cancelled) not."""
        upstream.in_flight -= 1
        if ok is True:
            self.record_success(upstream)
        elif ok is False:
            self.record_failure(upstream)

    def record_success(self, upstream: Upstream) -> None:
        upstream.failures = 0
        upstream.cooled_until = 0.0

    def record_failure(self, upstream: Upstream) -> None:
        upstream.failures += 1
        if upstream.failures >= self._threshold:
            upstream.cooled_until = self._clock() + self._cooldown_s

    def due_for_probe(self) -> list[Upstream]:
        """Cooling upstreams whose cool-down is over: a successful probe puts them back."""
        now = self._clock()
        return [u for u in self.upstreams if self.is_cooling(u) and u.cooled_until <= now]

    def probe_failed(self, upstream: Upstream) -> None:
        upstream.cooled_until = self._clock() + self._cooldown_s
