"""Start-up benchmark: seconds from launching `make run` to a healthy gateway (warm environment).

Runs the command several times: the first on an empty DATA_DIR (initdb included), the rest on the
data it left (the everyday case). Each run is stopped with SIGTERM before the next.

    python bench/startup.py --runs 5
"""

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from services.common.infra import free_port
from services.stack import ROOT, child_env


def one_run(data_dir: Path, command: list[str]) -> float:
    port = free_port()
    env = child_env(PORT=str(port), DATA_DIR=str(data_dir))
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        times = [one_run(data_dir, args.command.split()) for _ in range(args.runs)]
    print(f"first start (empty DATA_DIR): {times[0]:.2f} s")
    if len(times) > 1:
        rest = times[1:]
        print(f"restart (existing DATA_DIR): median {statistics.median(rest):.2f} s, max {max(rest):.2f} s")


if __name__ == "__main__":
    main()
