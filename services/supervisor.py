"""Starts a stack's processes again when they exit, until one of them is in a crash loop."""

import logging
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Protocol

from services.common.restart_policy import DEFAULT_LIMITS, CrashLoop, RestartLimits, RestartPolicy

log = logging.getLogger(__name__)


class Supervised(Protocol):
    """What the supervisor needs of a stack (services/stack.py ``Stack``)."""

    def exited(self) -> dict[str, str]:
        """The processes that are gone, by name, with how they ended."""
        ...

    def revive(self, name: str) -> None:
        """Starts one gone process again, on its ports and data."""
        ...

    def log_tail(self, name: str, lines: int = 30) -> str: ...


class Supervisor:
    """Checks every ``interval_s`` for processes that are gone and starts each again after its
    backoff; ``failure`` says which process looped and why once it gives up."""

    def __init__(
        self,
        stack: Supervised,
        limits: RestartLimits = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.monotonic,
        interval_s: float = 0.05,
    ) -> None:
        self._stack = stack
        self._limits = limits
        self._clock = clock
        self._interval_s = interval_s
        self._policies: dict[str, RestartPolicy] = {}
        # When each gone process is due to start again.
        self._due: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failure: str | None = None
        # Set once the supervisor gives up on a crash loop.
        self.failed = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops supervising (a restart under way finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            failure = self.check()
            if failure is not None:
                self.failure = failure
                self.failed.set()
                return
            self._stop.wait(self._interval_s)

    def check(self) -> str | None:
        """One round: schedules what is gone, starts what is due; returns the failure of a crash loop."""
        now = self._clock()
        for name, how in self._stack.exited().items():
            if name in self._due:
                continue
            policy = self._policies.setdefault(name, RestartPolicy(self._limits, self._clock))
            try:
                delay = policy.exited()
            except CrashLoop as loop:
                return f"{name} {how}: {loop}, in a crash loop\n{self._stack.log_tail(name)}"
            log.warning("%s %s; starting it again in %.1f s", name, how, delay)
            self._due[name] = now + delay
        for name, due in list(self._due.items()):
            if due > now or self._stop.is_set():
                continue
            del self._due[name]
            self._policies[name].started()
            try:
                self._stack.revive(name)
            except (OSError, subprocess.SubprocessError) as error:
                # Still gone: the next round counts it as another exit.
                log.warning("%s did not start again: %s", name, error)
        return None
