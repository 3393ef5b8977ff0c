"""Batch embedding, torch against OpenVINO (ingest's document path): speed per CPU second and the
process's PSS, on the same chunks of the 2 MB document, in a fresh process.

    PYTHONPATH=.:gen .venv/bin/python bench/batch_embedding.py torch 256
    PYTHONPATH=.:gen .venv/bin/python bench/batch_embedding.py openvino 256 [--batch-tokens N]

Each run saves its vectors to /tmp/batch_embedding_<kind>.npy; with the torch ones there, the
openvino run also prints the cosine of each row to them.
"""

import argparse
import os
import time
from pathlib import Path

import numpy

from bench.documents import document
from services.ingest.chunking import split_pages
from services.ingest.extract import Page

BATCH = 32


def pss_mb() -> int:
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("torch", "openvino"))
    parser.add_argument("chunks", type=int, nargs="?", default=256)
    parser.add_argument("--batch-tokens", type=int, default=1024, help="openvino: padded tokens per batch")
    args = parser.parse_args()
    pages = [Page(text=document(2048 * 1024, 2), metadata={})]
    chunks = [c.text for c in split_pages(pages, chunk_size=1000, chunk_overlap=100, markdown_headers=False)]
    chunks = chunks[: args.chunks]
    print(f"{args.kind}: {len(chunks)} chunks; PSS before loading {pss_mb()} MB")
    from services.ingest.embedder import Embedder

    embedder = Embedder(BATCH, runtime=args.kind, batch_tokens=args.batch_tokens)
    embedder.load()
    embed = embedder.embed
    print(f"PSS loaded {pss_mb()} MB")
    embed(chunks[:BATCH])
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embed(chunks)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{args.kind}: {len(chunks) / wall:.1f} chunks/s wall, {len(chunks) / cpu:.1f} chunks per CPU s; "
        f"PSS after {pss_mb()} MB; load {os.getloadavg()[0]:.2f}"
    )
    numpy.save(f"/tmp/batch_embedding_{args.kind}.npy", vectors)
    other = Path("/tmp/batch_embedding_torch.npy")
    if args.kind == "openvino" and other.exists():
        reference = numpy.load(other)
        if reference.shape == vectors.shape:
            cosine = (reference * vectors).sum(axis=1)
            print(f"cosine to torch: min {cosine.min():.5f}, mean {cosine.mean():.5f}")


if __name__ == "__main__":
    main()
