"""The bare model's time to embed one search question (what a RAG chat waits for most), by
precision and torch thread count, through ``Embedder.embed_queries`` as the search path calls it.

    PYTHONPATH=.:gen .venv/bin/python bench/query_embedding.py --queries 200
"""

import argparse
import statistics
import time

import torch

from bench.documents import document, sentences
from services.ingest.embedder import Embedder


def main(count: int, warmup: int) -> None:
    # Sentences of the ingest benchmark's document (bench/documents.py): 25–35-token questions, each
    # different.
    questions = sentences(document(256 * 1024, 2))[: count + warmup]
    all_threads = torch.get_num_threads()
    print("| precision | threads | p50 ms | p90 ms |")
    print("|---|---|---|---|")
    for precision in ("bfloat16", "float32"):
        embedder = Embedder(batch_size=32, precision=precision)
        embedder.load()
        for threads in (all_threads, 1):
            torch.set_num_threads(threads)
            for question in questions[:warmup]:
                embedder.embed_queries([question])
            times = []
            for question in questions[warmup:]:
                started = time.perf_counter()
                embedder.embed_queries([question])
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p90 = times[int(len(times) * 0.9)]
            print(
                f"| {embedder.precision} | {threads} | {statistics.median(times):.2f} | {p90:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    arguments = parser.parse_args()
    main(arguments.queries, arguments.warmup)
