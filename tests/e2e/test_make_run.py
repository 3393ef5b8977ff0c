"""`make run`'s entry point: brings everything up, reports the URL, and stops all it started."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from services.common.infra import free_port
from services.stack import ROOT, Stack, StackConfig, StackError, child_env


def start_launcher(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.stack"],
        env=child_env(PORT=str(port), DATA_DIR=str(tmp_path / "data"), BCRYPT_ROUNDS="4"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        # A terminal's Ctrl-C goes to the whole foreground process group: give it its own.
        start_new_session=True,
    )


def wait_ready(process: subprocess.Popen[str], timeout_s: float = 60) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Gateway ready at"):
            return line
    raise AssertionError("the launcher never reported ready")


@pytest.mark.parametrize("how", ["sigterm-to-launcher", "ctrl-c-to-group"])
def test_launcher_starts_everything_and_stops_all_it_started(tmp_path: Path, how: str) -> None:
    port = free_port()
    process = start_launcher(tmp_path, port)
    try:
        assert f"http://127.0.0.1:{port}" in wait_ready(process)
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json() == {"status": True}
        # Ready means every backend serves, as the gateway sees it.
        assert requests.get(f"http://127.0.0.1:{port}/ready", timeout=5).json() == {"status": True}
        # The launcher waited through the gateway: grpc's core library is not in its memory.
        libraries = {mapping.path for mapping in psutil.Process(process.pid).memory_maps()}
        assert not any("cygrpc" in path for path in libraries)
        data = tmp_path / "data"
        # The generated signing key lives in Postgres (shared by auth replicas), not on disk.
        assert not (data / ".webui_secret_key").exists()
        started = psutil.Process(process.pid).children(recursive=True)
        postgres_pid = int((data / "postgres" / "postmaster.pid").read_text().split()[0])
        started.append(psutil.Process(postgres_pid))
        names = " ".join(" ".join(p.cmdline()) for p in started)
        for expected in ("services.auth.main", "services.gateway.main", "nats-server", "postgres"):
            assert expected in names
        if how == "sigterm-to-launcher":
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(started, timeout=10)
        assert not alive, [p.cmdline() for p in alive]
        assert not (data / "postgres" / "postmaster.pid").exists()
    finally:
        if process.poll() is None:
            # A failed check: the launcher stops everything it started (killing it alone would
            # leave its services running).
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/health", timeout=2)


def test_a_backend_that_exits_at_start_fails_the_start_at_once_with_its_output(tmp_path: Path) -> None:
    """The launcher waits on the gateway's /ready, which a dead backend never passes: the wait
    watches the backends too, so the start fails when one exits, naming it, not at the timeout."""
    config = StackConfig(
        data_dir=tmp_path / "data",
        port=free_port(),
        durable=False,
        log_dir=tmp_path / "logs",
        process_env={"ingest": {"EMBEDDING_RUNTIME": "no-such-runtime"}},
    )
    stack = Stack(config)
    started = time.monotonic()
    try:
        with pytest.raises(StackError) as failure:
            stack.start(timeout_s=60)
    finally:
        stack.stop()
    assert str(failure.value).startswith("ingest exited with code")
    assert "EMBEDDING_RUNTIME" in str(failure.value)
    assert time.monotonic() - started < 30
