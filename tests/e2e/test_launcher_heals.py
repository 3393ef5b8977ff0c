"""A healing stack (`make run`) starts a killed process again under load, and stops on a crash loop."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.recovery import TARGETS, Load, Recovery, admin_token, healing_stack, kill_and_measure
from services.stack import Stack
from tests.fakes.ollama import FakeOllama

CLIENTS = 4
GRPC_SERVICES = ("auth", "inference", "ingest")


@pytest.fixture
def healing(tmp_path: Path, fake_ollama: FakeOllama) -> Iterator[Stack]:
    stack = healing_stack(tmp_path / "data", fake_ollama.url)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def test_every_process_killed_under_load_is_back_within_seconds(healing: Stack) -> None:
    results: list[Recovery] = []
    with Load(healing.gateway_url, admin_token(healing.gateway_url), CLIENTS) as load:
        for name in TARGETS:
            results.append(kill_and_measure(healing, load, name))
    report = "\n".join(f"{r.name}: {r.failures} failed, back after {r.recovery_s:.2f} s" for r in results)
    print(report)
    assert healing.supervisor is not None and not healing.supervisor.failed.is_set(), report
    for result in results:
        if result.name in GRPC_SERVICES:
            # Only calls in flight at the crash, or sent in the moment before it serves again, fail.
            # A gRPC service is back in 1.1–1.7 s when the machine is quiet, 3.06 s with tests beside
            # it (BENCHMARKS.md "Resilience"); the bound leaves room for a shared machine (3.9 s seen).
            assert result.recovery_s <= 5 and result.failures <= 5 * CLIENTS, report
        elif result.name == "gateway":
            # Until it listens again connections are refused: each client fails about every 0.1 s.
            assert result.recovery_s <= 5, report
        else:
            assert result.recovery_s <= 10, report
    # Still the same gateway port: the clients above found the restarted gateway where they left it.
    assert healing.gateway_url.endswith(f":{healing.gateway_ports['gateway']}")


def test_a_process_that_keeps_exiting_stops_the_launcher_with_the_reason(healing: Stack) -> None:
    # From its next start on, ingest refuses its settings and exits at once, every time.
    healing.config.process_env["ingest"] = {"CHUNK_SIZE": "not a number"}
    pid = healing.pid("ingest")
    assert pid is not None
    healing.processes["ingest"].kill()
    assert healing.supervisor is not None
    assert healing.supervisor.failed.wait(60)
    failure = healing.supervisor.failure or ""
    first_line, _, tail = failure.partition("\n")
    assert first_line == "ingest exited with code 2: exited 5 times within 60 s, in a crash loop", failure
    assert "invalid configuration: CHUNK_SIZE" in tail
    # The other processes were left alone for the launcher to stop.
    assert healing.exited().keys() == {"ingest"}
