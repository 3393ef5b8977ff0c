"""Vector index benchmark: build time, single-query latency, recall@5 and memory by collection size.

For each size, builds a ``VectorIndex`` (default ``IndexParams``: flat up to 20,000 vectors, HNSW
above) from clustered synthetic 384-d unit vectors (``bench/clustered_vectors.py``) with sparse
int64 ids, then runs single k=5 queries drawn the same way but not in the index, one at a time, and
compares their results with exact search (``IndexFlatIP``). faiss runs on one thread, as the ingest
service configures it. Prints one Markdown table row per size.

    python bench/vector_index.py --sizes 10000 100000 --queries 500
"""

import argparse
import os
import statistics
import time

import faiss
import numpy as np
import psutil

from bench.clustered_vectors import cluster_centres, clustered_vectors
from services.ingest.vector_index import IndexParams, VectorIndex

K = 5


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[max(0, int(len(sorted_values) * fraction) - 1)]


def single_query_latencies_ms(search, queries: np.ndarray) -> list[float]:
    latencies = []
    for query in queries:
        started = time.perf_counter()
        search(query)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return latencies


def measure(size: int, queries_count: int, seed: int, centres_count: int, sigma: float) -> dict:
    rng = np.random.default_rng([seed, size])
    params = IndexParams()
    centres = cluster_centres(rng, centres_count, params.dimension)
    vectors = clustered_vectors(rng, centres, size, sigma)
    queries = clustered_vectors(rng, centres, queries_count, sigma)
    # Chunk ids as Postgres hands them out after some deletions: increasing, with gaps.
    ids = np.sort(rng.choice(10 * size, size=size, replace=False)).astype(np.int64)

    process = psutil.Process()
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    index = VectorIndex.build(params, ids, vectors)
    build_s = time.perf_counter() - started
    rss_mb = (process.memory_info().rss - rss_before) / 2**20

    latencies = single_query_latencies_ms(lambda query: index.search(query, K), queries)

    exact = faiss.IndexFlatIP(params.dimension)
    exact.add(vectors)
    exact_latencies = single_query_latencies_ms(lambda query: exact.search(query[np.newaxis], K), queries)
    _, truth = exact.search(queries, K)
    found = index.search(queries, K)
    hits = [
        len({label for label, _ in row} & set(ids[t].tolist())) for row, t in zip(found, truth, strict=True)
    ]
    recall = sum(hits) / (K * len(hits))
    return {
        "kind": index.kind,
        "build_s": build_s,
        "rss_mb": rss_mb,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "exact_p50_ms": statistics.median(exact_latencies),
        "recall": recall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000], help="vectors per index")
    parser.add_argument("--queries", type=int, default=500, help="single queries timed per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--centres", type=int, default=200, help="clusters the vectors are drawn around")
    parser.add_argument("--sigma", type=float, default=0.05, help="per-coordinate noise around a centre")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    print(
        f"faiss {faiss.__version__}, 1 OpenMP thread, {os.cpu_count()} CPUs; "
        f"{args.centres} centres, sigma {args.sigma}, {args.queries} queries, k={K}, seed {args.seed}"
    )
    print("| vectors | kind | build s | index RSS MB | p50 ms | p99 ms | exact p50 ms | recall@5 |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = measure(size, args.queries, args.seed, args.centres, args.sigma)
        print(
            f"| {size:,} | {r['kind']} | {r['build_s']:.2f} | {r['rss_mb']:.0f} | {r['p50_ms']:.3f} "
            f"| {r['p99_ms']:.3f} | {r['exact_p50_ms']:.3f} | {r['recall']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
