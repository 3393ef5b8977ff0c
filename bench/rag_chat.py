"""RAG chat benchmark: latency of chat completions over a collection, and the cost of a no-op filter.

Starts the fake Ollama (``tests/fakes/ollama.py``, zero delay) as its own process and a stack in a
temp DATA_DIR pointed at it, signs up the admin, uploads the 2 MB document of ``bench/documents.py``
(seed 2, as ``bench/ingest.py``), waits until it is processed and adds it to a knowledge collection.
Then, at 1 client, non-streaming ``POST /api/chat/completions``, every request with a question of its
own (a sentence of the document, so nothing can be cached), ``--warmup`` requests per case first:

1. plain chat (no ``files``), for reference;
2. RAG chat, ``"files": [{"type": "collection", "id": ...}]``, query generation off (the default);
3. ``POST /api/v1/retrieval/query/collection`` alone with the same kind of question and k=3: the
   gateway → ingest search (query embedding included) part of (2);
   (1)-(3) ``--requests`` each, in ``--rounds`` interleaved blocks (A/B/C, A/B/C, …) so that a
   change in the machine's load falls on every case alike;
4. a probe filter shows that inlet and outlet hooks run on API calls; then plain chat with no
   filter / one no-op inlet + outlet filter with ``def`` hooks (run in a worker thread) / the same
   with ``async def`` hooks, each active and global in turn, ``--rounds`` rounds of ``--block``
   requests per arm, interleaved; the overhead is the p50 difference, with its spread over rounds;
5. RAG chat after restarting the inference service with ``ENABLE_RETRIEVAL_QUERY_GENERATION=true``
   (one more upstream call first; the fake answers it with its usual text, which then is the search
   query), interleaved with plain chat again to show any drift since (1);
6. the same after restarting it with ``ENABLE_RAG_HYBRID_SEARCH=true`` (query generation off).

CPU milliseconds per request by process are shown for every case but (4). The machine's load
average (1/5/15 min) is printed before and after: the figures mean little when it is well above 2.
Processing the 2 MB document takes a minute or more; ``--data-dir`` keeps the stack's data so that
a later run finds the chunks already embedded (content-addressed) and takes about 30 s.

    PYTHONPATH=.:gen .venv/bin/python bench/rag_chat.py --requests 200 --warmup 20 --rounds 10
"""

import argparse
import asyncio
import contextlib
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson
import psutil

from bench import ingest as ingest_bench
from bench.chat import start_fake, stop
from bench.documents import document, sentences
from bench.ingest import percentile
from services.common.infra import free_port
from services.stack import Stack, StackConfig

MODEL = "llama3.2:latest"
DOC_SIZE = 2048 * 1024
DOC_SEED = 2
TOP_K = 3

SYNC_FILTER = '''"""
title: No-op filter (def)
"""


class Filter:
    def inlet(self, body: dict) -> dict:
        return body

    def outlet(self, body: dict) -> dict:
        return body
'''

ASYNC_FILTER = '''"""
title: No-op filter (async def)
"""


class Filter:
    async def inlet(self, body: dict) -> dict:
        return body

    async def outlet(self, body: dict) -> dict:
        return body
'''

# Shows that filters run on API calls: its inlet rejects "probe"; its outlet (side effects only: it
# never changes an API reply) appends a line to a file. MARKER_PATH is filled in by the benchmark.
PROBE_FILTER = '''"""
title: Probe filter
"""


class Filter:
    def inlet(self, body: dict) -> dict:
        if body["messages"][-1]["content"] == "probe":
            raise ValueError("probe inlet ran")
        return body

    def outlet(self, body: dict) -> dict:
        with open(MARKER_PATH, "a") as marker:
            marker.write("outlet ran\\n")
        return body
'''


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


@dataclass
class Stats:
    p50_ms: float
    p99_ms: float
    mean_ms: float
    count: int

    @classmethod
    def of(cls, seconds: list[float]) -> "Stats":
        ordered = sorted(seconds)
        return cls(
            statistics.median(ordered) * 1000,
            percentile(ordered, 0.99) * 1000,
            statistics.fmean(ordered) * 1000,
            len(ordered),
        )


class Questions:
    """Distinct questions, one per request: the document's sentences in a seeded order."""

    def __init__(self, text: str, seed: int) -> None:
        pool = sentences(text)
        random.Random(seed).shuffle(pool)
        self._iter: Iterator[str] = iter(pool)
        self._extra = 0

    def next(self) -> str:
        sentence = next(self._iter, None)
        if sentence is None:  # more requests than sentences: still never the same text
            self._extra += 1
            sentence = f"Question number {self._extra}."
        return f"What does the report say about this? {sentence}"


class CpuMeter:
    """CPU seconds of the services, the fake, Postgres and this process between start and stop."""

    def __init__(self, stack: Stack, fake: subprocess.Popen[bytes]) -> None:
        self._stack = stack
        self._fake = fake

    def _processes(self) -> dict[str, list[psutil.Process]]:
        groups: dict[str, list[psutil.Process]] = {
            name: [psutil.Process(process.pid)] for name, process in self._stack.processes.items()
        }
        groups["fake Ollama"] = [psutil.Process(self._fake.pid)]
        groups["bench"] = [psutil.Process()]
        pid_file = self._stack.data_dir / "postgres" / "postmaster.pid"
        with contextlib.suppress(OSError, psutil.Error, ValueError, IndexError):
            master = psutil.Process(int(pid_file.read_text().split()[0]))
            groups["postgres"] = [master, *master.children(recursive=True)]
        return groups

    def read(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for name, processes in self._processes().items():
            total = 0.0
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    total += times.user + times.system
            totals[name] = total
        return totals

    @staticmethod
    def per_request(before: dict[str, float], after: dict[str, float], requests: int) -> str:
        parts = [
            f"{name} {(after[name] - before.get(name, 0.0)) / requests * 1000:.2f}"
            for name in after
            if after[name] - before.get(name, 0.0) > 0
        ]
        return ", ".join(parts)


class Api(ingest_bench.Api):
    """The ingest benchmark's client, signing in again on a kept ``--data-dir``, with retries and
    timing."""

    async def sign_up(self) -> None:
        """Signs up the first user (the admin), or signs in again on a kept ``--data-dir``."""
        body = {"name": "Bench", "email": "bench@example.com", "password": "bench password"}
        async with self.session.post(f"{self.base}/api/v1/auths/signup", json=body) as response:
            reply = await response.json()
        if response.status != 200:
            del body["name"]
            async with self.session.post(f"{self.base}/api/v1/auths/signin", json=body) as response:
                response.raise_for_status()
                reply = await response.json()
        if reply.get("role") != "admin":
            raise RuntimeError(f"the first user should be admin, got {reply.get('role')}")
        self.headers = {"Authorization": f"Bearer {reply['token']}"}

    async def call(self, path: str, body: dict | None = None) -> tuple[int, bytes]:
        async with self.session.post(self.base + path, json=body, headers=self.headers) as response:
            return response.status, await response.read()

    async def post(self, path: str, body: dict | None = None, retry_s: float = 0.0) -> dict:
        """The JSON reply; a 404 or 5xx is retried for ``retry_s`` (routes still being finished)."""
        deadline = time.monotonic() + retry_s
        while True:
            status, reply = await self.call(path, body)
            if status == 200:
                return orjson.loads(reply)
            if (status != 404 and status < 500) or time.monotonic() > deadline:
                raise RuntimeError(f"POST {path} answered {status}: {reply[:300]!r}")
            print(f"  POST {path} answered {status}: {reply[:200]!r}; retrying in 30 s", flush=True)
            await asyncio.sleep(30)

    async def timed(self, path: str, body: dict) -> tuple[float, bytes]:
        started = time.perf_counter()
        async with self.session.post(self.base + path, json=body, headers=self.headers) as response:
            reply = await response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"POST {path} answered {response.status}: {reply[:300]!r}")
        return elapsed, reply


def chat_body(question: str, files: list[dict] | None) -> dict:
    body: dict = {"model": MODEL, "messages": [{"role": "user", "content": question}], "stream": False}
    if files is not None:
        body["files"] = files
    return body


class Bench:
    def __init__(self, api: Api, questions: Questions, meter: CpuMeter, kid: str) -> None:
        self.api = api
        self.questions = questions
        self.meter = meter
        self.kid = kid

    def request(self, case: str) -> tuple[str, dict]:
        question = self.questions.next()
        if case == "route":
            return "/api/v1/retrieval/query/collection", {
                "collection_names": [self.kid],
                "query": question,
                "k": TOP_K,
            }
        files = [{"type": "collection", "id": self.kid}] if case == "rag" else None
        return "/api/chat/completions", chat_body(question, files)

    async def run(self, case: str, count: int) -> list[float]:
        latencies = []
        for _ in range(count):
            elapsed, _ = await self.api.timed(*self.request(case))
            latencies.append(elapsed)
        return latencies

    async def cases(
        self, cases: list[str], warmup: int, count: int, rounds: int
    ) -> dict[str, tuple[Stats, str]]:
        """``count`` requests of each case, in ``rounds`` interleaved blocks (A/B/C, A/B/C, …), so
        that a change in the machine's load falls on every case alike; CPU counted per block."""
        for case in cases:
            await self.run(case, warmup)
        latencies: dict[str, list[float]] = {case: [] for case in cases}
        cpu: dict[str, dict[str, float]] = {case: {} for case in cases}
        for n in range(rounds):
            size = count // rounds + (1 if n < count % rounds else 0)
            for case in cases:
                before = self.meter.read()
                latencies[case].extend(await self.run(case, size))
                after = self.meter.read()
                for name, seconds in after.items():
                    spent = seconds - before.get(name, seconds)
                    cpu[case][name] = cpu[case].get(name, 0.0) + spent
        return {
            case: (Stats.of(latencies[case]), CpuMeter.per_request({}, cpu[case], count)) for case in cases
        }

    async def check_rag(self) -> str:
        """One RAG reply's ``sources`` (first key) and the size of the context sent upstream."""
        _, reply = await self.api.timed(*self.request("rag"))
        parsed = orjson.loads(reply)
        first = next(iter(parsed))
        sources = parsed.get("sources") or []
        documents = sum(len(source.get("document", [])) for source in sources)
        if first != "sources" or documents == 0:
            raise RuntimeError(f"RAG reply without sources: {reply[:300]!r}")
        usage = parsed.get("usage", {})
        return (
            f"RAG reply: `sources` first, {len(sources)} source(s), {documents} chunks; "
            f"prompt tokens {usage.get('prompt_tokens')}"
        )


# --- filters ---------------------------------------------------------------------------------


async def create_function(api: Api, function_id: str, name: str, content: str) -> None:
    body = {"id": function_id, "name": name, "content": content, "meta": {"description": name}}
    # Left by an earlier run on a kept --data-dir.
    async with api.session.delete(
        f"{api.base}/api/v1/functions/id/{function_id}/delete", headers=api.headers
    ) as response:
        await response.read()
    await api.post("/api/v1/functions/create", body, retry_s=300)
    state = await api.post(f"/api/v1/functions/id/{function_id}/toggle/global", retry_s=300)
    if not state.get("is_global"):
        raise RuntimeError(f"{function_id}: toggle/global left it not global: {state}")


async def set_active(api: Api, function_id: str, active: bool) -> None:
    path = f"/api/v1/functions/id/{function_id}"
    async with api.session.get(api.base + path, headers=api.headers) as response:
        response.raise_for_status()
        current = (await response.json())["is_active"]
    if current != active:
        state = await api.post(f"{path}/toggle")
        if state.get("is_active") != active:
            raise RuntimeError(f"{function_id}: toggle gave {state}")


async def probe_filters(api: Api, marker: Path) -> str:
    """Turns the probe filter on, checks that its inlet and outlet run on an API call, turns it off."""
    await asyncio.to_thread(marker.unlink, missing_ok=True)
    source = PROBE_FILTER.replace("MARKER_PATH", repr(str(marker)))
    await create_function(api, "bench_probe", "Probe filter", source)
    await set_active(api, "bench_probe", True)
    try:
        status, reply = await api.call("/api/chat/completions", chat_body("probe", None))
        inlet = status == 400 and b"probe inlet ran" in reply
        await api.timed("/api/chat/completions", chat_body("Is the outlet run?", None))
        for _ in range(100):  # up to 5 s: the outlet may run after the reply has gone
            outlet = await asyncio.to_thread(marker.exists)
            if outlet:
                break
            await asyncio.sleep(0.05)
    finally:
        await set_active(api, "bench_probe", False)
    if not (inlet and outlet):
        raise RuntimeError(f"probe filter: inlet ran {inlet}, outlet ran {outlet}")
    return "probe filter: its inlet and its outlet both ran on an API call"


async def filter_overhead(bench: Bench, rounds: int, block: int) -> list[str]:
    api = bench.api
    arms = {
        "no filter": None,
        "no-op filter, def hooks": "bench_noop_sync",
        "no-op filter, async def hooks": "bench_noop_async",
    }
    await create_function(api, "bench_noop_sync", "No-op filter (def)", SYNC_FILTER)
    await create_function(api, "bench_noop_async", "No-op filter (async def)", ASYNC_FILTER)
    pooled: dict[str, list[float]] = {arm: [] for arm in arms}
    per_round: dict[str, list[float]] = {arm: [] for arm in arms}
    for _ in range(rounds):
        for arm, function_id in arms.items():
            for other in ("bench_noop_sync", "bench_noop_async"):
                await set_active(api, other, other == function_id)
            # The first requests after a change reload the function catalog: not timed.
            await bench.run("plain", 3)
            latencies = await bench.run("plain", block)
            pooled[arm].extend(latencies)
            per_round[arm].append(statistics.median(latencies) * 1000)
    for function_id in ("bench_noop_sync", "bench_noop_async"):
        await set_active(api, function_id, False)
    lines = [
        f"Filter overhead: plain chat, {rounds} rounds × {block} requests per arm, interleaved",
        "",
        "| arm | requests | p50 ms | p99 ms | mean ms | p50 − no filter, median of rounds (min…max) ms |",
        "|---|---|---|---|---|---|",
    ]
    base = per_round["no filter"]
    for arm in arms:
        stats = Stats.of(pooled[arm])
        if arm == "no filter":
            spread = "—"
        else:
            diffs = [with_ - without for with_, without in zip(per_round[arm], base, strict=True)]
            spread = f"{statistics.median(diffs):+.3f} ({min(diffs):+.3f}…{max(diffs):+.3f})"
        lines.append(
            f"| {arm} | {stats.count} | {stats.p50_ms:.3f} | {stats.p99_ms:.3f} | "
            f"{stats.mean_ms:.3f} | {spread} |"
        )
    pooled_base = Stats.of(pooled["no filter"]).p50_ms
    for arm in list(arms)[1:]:
        lines.append(f"pooled p50 difference, {arm}: {Stats.of(pooled[arm]).p50_ms - pooled_base:+.3f} ms")
    return lines


# --- the run ---------------------------------------------------------------------------------


def row(name: str, stats: Stats, cpu: str) -> str:
    return (
        f"| {name} | {stats.count} | {stats.p50_ms:.2f} | {stats.p99_ms:.2f} | {stats.mean_ms:.2f} | {cpu} |"
    )


def restart_inference(stack: Stack, env: dict[str, str]) -> None:
    process = stack.processes.pop("inference")
    process.terminate()
    process.wait(15)
    stack.config.env.update(env)
    stack.restart_service("inference")


async def wait_chat(api: Api, timeout_s: float = 30) -> None:
    """Until the gateway reaches the (restarted) inference service again."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, reply = await api.call("/api/chat/completions", chat_body("Are you there?", None))
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"chat after the restart answered {status}: {reply[:300]!r}")
        await asyncio.sleep(0.2)


async def measure(stack: Stack, fake: subprocess.Popen[bytes], args: argparse.Namespace) -> None:
    text = document(DOC_SIZE, DOC_SEED)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = Api(session, stack.gateway_url)
        await api.sign_up()
        started = time.perf_counter()
        file_id = await api.upload("report-2mb.txt", text.encode())
        status = await api.wait_done(file_id, "poll")
        if status != "completed":
            raise RuntimeError(f"processing the 2 MB document ended {status}")
        print(f"2 MB document processed in {time.perf_counter() - started:.1f} s", flush=True)
        knowledge = await api.post("/api/v1/knowledge/create", {"name": "bench", "description": "2 MB"})
        kid = knowledge["id"]
        await api.post(f"/api/v1/knowledge/{kid}/file/add", {"file_id": file_id})
        print(f"load after processing: {load_average()}", flush=True)

        bench = Bench(api, Questions(text, args.seed), CpuMeter(stack, fake), kid)
        print(await bench.check_rag(), flush=True)
        names = {
            "plain": "plain chat (no files)",
            "rag": "RAG chat, query generation off",
            "route": "query/collection route alone (k=3)",
        }
        results = []
        measured = await bench.cases(list(names), args.warmup, args.requests, args.rounds)
        for case, (stats, cpu) in measured.items():
            results.append(row(names[case], stats, cpu))
            print(f"  {results[-1]}", flush=True)

        filters: list[str] = []
        if not args.skip_filters:
            try:
                print(await probe_filters(api, stack.data_dir / "probe-outlet.txt"), flush=True)
                filters = await filter_overhead(bench, args.rounds, args.block)
            except RuntimeError as error:
                filters = [f"filter measurement failed: {error}"]
            print("\n".join(filters), flush=True)

        phases = (
            ({"ENABLE_RETRIEVAL_QUERY_GENERATION": "true"}, "query generation on"),
            (
                {"ENABLE_RETRIEVAL_QUERY_GENERATION": "false", "ENABLE_RAG_HYBRID_SEARCH": "true"},
                "hybrid search (BM25 + vector)",
            ),
        )
        for env, label in phases:
            restart_inference(stack, env)
            await wait_chat(api)
            # The first RAG chat of a phase also builds what it needs (the BM25 index, once).
            print(await bench.check_rag(), flush=True)
            # Plain chat again, interleaved: how far the machine has drifted since the first table.
            measured = await bench.cases(["plain", "rag"], args.warmup, args.requests, args.rounds)
            names = {"plain": f"plain chat (no files), {label} phase", "rag": f"RAG chat, {label}"}
            for case, (stats, cpu) in measured.items():
                results.append(row(names[case], stats, cpu))
                print(f"  {results[-1]}", flush=True)

    print()
    print("| case | requests | p50 ms | p99 ms | mean ms | CPU ms per request |")
    print("|---|---|---|---|---|---|")
    print("\n".join(results))
    print()
    print("\n".join(filters))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before each case")
    parser.add_argument(
        "--rounds", type=int, default=10, help="interleaved rounds of the cases and of the filter arms"
    )
    parser.add_argument("--block", type=int, default=100, help="timed requests per filter arm and round")
    parser.add_argument("--skip-filters", action="store_true", help="leave out the filter overhead")
    parser.add_argument("--seed", type=int, default=0, help="order of the questions")
    parser.add_argument(
        "--data-dir",
        help="keep the stack's DATA_DIR here (default: a temp dir); a second run on the same dir "
        "finds the document's chunks already embedded and skips the minute of processing",
    )
    args = parser.parse_args()
    print("command: PYTHONPATH=.:gen .venv/bin/python " + shlex.join(sys.argv))
    print(f"{os.cpu_count()} CPUs; load average (1/5/15 min) before: {load_average()}", flush=True)
    fake, fake_url = start_fake(0)
    try:
        with contextlib.ExitStack() as scope:
            tmp = args.data_dir or scope.enter_context(tempfile.TemporaryDirectory())
            env = {"OLLAMA_BASE_URLS": fake_url, "ENABLE_OPENAI_API": "false", "LOG_LEVEL": "WARNING"}
            stack = Stack(
                StackConfig(data_dir=Path(tmp), port=free_port(), env=env, log_dir=Path(tmp) / "logs")
            )
            stack.start(timeout_s=120)
            try:
                asyncio.run(measure(stack, fake, args))
            except BaseException:
                for name in ("gateway", "inference", "ingest"):
                    print(f"--- {name} log tail\n{stack.log_tail(name)}", file=sys.stderr)
                raise
            finally:
                stack.stop()
    finally:
        stop(fake)
    print(f"load average (1/5/15 min) after: {load_average()}")


if __name__ == "__main__":
    main()
