"""`make run`'s entry point: brings everything up, reports the URL, and stops it all on SIGTERM."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.common.infra import free_port
from services.stack import ROOT, child_env


def test_stack_command_starts_and_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    env = child_env(PORT=str(port), DATA_DIR=str(tmp_path / "data"), BCRYPT_ROUNDS="4")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.stack"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        ready_line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("Gateway ready at"):
                ready_line = line
                break
        assert f"http://127.0.0.1:{port}" in ready_line
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json() == {"status": True}
        assert (tmp_path / "data" / "postgres" / "postmaster.pid").exists()
        assert (tmp_path / "data" / ".webui_secret_key").exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Everything it started is gone: the gateway port is closed and PostgreSQL has shut down.
    try:
        requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
        raise AssertionError("gateway still answering")
    except requests.ConnectionError:
        pass
    assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists()
