"""When a supervised process that exited is started again, and when its restarts are a crash loop."""

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RestartLimits:
    """Backoff doubles from ``first_delay_s`` to ``max_delay_s`` and starts over once a process has
    stayed up ``stable_s``; ``max_restarts`` exits within ``window_s`` are a crash loop."""

    first_delay_s: float = 0.2
    max_delay_s: float = 5.0
    stable_s: float = 30.0
    max_restarts: int = 5
    window_s: float = 60.0


DEFAULT_LIMITS = RestartLimits()


class CrashLoop(RuntimeError):
    """A process exited too often within the window: restarting it again would not help."""


class RestartPolicy:
    """The restart schedule of one process: ``started()`` at each start, ``exited()`` at each exit."""

    def __init__(self, limits: RestartLimits = DEFAULT_LIMITS, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self._clock = clock
        self._started_at = clock()
        self._next_delay_s = limits.first_delay_s
        self._exits: deque[float] = deque()

    def started(self) -> None:
        self._started_at = self._clock()

    def exited(self) -> float:
        """Seconds to wait before starting the process again; raises CrashLoop instead when it
        exited ``max_restarts`` times within ``window_s``."""
        now = self._clock()
        limits = self.limits
        # A process that ran a good while crashed for a reason of its own, not a bad start.
        if now - self._started_at >= limits.stable_s:
            self._next_delay_s = limits.first_delay_s
        self._exits.append(now)
        while self._exits and now - self._exits[0] > limits.window_s:
            self._exits.popleft()
        if len(self._exits) >= limits.max_restarts:
            raise CrashLoop(f"exited {len(self._exits)} times within {limits.window_s:g} s")
        delay = self._next_delay_s
        self._next_delay_s = min(delay * 2, limits.max_delay_s)
        return delay
