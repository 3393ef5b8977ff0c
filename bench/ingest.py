"""Ingest benchmark: upload to `completed`, knowledge file/add, and vector search, through the gateway.

Starts a stack in a temp DATA_DIR (embedded Postgres and NATS, the four services), signs up the
first user (admin), and measures through the gateway with aiohttp in this process:

1. upload → `completed` of two plain-text documents of generated English prose (``bench/documents.py``,
   fixed seeds, the same bytes every run, no sentence repeated), about 200 KB and 2 MB, each uploaded
   once (identical text is embedded once ever, so a second upload would be free), with
   ``process_in_background=true``; `completed` is seen on the status SSE stream (``--status poll``
   polls every 50 ms instead). A small warm-up file goes first, so the model is loaded and has run
   once. Then, with the stack idle, the same chunks (``extract`` + ``split_pages`` with the service's
   defaults, as ``processing.py`` does) are embedded by the bare model in this process (an
   ``Embedder`` with the service's default batch size, threads and precision, one ``embed`` call on
   the main thread): overhead = pipeline / bare - 1. ``--doc-kb`` picks other document sizes;
2. ``POST /api/v1/knowledge/{id}/file/add`` of the processed 2 MB file into a new collection, and the
   first (cold: loads the collection's FAISS copy) and second searches on it;
3. search latency (k=5, one query, query embedding included) on collections of ``--sizes`` chunks.
   Embedding 100k chunks would take half an hour here, so these are synthetic: the real embeddings of
   the chunks from part 1, read from Postgres, each copied many times with Gaussian noise
   (``--sigma`` per coordinate) and renormalised, written straight into Postgres (files `completed`,
   chunks, embeddings, knowledge links, a collection version bump), then queried through the gateway
   with ``--queries`` sentences of the documents. The first query is timed apart (it builds the
   index); recall@5 compares the service's answers with exact search (``IndexFlatIP``) over the same
   vectors with the queries embedded in this process, by chunk and by passage (the real chunk a copy
   was made from); ``--ef-search 64 128`` adds the recall of a ``VectorIndex`` built here with the
   service's parameters but those efSearch values.

CPU seconds are counted per process group (the services, Postgres, this process) and for the rest of
the machine ("foreign": other people's work; it should be about 0 for a clean run).

``--repeat N`` runs everything N times, each on a fresh stack. Prints one Markdown table per part.

    python bench/ingest.py --sizes 10000 100000 --repeat 2 --ef-search 64 128 256
"""

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import math
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import faiss
import numpy as np
import orjson
import psutil

from bench.documents import document, sentences
from services.common.infra import free_port
from services.ingest.chunking import split_pages
from services.ingest.embedder import Embedder
from services.ingest.extract import extract
from services.ingest.settings import IngestSettings
from services.ingest.vector_index import IndexParams, VectorIndex
from services.stack import Stack, StackConfig

K = 5


def doc_name(kb: int) -> str:
    return f"{kb // 1024} MB" if kb % 1024 == 0 else f"{kb} KB"


WARM_UP = ("warm-up", 16 * 1024, 99)
# Open WebUI 0.12.4 on this kind of machine (issue figures): 2 MB → 3,335 chunks in 133-156 s,
# 200 KB in 14 s (its chunk count not given: taken at the 2 MB file's density).
OWUI_2MB_CHUNKS = 3335
OWUI_2MB_S = (133.0, 156.0)
OWUI_200KB_S = 14.0
POLL_S = 0.05


def default(name: str):  # type: ignore[no-untyped-def]
    return IngestSettings.model_fields[name].default


CHUNK_SIZE = default("chunk_size")
CHUNK_OVERLAP = default("chunk_overlap")
MARKDOWN_HEADERS = default("markdown_header_splitter")
BATCH_SIZE = default("embedding_batch_size")
THREADS = default("embedding_threads")
SERVICE_INDEX = IndexParams(
    hnsw_threshold=default("hnsw_threshold"),
    hnsw_m=default("hnsw_m"),
    hnsw_ef_construction=default("hnsw_ef_construction"),
    hnsw_ef_search=default("hnsw_ef_search"),
)
PRECISION = default("embedding_precision")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[max(0, int(len(sorted_values) * fraction) - 1)]


def chunk_texts(data: bytes, filename: str) -> list[str]:
    """The distinct chunk texts the service embeds for this file, in its order."""
    pages = extract(data, filename, "text/plain")
    pieces = split_pages(
        pages, chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, markdown_headers=MARKDOWN_HEADERS
    )
    return list(dict.fromkeys(piece.text for piece in pieces))


class CpuMeter:
    """CPU seconds of this benchmark's processes by group (the services, Postgres, this process, the
    rest of its children), and of everything else on the machine ("foreign": other people's work)."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._start: tuple[float, dict[int, tuple[str, float]]] | None = None

    def _processes(self) -> dict[int, tuple[str, psutil.Process]]:
        found: dict[int, tuple[str, psutil.Process]] = {}
        pid_file = self._stack.data_dir / "postgres" / "postmaster.pid"
        if pid_file.exists():
            with contextlib.suppress(psutil.Error, ValueError, IndexError):
                master = psutil.Process(int(pid_file.read_text().split()[0]))
                for process in (master, *master.children(recursive=True)):
                    found[process.pid] = ("postgres", process)
        names = {process.pid: name for name, process in self._stack.processes.items()}
        me = psutil.Process()
        found[me.pid] = ("bench", me)
        for child in me.children(recursive=True):
            found.setdefault(child.pid, (names.get(child.pid, "nats+other"), child))
        return found

    def _read(self) -> tuple[float, dict[int, tuple[str, float]]]:
        times = psutil.cpu_times()
        busy = times.user + times.nice + times.system + times.irq + times.softirq
        per: dict[int, tuple[str, float]] = {}
        for pid, (name, process) in self._processes().items():
            with contextlib.suppress(psutil.Error):
                cpu = process.cpu_times()
                per[pid] = (name, cpu.user + cpu.system)
        return busy, per

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> dict[str, float]:
        """CPU seconds since ``start`` by group, with "foreign" for the rest of the machine."""
        assert self._start is not None
        busy_before, before = self._start
        busy, after = self._read()
        groups: dict[str, float] = {}
        for pid, (name, cpu) in after.items():
            groups[name] = groups.get(name, 0.0) + cpu - before.get(pid, (name, 0.0))[1]
        groups["foreign"] = max(0.0, busy - busy_before - sum(groups.values()))
        return groups


# --- HTTP ------------------------------------------------------------------------------------


class Api:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.headers: dict[str, str] = {}
        self.user_id = ""

    async def sign_up(self) -> None:
        body = {"name": "Bench", "email": f"bench-{time.time_ns()}@example.com", "password": "bench password"}
        async with self.session.post(f"{self.base}/api/v1/auths/signup", json=body) as response:
            response.raise_for_status()
            reply = await response.json()
        if reply.get("role") != "admin":
            raise RuntimeError(f"the first user should be admin, got {reply.get('role')}")
        self.headers = {"Authorization": f"Bearer {reply['token']}"}
        self.user_id = reply["id"]

    async def post(self, path: str, body: dict) -> dict:
        async with self.session.post(self.base + path, json=body, headers=self.headers) as response:
            reply = await response.read()
            if response.status != 200:
                raise RuntimeError(f"POST {path} answered {response.status}: {reply[:300]!r}")
        return orjson.loads(reply)

    async def upload(self, filename: str, data: bytes) -> str:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=filename, content_type="text/plain")
        url = f"{self.base}/api/v1/files/?process=true&process_in_background=true"
        async with self.session.post(url, data=form, headers=self.headers) as response:
            reply = await response.read()
            if response.status != 200:
                raise RuntimeError(f"upload answered {response.status}: {reply[:300]!r}")
        return orjson.loads(reply)["id"]

    async def wait_done(self, file_id: str, how: str) -> str:
        """The final status (`completed` or `failed`), as soon as the gateway reports it."""
        url = f"{self.base}/api/v1/files/{file_id}/process/status"
        if how == "poll":
            while True:
                async with self.session.get(url, headers=self.headers) as response:
                    status = (await response.json())["status"]
                if status in ("completed", "failed"):
                    return status
                await asyncio.sleep(POLL_S)
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with self.session.get(
            url, params={"stream": "true"}, headers=self.headers, timeout=timeout
        ) as response:
            response.raise_for_status()
            async for line in response.content:
                if line.startswith(b"data:"):
                    status = orjson.loads(line[5:])["status"]
                    if status in ("completed", "failed", "not_found"):
                        return status
        raise RuntimeError(f"status stream of {file_id} ended without a final status")

    async def query(self, collection: str, text: str) -> tuple[float, list[str]]:
        body = {"collection_name": collection, "query": text, "k": K}
        started = time.perf_counter()
        async with self.session.post(
            f"{self.base}/api/v1/retrieval/query/doc", json=body, headers=self.headers
        ) as response:
            reply = await response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"query/doc answered {response.status}: {reply[:300]!r}")
        return elapsed, orjson.loads(reply)["documents"][0]


# --- part 1 ----------------------------------------------------------------------------------


@dataclass
class Upload:
    name: str
    size: int
    file_id: str = ""
    chunks: int = 0
    distinct: int = 0
    upload_s: float = 0.0
    total_s: float = 0.0
    job_s: float | None = None
    cpu: dict[str, float] = field(default_factory=dict)
    bare_s: float = 0.0
    bare_cpu: dict[str, float] = field(default_factory=dict)
    prepare_s: float = 0.0
    load: str = ""


async def upload_and_wait(api: Api, name: str, data: bytes, how: str, meter: CpuMeter) -> Upload:
    result = Upload(name, len(data), load=load())
    meter.start()
    started = time.perf_counter()
    result.file_id = await api.upload(f"{name.replace(' ', '')}.txt", data)
    result.upload_s = time.perf_counter() - started
    status = await api.wait_done(result.file_id, how)
    result.total_s = time.perf_counter() - started
    result.cpu = meter.stop()
    if status != "completed":
        raise RuntimeError(f"{name}: processing ended {status}")
    return result


def job_seconds(log_path: Path, file_id: str) -> float | None:
    """The worker's own time for the job, from the ingest log (INFO)."""
    if not log_path.exists():
        return None
    found = re.findall(rf"job {re.escape(file_id)}: completed in ([0-9.]+) s", log_path.read_text())
    return float(found[-1]) if found else None


async def count_chunks(pool: asyncpg.Pool, file_id: str) -> tuple[int, int]:
    row = await pool.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT text_hash) AS d FROM ingest_chunk WHERE file_id = $1", file_id
    )
    return row["n"], row["d"]


def bare_embed(embedder: Embedder, texts: list[str], meter: CpuMeter) -> tuple[float, dict[str, float]]:
    """Wall seconds of one ``embed`` call over ``texts``, and the CPU seconds meanwhile."""
    meter.start()
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    elapsed = time.perf_counter() - started
    assert vectors.shape == (len(texts), 384)
    return elapsed, meter.stop()


# --- part 3 ----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    size: int
    kind: str = "?"
    populate_s: float = 0.0
    cold_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    recall: float = 0.0
    # Same measure over base chunks (the passage a copy was made from): what a reader sees.
    passage_recall: float = 0.0
    # recall@5 of a VectorIndex built here on the same vectors, by efSearch (--ef-search).
    local_recall: dict[int, float] = field(default_factory=dict)
    load: str = ""


def synthetic(
    base_texts: list[str], base_meta: list[str], base_vectors: np.ndarray, count: int, sigma: float, seed: int
) -> tuple[list[str], list[str], np.ndarray]:
    """``count`` distinct chunks: base chunk ``i % len(base)`` with its vector perturbed and a text
    suffix that makes the text (and its hash) unique."""
    rng = np.random.default_rng(seed)
    picks = np.arange(count) % len(base_texts)
    noise = rng.standard_normal((count, base_vectors.shape[1]), dtype=np.float32) * np.float32(sigma)
    vectors = base_vectors[picks] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"{base_texts[p]} (copy {i})" for i, p in enumerate(picks.tolist())]
    metas = [base_meta[p] for p in picks.tolist()]
    return texts, metas, np.ascontiguousarray(vectors, dtype=np.float32)


async def populate(
    pool: asyncpg.Pool,
    user_id: str,
    knowledge_ids: dict[int, str],
    texts: list[str],
    metas: list[str],
    vectors: np.ndarray,
    per_file: int,
) -> float:
    """Writes the synthetic chunks as completed files and links the first ``size`` chunks' files
    to each knowledge collection; returns seconds."""
    started = time.perf_counter()
    stamp = int(time.time())
    files, chunks, embeddings = [], [], []
    file_of_chunk: list[str] = []
    for start in range(0, len(texts), per_file):
        file_id = str(uuid.uuid4())
        part = range(start, min(start + per_file, len(texts)))
        files.append(
            (
                file_id,
                user_id,
                f"synthetic-{start // per_file}.txt",
                "text/plain",
                sum(len(texts[i]) for i in part),
                uuid.uuid4().hex,
                "completed",
                stamp,
                stamp,
            )
        )
        for seq, i in enumerate(part):
            digest = hashlib.sha256(texts[i].encode()).digest()
            meta = orjson.loads(metas[i])
            meta.update({"file_id": file_id, "name": files[-1][2], "source": files[-1][2]})
            chunks.append((file_id, seq, texts[i], digest, orjson.dumps(meta).decode()))
            embeddings.append((digest, vectors[i].astype("<f4").tobytes()))
            file_of_chunk.append(file_id)
    async with pool.acquire() as conn, conn.transaction():
        await conn.copy_records_to_table(
            "ingest_file",
            records=files,
            columns=[
                "id",
                "user_id",
                "filename",
                "content_type",
                "size",
                "hash",
                "status",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "ingest_embedding", records=embeddings, columns=["text_hash", "vector"]
        )
        await conn.copy_records_to_table(
            "ingest_chunk", records=chunks, columns=["file_id", "seq", "text", "text_hash", "metadata"]
        )
        await conn.copy_records_to_table(
            "ingest_collection", records=[(f"file-{f[0]}", 1) for f in files], columns=["name", "version"]
        )
        for size, knowledge_id in knowledge_ids.items():
            linked = list(dict.fromkeys(file_of_chunk[:size]))
            await conn.copy_records_to_table(
                "ingest_knowledge_file",
                records=[(knowledge_id, f, stamp) for f in linked],
                columns=["knowledge_id", "file_id", "added_at"],
            )
            await conn.execute(
                "UPDATE ingest_collection SET version = version + 1 WHERE name = $1", knowledge_id
            )
    return time.perf_counter() - started


def index_kind(log_path: Path, knowledge_id: str) -> str:
    if not log_path.exists():
        return "?"
    found = re.findall(
        rf"loaded collection {re.escape(knowledge_id)}: (\d+) vectors \((\w+)\)", log_path.read_text()
    )
    return f"{found[-1][1]} ({int(found[-1][0]):,})" if found else "?"


async def search_part(
    api: Api,
    pool: asyncpg.Pool,
    embedder: Embedder,
    base_file_ids: list[str],
    queries: list[str],
    sizes: list[int],
    args: argparse.Namespace,
    log_path: Path,
    meter: CpuMeter,
) -> list[SearchResult]:
    rows = await pool.fetch(
        "SELECT c.text, c.metadata, e.vector FROM ingest_chunk c "
        "JOIN ingest_embedding e ON e.text_hash = c.text_hash "
        "WHERE c.file_id = ANY($1::text[]) ORDER BY c.id",
        base_file_ids,
    )
    base_texts = [r["text"] for r in rows]
    base_meta = [r["metadata"] for r in rows]
    base_vectors = np.frombuffer(b"".join(r["vector"] for r in rows), dtype="<f4").reshape(len(rows), -1)
    total = max(sizes)
    texts, metas, vectors = synthetic(base_texts, base_meta, base_vectors, total, args.sigma, args.seed)
    knowledge_ids = {}
    for size in sizes:
        reply = await api.post("/api/v1/knowledge/create", {"name": f"synthetic {size}", "description": ""})
        knowledge_ids[size] = reply["id"]
    # Collections are made of whole files: every size must be a multiple of the file size.
    per_file = math.gcd(args.per_file, *sizes)
    populate_s = await populate(pool, api.user_id, knowledge_ids, texts, metas, vectors, per_file)
    # Queries embedded here, while the stack is idle, for the exact answers.
    query_vectors = embedder.embed(queries)
    position = {text: i for i, text in enumerate(texts)}
    results = []
    for size in sizes:
        result = SearchResult(size, populate_s=populate_s, load=load())
        collection = knowledge_ids[size]
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors[:size])
        _, truth = exact.search(query_vectors, K)
        result.cold_s, _ = await api.query(collection, queries[0])
        result.kind = index_kind(log_path, collection)
        hits = passage_hits = passages = 0
        bases = len(base_texts)
        meter.start()
        for attempt in range(args.search_passes):
            for query, expected in zip(queries, truth, strict=True):
                elapsed, documents = await api.query(collection, query)
                result.latencies_ms.append(elapsed * 1000)
                if attempt == 0:
                    found = {position.get(text, -1) for text in documents}
                    hits += len(found & set(expected.tolist()))
                    wanted = {i % bases for i in expected.tolist()}
                    passage_hits += len({i % bases for i in found if i >= 0} & wanted)
                    passages += len(wanted)
        result.cpu = meter.stop()
        result.recall = hits / (K * len(queries))
        result.passage_recall = passage_hits / passages
        if size > SERVICE_INDEX.hnsw_threshold:
            for ef in args.ef_search:
                params = dataclasses.replace(SERVICE_INDEX, hnsw_ef_search=ef)
                local = VectorIndex.build(params, np.arange(size, dtype=np.int64), vectors[:size])
                found_local = local.search(query_vectors, K)
                result.local_recall[ef] = sum(
                    len({label for label, _ in row} & set(t.tolist()))
                    for row, t in zip(found_local, truth, strict=True)
                ) / (K * len(queries))
        result.latencies_ms.sort()
        result.load += " → " + load()
        results.append(result)
    return results


def synthetic_spread(base_vectors: np.ndarray, sigma: float) -> str:
    """Cosines that say what the perturbation did: copy to its original, and nearest other real chunk."""
    rng = np.random.default_rng(0)
    sample = base_vectors[rng.choice(len(base_vectors), min(200, len(base_vectors)), replace=False)]
    noisy = sample + rng.standard_normal(sample.shape, dtype=np.float32) * np.float32(sigma)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    to_origin = np.sum(noisy * sample, axis=1)
    sims = sample @ base_vectors.T
    sims[sims > 0.9999] = -1
    return (
        f"copy-to-original cosine p50 {np.median(to_origin):.2f}; "
        f"real chunk to its nearest other real chunk p50 {np.median(sims.max(axis=1)):.2f}"
    )


# --- a round ---------------------------------------------------------------------------------


@dataclass
class Round:
    uploads: list[Upload]
    add_s: float = 0.0
    add_chunks: int = 0
    first_search_ms: float = 0.0
    second_search_ms: float = 0.0
    first_file_search_ms: float = 0.0
    searches: list[SearchResult] = field(default_factory=list)
    spread: str = ""
    query_embed_ms: float = 0.0


async def run_round(
    stack: Stack, embedder: Embedder, docs: dict[str, bytes], queries: list[str], args: argparse.Namespace
) -> Round:
    log_path = Path(stack.config.log_dir or ".") / "ingest.log"
    meter = CpuMeter(stack)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = Api(session, stack.gateway_url)
        await api.sign_up()
        pool = await asyncpg.create_pool(stack.database_url, min_size=1, max_size=2)
        try:
            # The model loads in the background at start; the warm-up file waits for it and runs it once.
            name, size, seed = WARM_UP
            warm = await upload_and_wait(api, name, document(size, seed).encode(), args.status, meter)
            uploads = []
            for name in docs:
                uploads.append(await upload_and_wait(api, name, docs[name], args.status, meter))
                uploads[-1].load += " → " + load()
            # The bare model, one document after the other, with the stack idle.
            for upload in uploads:
                upload.chunks, upload.distinct = await count_chunks(pool, upload.file_id)
                upload.job_s = job_seconds(log_path, upload.file_id)
                started = time.perf_counter()
                texts = chunk_texts(docs[upload.name], f"{upload.name}.txt")
                upload.prepare_s = time.perf_counter() - started
                if len(texts) != upload.distinct:
                    print(
                        f"warning: {upload.name}: {len(texts)} chunks here, {upload.distinct} in the service"
                    )
                upload.bare_s, upload.bare_cpu = bare_embed(embedder, texts, meter)
            result = Round(uploads)

            # Part 2: the processed 2 MB file into a new collection.
            big = uploads[-1]
            knowledge = await api.post(
                "/api/v1/knowledge/create", {"name": "bench", "description": "2 MB file"}
            )
            started = time.perf_counter()
            await api.post(f"/api/v1/knowledge/{knowledge['id']}/file/add", {"file_id": big.file_id})
            result.add_s = time.perf_counter() - started
            result.add_chunks = big.chunks
            result.first_search_ms = (await api.query(knowledge["id"], queries[0]))[0] * 1000
            result.second_search_ms = (await api.query(knowledge["id"], queries[1]))[0] * 1000
            result.first_file_search_ms = (await api.query(f"file-{big.file_id}", queries[2]))[0] * 1000
            single = []
            for query in queries[:50]:
                started = time.perf_counter()
                embedder.embed([query])
                single.append(time.perf_counter() - started)
            result.query_embed_ms = statistics.median(single) * 1000

            if not args.skip_search:
                base = [warm.file_id, *(u.file_id for u in uploads)]
                result.searches = await search_part(
                    api, pool, embedder, base, queries, sorted(args.sizes), args, log_path, meter
                )
                rows = await pool.fetch(
                    "SELECT e.vector FROM ingest_chunk c "
                    "JOIN ingest_embedding e ON e.text_hash = c.text_hash WHERE c.file_id = ANY($1::text[])",
                    base,
                )
                vectors = np.frombuffer(b"".join(r["vector"] for r in rows), dtype="<f4").reshape(
                    len(rows), -1
                )
                result.spread = synthetic_spread(vectors, args.sigma)
            return result
        finally:
            await pool.close()


# --- output ----------------------------------------------------------------------------------


def cpu_split(cpu: dict[str, float], names: tuple[str, ...], scale: float, spec: str) -> str:
    return "/".join(format(cpu.get(name, 0.0) * scale, spec) for name in names)


def print_tables(rounds: list[Round], args: argparse.Namespace) -> None:
    owui_best = OWUI_2MB_CHUNKS / OWUI_2MB_S[0]
    owui_worst = OWUI_2MB_CHUNKS / OWUI_2MB_S[1]
    print(
        f"\n### 1. Upload → completed (status by {'SSE' if args.status == 'sse' else '50 ms polling'}; "
        f"CHUNK_SIZE {CHUNK_SIZE}, CHUNK_OVERLAP {CHUNK_OVERLAP}, batch {BATCH_SIZE})\n"
    )
    print(
        "| round | document | bytes | chunks | upload s | upload→completed s | worker job s | chunks/s "
        "| bare embed s | bare chunks/s | overhead | × OWUI chunks/s | CPU s processing: ingest/postgres/"
        "gateway/foreign | CPU s bare: bench/foreign | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, r in enumerate(rounds, 1):
        for u in r.uploads:
            rate = u.chunks / u.total_s
            if u.name == "2 MB":
                owui = f"{rate / owui_best:.1f}-{rate / owui_worst:.1f}"
            elif u.name == "200 KB":
                owui_chunks = OWUI_2MB_CHUNKS * 200 / 2048
                owui = f"{rate / (owui_chunks / OWUI_200KB_S):.1f}"
            else:
                owui = "n/a"
            job = f"{u.job_s:.2f}" if u.job_s is not None else "?"
            print(
                f"| {n} | {u.name} | {u.size:,} | {u.chunks:,} | {u.upload_s:.2f} | {u.total_s:.2f} | {job} "
                f"| {rate:.1f} | {u.bare_s:.2f} | {u.chunks / u.bare_s:.1f} "
                f"| {u.total_s / u.bare_s - 1:+.1%} "
                f"| {owui} | {cpu_split(u.cpu, ('ingest', 'postgres', 'gateway', 'foreign'), 1, '.1f')} "
                f"| {cpu_split(u.bare_cpu, ('bench', 'foreign'), 1, '.1f')} | {u.load} |"
            )
    print(
        f"\nOpen WebUI 0.12.4: 2 MB = {OWUI_2MB_CHUNKS:,} chunks in "
        f"{OWUI_2MB_S[0]:.0f}-{OWUI_2MB_S[1]:.0f} s ({owui_worst:.1f}-{owui_best:.1f} chunks/s); "
        f"200 KB in {OWUI_200KB_S:.0f} s (chunk count assumed at the 2 MB density). "
        "Target: overhead ≤ 10 %, ≥ 1.5× its chunks/s."
    )
    print(
        "extract + split + dedup of the same bytes in this process: "
        + ", ".join(f"{u.name} {u.prepare_s:.2f} s" for u in rounds[-1].uploads)
    )

    print("\n### 2. knowledge file/add of the processed 2 MB file (target ≤ 1 s; Open WebUI 120 s)\n")
    print(
        "| round | chunks | file/add s | first search ms (loads the copy) | second search ms "
        "| first search of file-<id> ms |"
    )
    print("|---|---|---|---|---|---|")
    for n, r in enumerate(rounds, 1):
        print(
            f"| {n} | {r.add_chunks:,} | {r.add_s:.3f} | {r.first_search_ms:.1f} | {r.second_search_ms:.1f} "
            f"| {r.first_file_search_ms:.1f} |"
        )
    print(
        "\nbare model, one query embedded in this process, p50 of 50: "
        + ", ".join(f"{r.query_embed_ms:.1f} ms" for r in rounds)
    )

    if args.skip_search:
        return
    print(
        f"\n### 3. query/doc latency, k={K}, one query at a time (query embedding included); synthetic "
        f"collections (real chunk embeddings + N(0, {args.sigma}²) noise, renormalised); "
        f"{args.queries} queries × {args.search_passes} passes\n"
    )
    print(
        "| round | chunks | index | populate s | cold first query s | p50 ms | p99 ms | mean ms "
        "| recall@5 (passages) | CPU ms/query: ingest/gateway/auth/postgres/bench/foreign | load 1m/5m |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, r in enumerate(rounds, 1):
        for s in r.searches:
            lat = s.latencies_ms
            groups = ("ingest", "gateway", "auth", "postgres", "bench", "foreign")
            per_query = cpu_split(s.cpu, groups, 1000 / len(lat), ".2f")
            print(
                f"| {n} | {s.size:,} | {s.kind} | {s.populate_s:.1f} | {s.cold_s:.2f} "
                f"| {statistics.median(lat):.2f} | {percentile(lat, 0.99):.2f} | {statistics.fmean(lat):.2f} "
                f"| {s.recall:.3f} ({s.passage_recall:.3f}) "
                f"| {per_query} "
                f"| {s.load} |"
            )
    print(f"\nsynthetic vectors: {rounds[-1].spread}")
    for n, r in enumerate(rounds, 1):
        for s in r.searches:
            if s.local_recall:
                shown = ", ".join(f"efSearch {ef}: {recall:.3f}" for ef, recall in s.local_recall.items())
                print(f"round {n}, {s.size:,} chunks, VectorIndex built here, recall@5: {shown}")


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000], help="chunks per collection")
    parser.add_argument("--skip-search", action="store_true", help="leave out part 3")
    parser.add_argument("--repeat", type=int, default=1, help="rounds, each on a fresh stack")
    parser.add_argument("--status", choices=("sse", "poll"), default="sse", help="how `completed` is seen")
    parser.add_argument("--queries", type=int, default=200, help="query sentences for part 3")
    parser.add_argument("--search-passes", type=int, default=2, help="times each query is timed")
    parser.add_argument(
        "--sigma", type=float, default=0.03, help="per-coordinate noise of the synthetic copies"
    )
    parser.add_argument("--per-file", type=int, default=2500, help="synthetic chunks per file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--ef-search",
        type=int,
        nargs="*",
        default=[],
        help="also recall@5 of a VectorIndex built here on the HNSW-sized collections, per efSearch",
    )
    parser.add_argument(
        "--doc-kb", type=int, nargs="+", default=[200, 2048], help="document sizes in KiB (seeds 1, 2, …)"
    )
    parser.add_argument(
        "--py-spy",
        metavar="FILE",
        help="record the ingest process with py-spy for the whole round (slows it down): "
        "collapsed stacks for a .txt name, else an SVG flame graph",
    )
    args = parser.parse_args()
    print("command: PYTHONPATH=.:gen .venv/bin/python " + shlex.join(sys.argv))

    docs = {doc_name(kb): document(kb * 1024, seed).encode() for seed, kb in enumerate(args.doc_kb, 1)}
    rng = random.Random(args.seed)
    pool_sentences = [s for data in docs.values() for s in sentences(data.decode())]
    queries = rng.sample(pool_sentences, max(args.queries, 3))
    # As the service makes it, with its default settings; here only the main thread runs it.
    embedder = Embedder(BATCH_SIZE, THREADS, PRECISION)
    embedder.load()
    import torch

    print(
        f"{os.cpu_count()} CPUs, load {load()}; model {embedder.precision}, batch {BATCH_SIZE}, "
        f"torch threads {torch.get_num_threads()}; faiss in the service on 1 thread"
    )
    embedder.embed(chunk_texts(document(*WARM_UP[1:]).encode(), "warm-up.txt"))

    rounds = []
    for n in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            stack = Stack(
                StackConfig(data_dir=Path(tmp), port=free_port(), durable=True, log_dir=Path(tmp) / "logs")
            )
            stack.start(timeout_s=120)
            spy = None
            try:
                if args.py_spy:
                    spy = subprocess.Popen(
                        [
                            shutil.which("py-spy", path=Path(sys.executable).parent) or "py-spy",
                            "record",
                            "--pid",
                            str(stack.processes["ingest"].pid),
                            "--output",
                            args.py_spy,
                            "--threads",
                            "--nonblocking",
                            "--rate",
                            "50",
                            "--format",
                            "raw" if args.py_spy.endswith(".txt") else "flamegraph",
                        ],
                        stdout=subprocess.DEVNULL,
                    )
                rounds.append(asyncio.run(run_round(stack, embedder, docs, queries, args)))
                print(f"round {n + 1} done, load {load()}", flush=True)
            finally:
                if spy is not None:
                    spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
                    spy.wait(30)
                stack.stop()
    print_tables(rounds, args)


if __name__ == "__main__":
    main()
