"""Whole-stack memory: PSS summed over every process `make run` starts, after start and after work.

Launches ``python -m services.stack`` (what ``make run`` runs, with its defaults: the embedding
model preloaded, ``heal`` on) in a temp DATA_DIR against the fake Ollama (``tests/fakes/ollama.py``)
and reads ``/proc/<pid>/smaps_rollup`` of every process it started: the launcher, auth, inference,
ingest, gateway, nats-server and the embedded PostgreSQL (postmaster and every backend and auxiliary
process; pg_ctl detaches it from the launcher, so it is found by ``postmaster.pid``). PSS divides
each shared page among the processes mapping it, so the sum counts shared libraries and PostgreSQL's
shared memory once. ``make`` itself (about 2 MB) is not counted.

Three points:

1. after start: the gateway is healthy and the processes have settled (no process used more than
   ``--settle-cpu`` CPU seconds in the last second; the model preload is done by then);
2. after processing the 2 MB document of ``bench/documents.py`` (seed 2, as ``bench/rag_chat.py``)
   and adding it to a knowledge collection;
3. after 100 RAG chat completions over that collection (query generation off, one question each).

``--root`` runs another checkout (a worktree of the previous commit) with this interpreter, so that
two trees can be measured in the same minutes:

    PYTHONPATH=.:gen .venv/bin/python bench/stack_memory.py [--root /tmp/h10_wt] [--queries 100]
"""

import argparse
import asyncio
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil

from bench.chat import start_fake, stop
from bench.documents import document
from bench.rag_chat import DOC_SEED, DOC_SIZE, Api, Questions, chat_body, load_average
from services.common.infra import free_port

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem")


@dataclass
class Reading:
    """One process's memory in kB, from smaps_rollup."""

    pid: int
    name: str
    group: str
    kb: dict[str, int]


def smaps_rollup(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            key, _, rest = line.partition(":")
            if key in FIELDS:
                values[key] = int(rest.split()[0])
    return values


def describe(process: psutil.Process) -> tuple[str, str]:
    """(name, group): ``ingest``/``ingest``, ``postgres: checkpointer``/``postgres``, ..."""
    cmdline = process.cmdline()
    joined = " ".join(cmdline)
    if "services.stack" in joined:
        return "launcher", "launcher"
    for index, part in enumerate(cmdline):
        if part == "-m" and index + 1 < len(cmdline) and cmdline[index + 1].startswith("services."):
            service = cmdline[index + 1].split(".")[1]
            return service, service
    if "nats-server" in joined:
        return "nats-server", "nats"
    if process.name() == "postgres" or joined.startswith("postgres"):
        return (joined if joined.startswith("postgres:") else "postgres (postmaster)"), "postgres"
    return f"{process.name()} {joined[:40]}", "other"


def stack_processes(launcher: psutil.Process, data_dir: Path) -> list[psutil.Process]:
    found = {launcher.pid: launcher}
    for child in launcher.children(recursive=True):
        found[child.pid] = child
    with contextlib.suppress(OSError, ValueError, IndexError, psutil.Error):
        master = psutil.Process(int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0]))
        found[master.pid] = master
        for child in master.children(recursive=True):
            found[child.pid] = child
    return list(found.values())


def read_all(launcher: psutil.Process, data_dir: Path) -> list[Reading]:
    readings = []
    for process in stack_processes(launcher, data_dir):
        with contextlib.suppress(OSError, psutil.Error):
            name, group = describe(process)
            name = " ".join(name.split())
            readings.append(Reading(process.pid, name, group, smaps_rollup(process.pid)))
    return readings


def cpu_seconds(launcher: psutil.Process, data_dir: Path) -> dict[int, float]:
    seconds = {}
    for process in stack_processes(launcher, data_dir):
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system + times.children_user + times.children_system
    return seconds


def settle(launcher: psutil.Process, data_dir: Path, most_cpu_s: float, timeout_s: float) -> float:
    """Waits until no process used more than ``most_cpu_s`` CPU seconds in the last second; returns
    the seconds waited."""
    started = time.monotonic()
    before = cpu_seconds(launcher, data_dir)
    while time.monotonic() - started < timeout_s:
        time.sleep(1)
        after = cpu_seconds(launcher, data_dir)
        busiest = max((after[pid] - before.get(pid, 0.0) for pid in after), default=0.0)
        if busiest <= most_cpu_s:
            break
        before = after
    return time.monotonic() - started


def table(label: str, readings: list[Reading]) -> list[str]:
    total = {field: sum(r.kb.get(field, 0) for r in readings) for field in FIELDS}
    lines = [
        f"### {label}: PSS {total['Pss'] / 1024:.0f} MB over {len(readings)} processes",
        "",
        "| process | processes | PSS MB | PSS anon MB | PSS file MB | PSS shmem MB | RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    groups: dict[str, list[Reading]] = {}
    for reading in readings:
        groups.setdefault(reading.group, []).append(reading)
    order = ["launcher", "auth", "inference", "ingest", "gateway", "nats", "postgres"]
    for group in sorted(groups, key=lambda g: order.index(g) if g in order else len(order)):
        members = groups[group]

        def mb(field: str, members: list[Reading] = members) -> str:
            return f"{sum(r.kb.get(field, 0) for r in members) / 1024:.1f}"

        lines.append(
            f"| {group} | {len(members)} | {mb('Pss')} | {mb('Pss_Anon')} | {mb('Pss_File')} | "
            f"{mb('Pss_Shmem')} | {mb('Rss')} |"
        )
    lines.append(
        f"| **total** | {len(readings)} | **{total['Pss'] / 1024:.1f}** | {total['Pss_Anon'] / 1024:.1f} | "
        f"{total['Pss_File'] / 1024:.1f} | {total['Pss_Shmem'] / 1024:.1f} | {total['Rss'] / 1024:.1f} |"
    )
    postgres = sorted((r for r in readings if r.group == "postgres"), key=lambda r: -r.kb.get("Pss", 0))
    if postgres:
        parts = ", ".join(
            f"{r.name.removeprefix('postgres: ')} {r.kb.get('Pss', 0) / 1024:.1f}" for r in postgres
        )
        lines += ["", f"PostgreSQL processes, PSS MB: {parts}"]
    return lines


def wait_healthy(url: str, launcher: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            if launcher.poll() is not None:
                raise RuntimeError(f"the stack exited with code {launcher.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError("the stack was not healthy in time") from None
            time.sleep(0.05)


async def wait_processed(api: Api, file_id: str, timeout_s: float = 1200) -> str:
    """The file's final status; a poll that fails (a busy machine: a deadline) is tried again."""
    url = f"{api.base}/api/v1/files/{file_id}/process/status"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        async with api.session.get(url, headers=api.headers) as response:
            reply = await response.json() if response.status == 200 else {}
        if reply.get("status") in ("completed", "failed"):
            return reply["status"]
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{file_id} not processed in {timeout_s} s")


async def work(url: str, process: psutil.Process, data_dir: Path, args: argparse.Namespace) -> None:
    """Processes the 2 MB document into a collection, then serves ``args.queries`` RAG chats over
    it, reading the memory after each (blocking the loop: nothing else runs on it)."""
    text = document(DOC_SIZE, DOC_SEED)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:
        api = Api(session, url)
        await api.sign_up()
        started = time.perf_counter()
        file_id = await api.upload("report-2mb.txt", text.encode())
        if await wait_processed(api, file_id) != "completed":
            raise RuntimeError("processing the 2 MB document failed")
        print(f"2 MB document processed in {time.perf_counter() - started:.1f} s", flush=True)
        knowledge = await api.post("/api/v1/knowledge/create", {"name": "bench", "description": "2 MB"})
        await api.post(f"/api/v1/knowledge/{knowledge['id']}/file/add", {"file_id": file_id})
        settle(process, data_dir, args.settle_cpu, 60)
        print(f"load {load_average()}")
        print("\n".join(table("after processing the 2 MB document", read_all(process, data_dir))))
        questions = Questions(text, args.seed)
        files = [{"type": "collection", "id": knowledge["id"]}]
        started = time.perf_counter()
        for _ in range(args.queries):
            await api.timed("/api/chat/completions", chat_body(questions.next(), files))
        spent = time.perf_counter() - started
        settle(process, data_dir, args.settle_cpu, 30)
        print(f"\n{args.queries} RAG chats in {spent:.1f} s; load {load_average()}")
        label = f"after the document and {args.queries} RAG chats"
        print("\n".join(table(label, read_all(process, data_dir))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", default=str(ROOT), help="checkout to run (default: this one)")
    parser.add_argument("--queries", type=int, default=100, help="RAG chat completions after processing")
    parser.add_argument("--settle-cpu", type=float, default=0.05, help="CPU s per s counted as settled")
    parser.add_argument("--start-only", action="store_true", help="only the reading after start")
    parser.add_argument("--seed", type=int, default=0, help="order of the questions")
    parser.add_argument("env", nargs="*", help="NAME=VALUE settings for the stack")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    print("command: PYTHONPATH=.:gen .venv/bin/python " + shlex.join(sys.argv))
    print(f"tree: {root}; {os.cpu_count()} CPUs; load average (1/5/15 min) before: {load_average()}")
    fake, fake_url = start_fake(0)
    try:
        with tempfile.TemporaryDirectory(prefix="stack_memory_") as tmp:
            data_dir = Path(tmp) / "data"
            port = free_port()
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
            env.update(
                {
                    "PYTHONPATH": os.pathsep.join([str(root), str(root / "gen")]),
                    "DATA_DIR": str(data_dir),
                    "PORT": str(port),
                    "OLLAMA_BASE_URLS": fake_url,
                    "ENABLE_OPENAI_API": "false",
                    "LOG_LEVEL": "WARNING",
                    **dict(item.split("=", 1) for item in args.env),
                }
            )
            started = time.perf_counter()
            launcher = subprocess.Popen(
                [sys.executable, "-m", "services.stack"],
                cwd=root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(Path(tmp) / "stack.log", "wb"),  # noqa: SIM115 - the child keeps it
                start_new_session=True,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                wait_healthy(url, launcher, 180)
                healthy_s = time.perf_counter() - started
                process = psutil.Process(launcher.pid)
                waited = settle(process, data_dir, args.settle_cpu, 120)
                print(f"healthy after {healthy_s:.2f} s, settled {waited:.0f} s later; load {load_average()}")
                print("\n".join(table("after start", read_all(process, data_dir))), flush=True)
                if args.start_only:
                    return
                asyncio.run(work(url, process, data_dir, args))
            except BaseException:
                print((Path(tmp) / "stack.log").read_text(errors="replace")[-3000:], file=sys.stderr)
                raise
            finally:
                os.killpg(launcher.pid, signal.SIGTERM)
                try:
                    launcher.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(launcher.pid, signal.SIGKILL)
    finally:
        stop(fake)
    print(f"load average (1/5/15 min) after: {load_average()}")


if __name__ == "__main__":
    main()
