"""How long a search question waits while a document is being embedded in the same process.

The model runs one inference at a time and questions go first (``openvino_embedder``): a question
waits for the batch already running, no more. This embeds the 2 MB document's first chunks in a
loop on one thread and asks questions on another, then the same questions with the model idle.

    PYTHONPATH=.:gen .venv/bin/python bench/question_wait.py [--batch-tokens 1024]
"""

import argparse
import os
import statistics
import threading
import time

from bench.documents import document
from services.ingest.chunking import split_pages
from services.ingest.extract import Page
from services.ingest.openvino_embedder import OpenVinoEmbedder, default_model_path


def latencies(embedder: OpenVinoEmbedder, questions: list[str]) -> list[float]:
    times = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed_queries([question])
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.01)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-tokens", type=int, default=1024)
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()
    pages = [Page(text=document(2048 * 1024, 2), metadata={})]
    chunks = [c.text for c in split_pages(pages, chunk_size=1000, chunk_overlap=100, markdown_headers=False)]
    embedder = OpenVinoEmbedder(default_model_path(), batch_tokens=args.batch_tokens)
    embedder.load()
    embedder.embed(chunks[:64])
    questions = [f"what does section {i} say about topic {i % 7}?" for i in range(args.questions)]
    idle = latencies(embedder, questions)
    stop = threading.Event()

    def documents() -> None:
        while not stop.is_set():
            embedder.embed(chunks[:64])

    worker = threading.Thread(target=documents)
    worker.start()
    time.sleep(0.5)
    busy = latencies(embedder, questions)
    stop.set()
    worker.join()
    for label, times in (("idle", idle), ("while a document is embedded", busy)):
        p95 = times[int(len(times) * 0.95)]
        print(f"{label}: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
    print(f"batch tokens {args.batch_tokens}; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
