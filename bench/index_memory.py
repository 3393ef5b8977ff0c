"""FAISS memory cap benchmark: resident memory and reload times with and without a cap.

Seeds an embedded PostgreSQL straight by SQL (no extraction, no model): ``--chunk-count`` random
normalized float32 384-d embeddings, and ``--collections`` completed files of that many chunks each,
chunk i of every file naming embedding i (the FAISS copies do not care that files share vectors;
the database stays small), each file's ``ingest_collection`` version bumped. Then, for each cap
(``--cap-mb``, and 0 = none), a fresh subprocess runs the ingest service's own ``CollectionIndexes``
on ``IngestRepository`` (the objects the service wires, without gRPC in front) and:

1. searches every collection in turn, ``--passes`` times (round robin: with a cap below the total,
   least-recently-searched eviction drops each copy before its next turn, so every search after the
   first pass is a reload);
2. searches a hot set that fits under the cap (``--hot`` collections) ``--hot-searches`` times at
   random: these should never reload.

Reports RSS before any load, the peak (``ru_maxrss``), the RSS at the end, the estimated bytes
held, evictions, and the times of loads and of searches on held copies.

    python -m bench.index_memory                      # 50 × 20,000, cap 512 MB (a few minutes)
    python -m bench.index_memory --collections 10 --chunk-count 5000 --cap-mb 64   # quick
    python -m bench.index_memory --calibrate          # the estimate against RSS, flat and HNSW
    python -m bench.index_memory --gc --collections 20 --orphans 100000   # embedding GC passes
"""

import argparse
import asyncio
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import faiss
import numpy as np
import psutil

from services.common.collection_names import file_collection
from services.common.infra import EmbeddedPostgres
from services.common.migrations import apply_migrations
from services.ingest.collections import CollectionIndexes
from services.ingest.embedding_gc import EmbeddingCollector
from services.ingest.freed_memory import release_freed_memory
from services.ingest.index_memory import estimated_bytes
from services.ingest.main import MIGRATIONS
from services.ingest.models import CollectionChange
from services.ingest.repository import IngestRepository
from services.ingest.vector_index import IndexParams, VectorIndex

MB = 2**20


class _NoEvents:
    async def change(self, change: CollectionChange) -> None:
        return None


async def seed(url: str, collections: int, chunks: int) -> None:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        await apply_migrations(pool, "ingest", MIGRATIONS)
        rng = np.random.default_rng(0)
        vectors = rng.standard_normal((chunks, 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        hashes = [hashlib.sha256(f"c{i}".encode()).digest() for i in range(chunks)]
        async with pool.acquire() as conn:
            await conn.copy_records_to_table(
                "ingest_embedding",
                records=[(h, v.astype("<f4").tobytes()) for h, v in zip(hashes, vectors, strict=True)],
                columns=["text_hash", "vector"],
            )
            for c in range(collections):
                file_id = f"bench-{c:03d}"
                await conn.execute(
                    "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, "
                    "updated_at) VALUES ($1, 'u', $1, 'text/plain', 'completed', 0, 0)",
                    file_id,
                )
                await conn.copy_records_to_table(
                    "ingest_chunk",
                    records=[(file_id, i, f"c{i}", hashes[i], "{}") for i in range(chunks)],
                    columns=["file_id", "seq", "text", "text_hash", "metadata"],
                )
                await conn.execute(
                    "INSERT INTO ingest_collection (name, version) VALUES ($1, 2)", file_collection(file_id)
                )
    finally:
        await pool.close()


def _rss() -> int:
    return psutil.Process().memory_info().rss


def _ms(values: list[float]) -> str:
    if not values:
        return "–"
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    return f"{statistics.median(values):.0f} / {p95:.0f}"


async def worker(args: argparse.Namespace) -> dict:
    """One run on a fresh process: the figures of one cap."""
    faiss.omp_set_num_threads(1)
    pool = await asyncpg.create_pool(args.url, min_size=1, max_size=2)
    repo = IngestRepository(pool)
    params = IndexParams(hnsw_threshold=args.hnsw_threshold)
    indexes = CollectionIndexes(repo, params, _NoEvents(), "bench", memory_cap_bytes=args.cap_mb * MB)  # type: ignore[arg-type]
    names = [file_collection(f"bench-{c:03d}") for c in range(args.collections)]
    query = np.random.default_rng(1).standard_normal((1, 384), dtype=np.float32)
    query /= np.linalg.norm(query)
    await repo.collection_version(names[0])  # the pool's connection is open
    baseline = _rss()
    first_loads: list[float] = []
    reloads: list[float] = []
    held_searches: list[float] = []

    async def search(name: str, loads: list[float]) -> bool:
        held = name in indexes.held
        started = time.perf_counter()
        await indexes.search(name, query, 5)
        (held_searches if held else loads).append((time.perf_counter() - started) * 1000)
        return not held

    for number in range(args.passes):
        for name in names:
            await search(name, first_loads if number == 0 else reloads)
    rng = random.Random(2)
    hot = names[: args.hot]
    hot_loads: list[float] = []
    for name in hot:  # brings the hot set in
        await search(name, hot_loads)
    hot_loads.clear()
    for _ in range(args.hot_searches):
        await search(rng.choice(hot), hot_loads)
    memory = indexes.memory
    result = {
        "cap_mb": args.cap_mb,
        "baseline_mb": baseline / MB,
        # ru_maxrss: kilobytes on Linux.
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "final_mb": _rss() / MB,
        "held_mb": memory.held_bytes / MB,
        "held": len(indexes.held),
        "evictions": memory.evictions,
        "first_load_ms": _ms(first_loads),
        "reload_ms": _ms(reloads),
        "held_search_ms": _ms(held_searches),
        "hot_reloads": len(hot_loads),
    }
    await pool.close()
    return result


def run_worker(url: str, args: argparse.Namespace, cap_mb: int) -> dict:
    command = [sys.executable, "-m", "bench.index_memory", "--worker", "--url", url, "--cap-mb", str(cap_mb)]
    for option in ("collections", "chunk_count", "passes", "hot", "hot_searches", "hnsw_threshold"):
        command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pg", durable=False)
        server.start()
        try:
            started = time.perf_counter()
            await seed(server.url, args.collections, args.chunk_count)
            seeded_s = time.perf_counter() - started
            # Into PostgreSQL's cache, so that the first run does not pay for the others' reads.
            warm = await asyncpg.connect(server.url)
            await warm.fetchval(
                "SELECT sum(length(e.vector)) FROM ingest_chunk c JOIN ingest_embedding e USING (text_hash)"
            )
            await warm.close()
            results = [run_worker(server.url, args, cap) for cap in (args.cap_mb, 0)]
        finally:
            server.stop()
    print(
        f"{args.collections} collections × {args.chunk_count} chunks (384-d, "
        f"{'HNSW' if args.chunk_count > args.hnsw_threshold else 'flat'}), {args.passes} passes round "
        f"robin, then {args.hot_searches} searches over a hot set of {args.hot}; seeded in {seeded_s:.0f} s\n"
    )
    print(
        "| cap MB | RSS before loads MB | peak RSS MB | final RSS MB | estimated held MB | copies held "
        "| evictions | first load ms p50/p95 | reload after eviction ms p50/p95 | search on a held copy "
        "ms p50/p95 | hot-set reloads |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['cap_mb'] or 'none'} | {r['baseline_mb']:.0f} | {r['peak_mb']:.0f} | {r['final_mb']:.0f} "
            f"| {r['held_mb']:.0f} | {r['held']} | {r['evictions']} | {r['first_load_ms']} "
            f"| {r['reload_ms']} | {r['held_search_ms']} | {r['hot_reloads']} |"
        )


async def gc_pass(args: argparse.Namespace) -> None:
    """One full pass of the embedding collector over a table of used and orphaned embeddings."""
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pg", durable=False)
        server.start()
        try:
            await seed(server.url, args.collections, args.chunk_count)
            pool = await asyncpg.create_pool(server.url, min_size=1, max_size=2)
            vectors = np.random.default_rng(3).standard_normal((args.orphans, 384), dtype=np.float32)
            async with pool.acquire() as conn:
                await conn.copy_records_to_table(
                    "ingest_embedding",
                    records=[
                        (hashlib.sha256(f"orphan {i}".encode()).digest(), v.tobytes())
                        for i, v in enumerate(vectors)
                    ],
                    columns=["text_hash", "vector"],
                )
                await conn.execute("VACUUM ANALYZE")
            for label in ("with orphans", "nothing left to collect"):
                collector = EmbeddingCollector(pool, args.gc_batch, 60)
                rounds: list[float] = []
                deleted = 0
                while True:
                    started = time.perf_counter()
                    done = await collector.collect_round()
                    rounds.append((time.perf_counter() - started) * 1000)
                    deleted += done.deleted
                    if collector.pass_done:
                        break
                rounds.sort()
                print(
                    f"| {label} | {args.chunk_count + (args.orphans if deleted else 0)} | {len(rounds)} "
                    f"| {statistics.median(rounds):.0f} | {rounds[-1]:.0f} | {sum(rounds) / 1000:.1f} "
                    f"| {deleted} |"
                )
            await pool.close()
        finally:
            server.stop()


def calibrate() -> None:
    """Resident bytes per vector of one index built in this process, against the estimate."""
    print("| kind | vectors | RSS bytes per vector | estimate | estimate / RSS |")
    print("|---|---|---|---|---|")
    for kind, count in (("flat", 20000), ("hnsw", 50000)):
        params = IndexParams(hnsw_threshold=count if kind == "flat" else count // 2)
        vectors = np.random.default_rng(0).standard_normal((count, params.dimension), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        release_freed_memory()
        before = _rss()
        index = VectorIndex.build(params, np.arange(count, dtype=np.int64), vectors)
        # The input vectors are freed: what stays is the index alone.
        input_bytes = vectors.nbytes
        del vectors
        release_freed_memory()
        measured = (_rss() - before + input_bytes) / count
        estimate = estimated_bytes(index.kind, index.stored, params) / count
        print(f"| {index.kind} | {count} | {measured:.0f} | {estimate:.0f} | {estimate / measured:.3f} |")
        del index
        release_freed_memory()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--collections", type=int, default=50)
    parser.add_argument("--chunk-count", type=int, default=20000)
    parser.add_argument("--cap-mb", type=int, default=512)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--hot", type=int, default=8, help="collections searched at random at the end")
    parser.add_argument("--hot-searches", type=int, default=200)
    parser.add_argument("--hnsw-threshold", type=int, default=20000)
    parser.add_argument("--calibrate", action="store_true", help="measure the estimate against RSS")
    parser.add_argument("--gc", action="store_true", help="time embedding GC passes instead")
    parser.add_argument("--orphans", type=int, default=100_000)
    parser.add_argument("--gc-batch", type=int, default=5000)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.calibrate:
        calibrate()
    elif arguments.gc:
        print(
            f"{arguments.collections} files × {arguments.chunk_count} chunks, batch {arguments.gc_batch}\n"
            "\n| table | embeddings | rounds | round p50 ms | round max ms | pass s | deleted |\n"
            "|---|---|---|---|---|---|---|"
        )
        asyncio.run(gc_pass(arguments))
    elif arguments.worker:
        print(json.dumps(asyncio.run(worker(arguments))))
    else:
        asyncio.run(main(arguments))
