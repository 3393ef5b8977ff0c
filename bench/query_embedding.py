"""The bare model's time to embed one search question (what a RAG chat waits for most), by runtime,
precision and thread count, through ``Embedder.embed_queries`` as the search path calls it; then
an exact-query cache hit, and batch embedding (ingest's document path) on torch and OpenVINO.

Wall-clock p50/p90 and CPU milliseconds per query (process CPU time, which a busy machine blurs
less than wall time). The OpenVINO rows need the install-time export (``make`` writes it into the
venv; ``python -m services.ingest.model_export``).

    PYTHONPATH=.:gen .venv/bin/python bench/query_embedding.py --queries 200
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch

from bench.documents import document, sentences
from services.ingest.embedder import Embedder
from services.ingest.openvino_embedder import OpenVinoEmbedder, default_model_path, runtime_available


def measure(embed: Callable[[str], object], questions: list[str], warmup: int) -> tuple[float, float, float]:
    for question in questions[:warmup]:
        embed(question)
    times = []
    cpu_started = time.process_time()
    for question in questions[warmup:]:
        started = time.perf_counter()
        embed(question)
        times.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) * 1000 / len(times)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)], cpu


def row(label: str, threads: int, figures: tuple[float, float, float]) -> None:
    p50, p90, cpu = figures
    print(f"| {label} | {threads} | {p50:.2f} | {p90:.2f} | {cpu:.2f} |", flush=True)


def main(count: int, warmup: int, batches: int) -> None:
    # Sentences of the ingest benchmark's document (bench/documents.py): 25–35-token questions, each
    # different.
    every_sentence = sentences(document(256 * 1024, 2))
    questions = every_sentence[: count + warmup]
    all_threads = torch.get_num_threads()
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| query path | threads | p50 ms | p90 ms | CPU ms/query |")
    print("|---|---|---|---|---|")
    for precision in ("bfloat16", "float32"):
        embedder = Embedder(batch_size=32, precision=precision, runtime="torch")
        embedder.load()
        for threads in (all_threads, 1):
            torch.set_num_threads(threads)
            figures = measure(lambda q, e=embedder: e.embed_queries([q]), questions, warmup)
            row(f"torch {embedder.precision}", threads, figures)
    torch.set_num_threads(all_threads)
    path = default_model_path()
    if not runtime_available(path):
        print(f"no OpenVINO export at {path}: OpenVINO rows skipped")
        return
    for precision in ("bfloat16", "float32"):
        for threads in (0, 1):
            model = OpenVinoEmbedder(path, threads, precision)
            model.load()
            figures = measure(lambda q, m=model: m.embed_queries([q]), questions, warmup)
            row(f"openvino {model.precision}", threads or all_threads, figures)
    cached = Embedder(batch_size=32, query_cache_size=count + warmup)
    for question in questions:
        cached.embed_queries([question])
    figures = measure(lambda q: cached.embed_queries([q]), questions, warmup)
    row("exact-query cache hit", all_threads, figures)

    # Ingest's batches: 32 chunks of about 200 tokens (the splitter's usual size), chunks per second.
    chunks = [" ".join(every_sentence[i : i + 8]) for i in range(0, 32 * 8 * batches, 8)]
    print("\n| batch path (32 chunks of ~200 tokens) | chunks/s | CPU ms/chunk |")
    print("|---|---|---|")
    torch_embedder = Embedder(batch_size=32, runtime="torch")
    torch_embedder.load()
    openvino = OpenVinoEmbedder(path)
    openvino.load()
    for label, embed in (
        (f"torch {torch_embedder.precision}", torch_embedder.embed),
        (f"openvino {openvino.precision}", openvino.embed),
    ):
        embed(chunks[:32])
        started, cpu_started = time.perf_counter(), time.process_time()
        for i in range(0, len(chunks), 32):
            embed(chunks[i : i + 32])
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(f"| {label} | {len(chunks) / elapsed:.1f} | {cpu * 1000 / len(chunks):.2f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batches", type=int, default=4, help="32-chunk batches per batch case")
    arguments = parser.parse_args()
    main(arguments.queries, arguments.warmup, arguments.batches)
