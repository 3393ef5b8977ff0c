"""Where the milliseconds of a RAG chat request go: the same request cut at each hop.

Sets up as ``bench/rag_chat.py`` (fake Ollama at zero delay, a stack, the 2 MB document in a
knowledge collection; ``--data-dir`` keeps it for later runs), then times at 1 client, in
``--rounds`` interleaved blocks, each request with a question of its own:

- ``rag``: ``POST /api/chat/completions`` with the collection, query generation off;
- ``plain``: the same without ``files`` (gateway + inference + upstream);
- ``route``: ``POST /api/v1/retrieval/query/collection`` k=3 (gateway + ingest search);
- ``search``: ``IngestService.Search`` k=3 called over gRPC from this process, as inference calls
  it (the ingest side of a RAG request: access check, version, query embedding, FAISS, texts);
- ``upstream``: ``POST /api/chat`` straight to the fake Ollama (what the upstream itself costs);
- ``texts SQL``: the chunk-text query a search makes for its 3 hits, from this process
  (``chunk_rows`` on a pool of its own), and ``access SQL``: the knowledge row and collection
  version queries that run while the query is embedded.

CPU milliseconds per request by process are shown for each HTTP/gRPC case. ``--py-spy DIR`` also
samples the ingest and inference processes (and the gateway) during an extra block of RAG requests
and prints each one's most frequent frames, inclusive, as a share of its samples.

    PYTHONPATH=.:gen .venv/bin/python bench/rag_profile.py --requests 200 --rounds 10 --data-dir /tmp/rag
"""

import argparse
import asyncio
import collections
import contextlib
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg
import grpc
import orjson

from bench.chat import start_fake, stop
from bench.documents import document
from bench.rag_chat import (
    DOC_SEED,
    DOC_SIZE,
    MODEL,
    TOP_K,
    Api,
    CpuMeter,
    Questions,
    Stats,
    chat_body,
    load_average,
)
from services.common.infra import free_port
from services.stack import Stack, StackConfig
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

PY_SPY = Path(sys.executable).parent / "py-spy"


class Cuts:
    def __init__(
        self,
        api: Api,
        questions: Questions,
        kid: str,
        stub: ingest_pb2_grpc.IngestServiceStub,
        fake_url: str,
        pool: asyncpg.Pool,
        hit_ids: list[int],
    ) -> None:
        self.api = api
        self.questions = questions
        self.kid = kid
        self.stub = stub
        self.fake_url = fake_url
        self.pool = pool
        self.hit_ids = hit_ids
        self._next_hit = 0

    async def once(self, case: str) -> float:
        question = self.questions.next()
        if case in ("rag", "plain"):
            files = [{"type": "collection", "id": self.kid}] if case == "rag" else None
            elapsed, _ = await self.api.timed("/api/chat/completions", chat_body(question, files))
            return elapsed
        if case == "route":
            body = {"collection_names": [self.kid], "query": question, "k": TOP_K}
            elapsed, _ = await self.api.timed("/api/v1/retrieval/query/collection", body)
            return elapsed
        started = time.perf_counter()
        if case == "search":
            request = ingest_pb2.SearchRequest(collection_names=[self.kid], queries=[question], k=TOP_K)
            token = self.api.headers["Authorization"].removeprefix("Bearer ")
            await self.stub.Search(request, timeout=30, metadata=(("authorization", f"Bearer {token}"),))
        elif case == "upstream":
            body = {"model": MODEL, "messages": [{"role": "user", "content": question}], "stream": False}
            async with self.api.session.post(f"{self.fake_url}/api/chat", json=body) as response:
                await response.read()
        elif case == "texts SQL":
            start = self._next_hit % max(1, len(self.hit_ids) - TOP_K)
            self._next_hit += TOP_K
            # The query of ``chunk_text_cache.chunk_rows`` (and, before it, ``IngestRepository.chunks``).
            await self.pool.fetch(
                "SELECT id, text, metadata FROM ingest_chunk WHERE id = ANY($1::bigint[]) UNION ALL "
                "SELECT id, text, metadata FROM ingest_text_chunk WHERE id = ANY($1::bigint[])",
                self.hit_ids[start : start + TOP_K],
            )
        elif case == "access SQL":
            await self.pool.fetchrow(
                "SELECT k.*, u.name FROM ingest_knowledge k LEFT JOIN ingest_user u ON u.id = k.user_id "
                "WHERE k.id = $1",
                self.kid,
            )
            await self.pool.fetchval("SELECT version FROM ingest_collection WHERE name = $1", self.kid)
        return time.perf_counter() - started


async def run_cases(cuts: Cuts, meter: CpuMeter, cases: list[str], args: argparse.Namespace) -> list[str]:
    for case in cases:
        for _ in range(args.warmup):
            await cuts.once(case)
    latencies: dict[str, list[float]] = {case: [] for case in cases}
    cpu: dict[str, dict[str, float]] = {case: {} for case in cases}
    for n in range(args.rounds):
        size = args.requests // args.rounds + (1 if n < args.requests % args.rounds else 0)
        for case in cases:
            before = meter.read()
            for _ in range(size):
                latencies[case].append(await cuts.once(case))
            after = meter.read()
            for name, seconds in after.items():
                cpu[case][name] = cpu[case].get(name, 0.0) + seconds - before.get(name, seconds)
    rows = []
    for case in cases:
        stats = Stats.of(latencies[case])
        per_request = CpuMeter.per_request({}, cpu[case], args.requests)
        rows.append(
            f"| {case} | {stats.count} | {stats.p50_ms:.2f} | {stats.p99_ms:.2f} | {stats.mean_ms:.2f} "
            f"| {per_request} |"
        )
    return rows


def summarise_profile(path: Path, top: int) -> list[str]:
    """The frames (function (file)) most often on the stack, as a share of all samples."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = {frame.split(":")[0].strip() for frame in stack.split(";")}
        for frame in frames:
            inclusive[frame] += count
    if not total:
        return [f"{path.name}: no samples"]
    lines = [f"{path.stem}: {total} samples"]
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(top)]
    return lines


def start_recorders(stack: Stack, out: Path) -> dict[str, subprocess.Popen[bytes]]:
    out.mkdir(parents=True, exist_ok=True)
    recorders = {}
    for name in ("ingest", "inference", "gateway"):
        command = [str(PY_SPY), "record", "--pid", str(stack.processes[name].pid), "--format", "raw"]
        command += ["--rate", "500", "-o", str(out / f"{name}.txt")]
        recorders[name] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return recorders


def stop_recorders(recorders: dict[str, subprocess.Popen[bytes]], out: Path, top: int) -> list[str]:
    for recorder in recorders.values():
        recorder.send_signal(signal.SIGINT)
    lines = []
    for name, recorder in recorders.items():
        with contextlib.suppress(subprocess.TimeoutExpired):
            recorder.wait(20)
        path = out / f"{name}.txt"
        lines += summarise_profile(path, top) if path.exists() else [f"{name}: no profile"]
    return lines


async def profile(cuts: Cuts, stack: Stack, args: argparse.Namespace) -> list[str]:
    out = Path(args.py_spy)
    recorders = await asyncio.to_thread(start_recorders, stack, out)
    for _ in range(args.requests):
        await cuts.once("rag")
    return await asyncio.to_thread(stop_recorders, recorders, out, args.top)


async def measure(stack: Stack, fake_url: str, meter: CpuMeter, args: argparse.Namespace) -> None:
    text = document(DOC_SIZE, DOC_SEED)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = Api(session, stack.gateway_url)
        await api.sign_up()
        started = time.perf_counter()
        file_id = await api.upload("report-2mb.txt", text.encode())
        if await api.wait_done(file_id, "poll") != "completed":
            raise RuntimeError("processing the 2 MB document failed")
        print(f"2 MB document ready in {time.perf_counter() - started:.1f} s", flush=True)
        knowledge = await api.post(
            "/api/v1/knowledge/create", {"name": "bench", "description": "2 MB"}, retry_s=120
        )
        kid = knowledge["id"]
        await api.post(f"/api/v1/knowledge/{kid}/file/add", {"file_id": file_id}, retry_s=120)
        pool = await asyncpg.create_pool(stack.database_url, min_size=1, max_size=2)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{stack.grpc_ports['ingest']}")
        try:
            hit_ids = [
                r["id"]
                for r in await pool.fetch(
                    "SELECT id FROM ingest_chunk WHERE file_id = $1 ORDER BY random() LIMIT 600", file_id
                )
            ]
            cuts = Cuts(
                api,
                Questions(text, args.seed),
                kid,
                ingest_pb2_grpc.IngestServiceStub(channel),
                fake_url,
                pool,
                hit_ids,
            )
            # The first search loads the collection's copy (and may wait for the model to load).
            body = chat_body("Warm up?", [{"type": "collection", "id": kid}])
            deadline = time.monotonic() + 180
            while True:
                status, reply = await api.call("/api/chat/completions", body)
                if status == 200 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(2)
            if status != 200 or not orjson.loads(reply).get("sources"):
                raise RuntimeError(f"RAG reply {status} without sources: {reply[:300]!r}")
            print(f"load before: {load_average()}", flush=True)
            cases = ["rag", "plain", "route", "search", "upstream", "texts SQL", "access SQL"]
            rows = await run_cases(cuts, meter, cases, args)
            print(f"load after: {load_average()}", flush=True)
            print("\n| cut | requests | p50 ms | p99 ms | mean ms | CPU ms per request |")
            print("|---|---|---|---|---|---|")
            print("\n".join(rows), flush=True)
            if args.py_spy:
                print("\n" + "\n".join(await profile(cuts, stack, args)))
        finally:
            await channel.close()
            await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per cut")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per cut first")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved blocks")
    parser.add_argument("--seed", type=int, default=0, help="order of the questions")
    parser.add_argument("--data-dir", help="keep the stack's DATA_DIR here (default: a temp dir)")
    parser.add_argument("--py-spy", help="also sample the services during RAG requests; raw profiles here")
    parser.add_argument("--top", type=int, default=25, help="frames shown per profiled process")
    parser.add_argument(
        "--env", nargs="*", default=[], metavar="NAME=VALUE", help="extra settings for every service"
    )
    args = parser.parse_args()
    print("command: PYTHONPATH=.:gen .venv/bin/python " + shlex.join(sys.argv))
    print(f"load average (1/5/15 min) before: {load_average()}", flush=True)
    fake, fake_url = start_fake(0)
    try:
        with contextlib.ExitStack() as scope:
            tmp = args.data_dir or scope.enter_context(tempfile.TemporaryDirectory())
            env = {"OLLAMA_BASE_URLS": fake_url, "ENABLE_OPENAI_API": "false", "LOG_LEVEL": "WARNING"}
            for item in args.env:
                name, _, value = item.partition("=")
                env[name] = value
            stack = Stack(
                StackConfig(data_dir=Path(tmp), port=free_port(), env=env, log_dir=Path(tmp) / "logs")
            )
            stack.start(timeout_s=120)
            try:
                asyncio.run(measure(stack, fake_url, CpuMeter(stack, fake), args))
            except BaseException:
                for name in ("gateway", "inference", "ingest"):
                    print(f"--- {name} log tail\n{stack.log_tail(name)}", file=sys.stderr)
                raise
            finally:
                stack.stop()
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
