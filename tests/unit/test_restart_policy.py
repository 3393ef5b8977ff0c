"""The launcher's restart schedule: doubling backoff, reset after a stable run, crash-loop detection."""

import pytest

from services.common.restart_policy import CrashLoop, RestartLimits, RestartPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run_for(policy: RestartPolicy, clock: FakeClock, seconds: float) -> float:
    """The process runs ``seconds`` and exits; returns the delay the policy asks for."""
    policy.started()
    clock.now += seconds
    delay = policy.exited()
    clock.now += delay
    return delay


def test_backoff_doubles_up_to_the_cap() -> None:
    clock = FakeClock()
    policy = RestartPolicy(RestartLimits(max_restarts=100), clock)
    delays = [run_for(policy, clock, 1) for _ in range(8)]
    assert delays == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]


def test_backoff_starts_over_after_a_stable_run() -> None:
    clock = FakeClock()
    policy = RestartPolicy(RestartLimits(max_restarts=100), clock)
    assert [run_for(policy, clock, 1) for _ in range(3)] == [0.2, 0.4, 0.8]
    assert run_for(policy, clock, 30) == 0.2
    assert run_for(policy, clock, 29) == 0.4


def test_exits_in_quick_succession_are_a_crash_loop() -> None:
    clock = FakeClock()
    policy = RestartPolicy(RestartLimits(max_restarts=5, window_s=60), clock)
    for _ in range(4):
        run_for(policy, clock, 0.1)
    policy.started()
    with pytest.raises(CrashLoop, match="5 times within 60 s"):
        policy.exited()


def test_exits_spread_beyond_the_window_are_not_a_crash_loop() -> None:
    clock = FakeClock()
    policy = RestartPolicy(RestartLimits(max_restarts=3, window_s=60), clock)
    for _ in range(10):
        assert run_for(policy, clock, 40) == 0.2
