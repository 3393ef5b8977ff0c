"""Start-up benchmark: seconds from launching `make run` to a healthy gateway (warm environment).

Runs the command several times: the first on an empty DATA_DIR (initdb included), the rest on the
data it left (the everyday case). Each run is stopped with SIGTERM before the next.

    python bench/startup.py --runs 5

``--phases`` prints, for the first start, every line the stack wrote before it was healthy, with the
seconds since launch: where the time goes (initdb, PostgreSQL, NATS, each service's listen line).
"""

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from services.common.infra import free_port
from services.stack import ROOT, child_env


def one_run(data_dir: Path, command: list[str], lines: list[tuple[float, str]] | None = None) -> float:
    """Seconds to a healthy gateway; with ``lines``, the output lines with their times go there."""
    port = free_port()
    env = child_env(PORT=str(port), DATA_DIR=str(data_dir))
    if lines is not None:
        env["LOG_LEVEL"] = "INFO"
    output = subprocess.DEVNULL if lines is None else subprocess.PIPE
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT if lines is not None else subprocess.DEVNULL,
        start_new_session=True,
    )
    if lines is not None:

        def record() -> None:
            assert process.stdout is not None
            for raw in process.stdout:
                lines.append((time.perf_counter() - started, raw.decode(errors="replace").rstrip()))

        threading.Thread(target=record, daemon=True).start()
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("the stack exited before it was healthy") from None
                time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", default="make run", help="what to time (default: make run)")
    parser.add_argument("--phases", action="store_true", help="the first start's output, timed")
    args = parser.parse_args()
    lines: list[tuple[float, str]] | None = [] if args.phases else None
    print(f"load average (1/5/15 min) before: {'/'.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        times = [one_run(data_dir, args.command.split(), lines if i == 0 else None) for i in range(args.runs)]
    if lines is not None:
        print("first start, output by seconds since launch:")
        for at, line in [*lines]:
            if at <= times[0]:
                print(f"  {at:6.2f}  {line[:160]}")
    print(f"first start (empty DATA_DIR): {times[0]:.2f} s")
    if len(times) > 1:
        rest = times[1:]
        print(f"restart (existing DATA_DIR): median {statistics.median(rest):.2f} s, max {max(rest):.2f} s")
    print(f"load average (1/5/15 min) after: {'/'.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
