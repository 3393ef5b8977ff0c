"""Start-up benchmark: seconds from launching `make run` to a live and to a ready gateway.

Runs the command several times: the first on an empty DATA_DIR (initdb included), the rest on the
data it left (the everyday case). Each run is stopped with SIGTERM before the next. Every run reports
two times: to `GET /health` 200 (the gateway process answers: liveness only) and to `GET /ready` 200
(auth, inference and ingest each answer their gRPC health check SERVING through the gateway's own
channels, so a real request would be served). The target is judged on "ready".

    python bench/startup.py --runs 5

``--phases`` prints, for the first start, every line the stack wrote before it was ready, with the
seconds since launch: where the time goes (initdb, PostgreSQL, NATS, each service's listen line).
``--root DIR`` times the checkout in DIR (a worktree of another commit) with this interpreter; with
it, the default command is ``python -m services.stack``, since ``make run`` would install a venv there.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from services.common.infra import free_port
from services.stack import ROOT, child_env


def load() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:
            return reply.status == 200
    except OSError:
        return False


def _stat(pid: int) -> tuple[int, int, float] | None:
    """A process's parent, session and CPU seconds (user + system) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[3]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _label(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    joined = " ".join(args)
    for name in ("auth", "inference", "ingest", "gateway"):
        if f"services.{name}.main" in joined:
            return name
    if "services.stack" in joined:
        return "launcher"
    if "nats-server" in joined:
        return "nats-server"
    if "postgres" in joined:
        return "postgres (all processes)"
    return os.path.basename(args[0]) if args and args[0] else "?"


def cpu_by_process(session: int, data_dir: Path) -> dict[str, float]:
    """CPU seconds so far of every process the stack runs: those in its session, those naming its
    data dir (nats-server, the postmaster) and their descendants (PostgreSQL's backends). Processes
    already gone (initdb, pg_ctl, single-user postgres) are not counted."""
    pids = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    stats = {pid: _stat(pid) for pid in pids}
    ours = set()
    for pid, stat in stats.items():
        if stat is None:
            continue
        try:
            named = str(data_dir).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            named = False
        if stat[1] == session or named:
            ours.add(pid)
    grew = True
    while grew:
        more = {pid for pid, stat in stats.items() if stat is not None and stat[0] in ours} - ours
        ours |= more
        grew = bool(more)
    totals: dict[str, float] = {}
    for pid in ours:
        stat = stats[pid]
        if stat is not None:
            label = _label(pid)
            totals[label] = totals.get(label, 0.0) + stat[2]
    return totals


def one_run(
    data_dir: Path,
    command: list[str],
    root: Path,
    lines: list[tuple[float, str]] | None = None,
    cpu: dict[str, float] | None = None,
) -> tuple[float, float]:
    """Seconds to `/health` 200 and to `/ready` 200; with ``lines``, the output lines with their
    times go there; with ``cpu``, the CPU seconds each process had used when it was ready."""
    port = free_port()
    env = child_env(PORT=str(port), DATA_DIR=str(data_dir))
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(root / "gen")])
    if lines is not None:
        env["LOG_LEVEL"] = "INFO"
    output = subprocess.DEVNULL if lines is None else subprocess.PIPE
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=root,
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
    healthy: float | None = None
    try:
        while True:
            if healthy is None and _answers(f"http://127.0.0.1:{port}/health"):
                healthy = time.perf_counter() - started
            if healthy is not None and _answers(f"http://127.0.0.1:{port}/ready"):
                ready = time.perf_counter() - started
                if cpu is not None:
                    cpu.update(cpu_by_process(process.pid, data_dir))
                return healthy, ready
            if process.poll() is not None:
                tail = "\n".join(line for _, line in (lines or [])[-20:])
                raise RuntimeError(f"the stack exited before it was ready\n{tail}")
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def summary(label: str, times: list[float]) -> str:
    text = f"{label}: first start (empty DATA_DIR) {times[0]:.2f} s"
    if len(times) > 1:
        rest = times[1:]
        text += f"; restart (existing DATA_DIR) median {statistics.median(rest):.2f} s, max {max(rest):.2f} s"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", help="what to time (default: make run)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time (default: this one)")
    parser.add_argument("--phases", action="store_true", help="the first start's output, timed")
    args = parser.parse_args()
    root = args.root.resolve()
    command = args.command or ("make run" if root == ROOT else f"{sys.executable} -m services.stack")
    lines: list[tuple[float, str]] | None = [] if args.phases else None
    cpu: dict[str, float] = {}
    print(f"{root}: {command}")
    print(f"load average (1/5/15 min) before: {load()}")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        for i in range(args.runs):
            first = i == 0 and lines is not None
            timed = one_run(data_dir, command.split(), root, lines if first else None, cpu if first else None)
            runs.append(timed)
            print(f"  run {i + 1}: /health {runs[-1][0]:.2f} s, /ready {runs[-1][1]:.2f} s (load {load()})")
    if lines is not None:
        print("first start, output by seconds since launch:")
        for at, line in [*lines]:
            if at <= runs[0][1]:
                print(f"  {at:6.2f}  {line[:160]}")
        print("first start, CPU seconds used by the time it was ready:")
        for label, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
            print(f"  {seconds:5.2f}  {label}")
        print(f"  {sum(cpu.values()):5.2f}  in all (on {os.cpu_count()} cores)")
    print(summary("to /health 200", [health for health, _ in runs]))
    print(summary("to /ready 200", [ready for _, ready in runs]))
    print(f"load average (1/5/15 min) after: {load()}")


if __name__ == "__main__":
    main()
