"""Content update and file search benchmark, through the gateway.

Starts a stack in a temp DATA_DIR (embedded Postgres and NATS, the four services), signs up the first
user (admin), warms the model up with a small file, then:

1. uploads a 2 MB plain-text document of generated English prose (``bench/documents.py``, fixed
   seed) and times upload → ``completed`` (status polled every 50 ms): the first processing;
2. changes 1 % of its text and times ``POST /api/v1/files/{id}/data/content/update`` with the new
   text, for two kinds of edit: one contiguous block of 1 % of the characters (a section rewritten),
   and 1 % of the characters spread over scattered sentences (about 200 small edits, each in a
   different paragraph). Each edit starts from the original text (the file is put back between
   them, untimed). Reported: the update's time over the first processing's, and the chunk texts
   the update embedded (new ``ingest_embedding`` rows) out of the file's chunks;
3. ``GET /api/v1/files/search`` latency with 10,000 files: the file rows are **seeded by SQL**
   straight into ``ingest_file`` (no bytes, no chunks: search reads only the rows), then
   ``--queries`` searches per pattern, one at a time, as the admin (who searches every file).

    python bench/content_update.py --queries 200
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import psutil
import requests

from bench.documents import document
from services.common.infra import free_port
from services.stack import Stack, StackConfig

DOC_BYTES = 2 * 1024 * 1024
SEED = 2
SEEDED_FILES = 10_000
POLL_S = 0.05
PATTERNS = ("report-12*", "*-4711.txt", "REPORT-0?99.PDF", "*")


def ingest_process() -> psutil.Process:
    """The stack's ingest service (a child of this process)."""
    for child in psutil.Process().children(recursive=True):
        if "services.ingest.main" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("no ingest process")


def cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def signup(url: str) -> tuple[dict[str, str], str]:
    reply = requests.post(
        f"{url}/api/v1/auths/signup",
        json={"name": "Bench", "email": "bench@example.com", "password": "bench password"},
        timeout=30,
    )
    reply.raise_for_status()
    body = reply.json()
    return {"Authorization": f"Bearer {body['token']}"}, body["id"]


def upload_processed(url: str, headers: dict[str, str], name: str, data: bytes) -> tuple[str, float]:
    started = time.perf_counter()
    reply = requests.post(
        f"{url}/api/v1/files/", headers=headers, files={"file": (name, data, "text/plain")}, timeout=120
    )
    reply.raise_for_status()
    file_id = reply.json()["id"]
    while True:
        status = requests.get(f"{url}/api/v1/files/{file_id}/process/status", headers=headers, timeout=30)
        if status.json()["status"] in ("completed", "failed"):
            assert status.json()["status"] == "completed", status.text
            return file_id, time.perf_counter() - started
        time.sleep(POLL_S)


def update(url: str, headers: dict[str, str], file_id: str, text: str) -> float:
    started = time.perf_counter()
    reply = requests.post(
        f"{url}/api/v1/files/{file_id}/data/content/update",
        headers=headers,
        json={"content": text},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    reply.raise_for_status()
    return elapsed


def contiguous_edit(text: str, rng: random.Random) -> str:
    """One block of 1 % of the characters, from a paragraph start in the middle, rewritten."""
    target = len(text) // 100
    start = text.index("\n\n", len(text) // 2) + 2
    end = text.index("\n\n", start + target)
    block = text[start:end].split(" ")
    rng.shuffle(block)
    return text[:start] + " ".join(block) + text[end:]


def scattered_edit(text: str, rng: random.Random) -> str:
    """1 % of the characters changed, one sentence each in scattered paragraphs."""
    paragraphs = text.split("\n\n")
    order = list(range(len(paragraphs)))
    rng.shuffle(order)
    target, changed = len(text) // 100, 0
    for index in order:
        if changed >= target:
            break
        sentences = paragraphs[index].split(". ")
        pick = rng.randrange(len(sentences))
        changed += len(sentences[pick])
        sentences[pick] = "Revised: " + " ".join(reversed(sentences[pick].split()))
        paragraphs[index] = ". ".join(sentences)
    return "\n\n".join(paragraphs)


EDITS = (("one contiguous block", contiguous_edit), ("scattered sentences", scattered_edit))


async def count(database_url: str, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def seed_files(database_url: str, user_id: str, total: int) -> None:
    """``total`` file rows (names like ``report-0042.pdf``), as uploads without bytes would leave."""
    conn = await asyncpg.connect(database_url)
    try:
        now = int(time.time())
        kinds = ("pdf", "txt", "md", "docx")
        await conn.copy_records_to_table(
            "ingest_file",
            records=[
                (
                    str(uuid.uuid4()),
                    user_id,
                    f"report-{n:04d}.{kinds[n % 4]}" if n % 10 else f"notes-{n}-4711.txt",
                    "text/plain",
                    1000 + n,
                    "completed",
                    f"The text of seeded file {n}.",
                    now,
                    now,
                )
                for n in range(total)
            ],
            columns=[
                "id",
                "user_id",
                "filename",
                "content_type",
                "size",
                "status",
                "content",
                "created_at",
                "updated_at",
            ],
        )
    finally:
        await conn.close()


def search_latency(url: str, headers: dict[str, str], pattern: str, queries: int) -> tuple[float, float, int]:
    times, found = [], 0
    for _ in range(queries):
        started = time.perf_counter()
        reply = requests.get(
            f"{url}/api/v1/files/search",
            headers=headers,
            params={"filename": pattern, "content": "false"},
            timeout=30,
        )
        times.append(time.perf_counter() - started)
        found = len(reply.json()) if reply.status_code == 200 else 0
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = StackConfig(data_dir=Path(tmp), port=free_port(), durable=True, log_dir=Path(tmp) / "logs")
        stack = Stack(config)
        stack.start()
        try:
            url = stack.gateway_url
            headers, user_id = signup(url)
            upload_processed(url, headers, "warm-up.txt", document(16 * 1024, 99).encode())

            ingest = ingest_process()
            original = document(DOC_BYTES, SEED)
            cpu_before = cpu_s(ingest)
            file_id, first_s = upload_processed(url, headers, "report.txt", original.encode())
            first_cpu = cpu_s(ingest) - cpu_before
            chunks = asyncio.run(
                count(stack.database_url, "SELECT count(*) FROM ingest_chunk WHERE file_id = $1", file_id)
            )
            print(f"2 MB document: {chunks} chunks, first processing {first_s:.2f} s (CPU {first_cpu:.1f} s)")
            print()
            print(
                "| edit (1 % of the text) | chunks embedded | update s | update / first (wall) "
                "| ingest CPU s | update / first (ingest CPU) |"
            )
            print("|---|---|---|---|---|---|")
            vectors = "SELECT count(*) FROM ingest_embedding"
            for name, edit in EDITS:
                changed = edit(original, random.Random(7))
                before = asyncio.run(count(stack.database_url, vectors))
                cpu_before = cpu_s(ingest)
                update_s = update(url, headers, file_id, changed)
                update_cpu = cpu_s(ingest) - cpu_before
                embedded = asyncio.run(count(stack.database_url, vectors)) - before
                print(
                    f"| {name} | {embedded} of {chunks} | {update_s:.2f} | {update_s / first_s * 100:.1f} % "
                    f"| {update_cpu:.1f} | {update_cpu / first_cpu * 100:.1f} % |"
                )
                # Back to the original (its vectors are all stored: nothing is embedded).
                update(url, headers, file_id, original)

            asyncio.run(seed_files(stack.database_url, user_id, SEEDED_FILES))
            total = requests.get(f"{url}/api/v1/files/count", headers=headers, timeout=30).json()
            print()
            print(f"files/search over {total} files ({SEEDED_FILES} seeded by SQL), {args.queries} each:")
            print()
            print("| pattern | files returned (limit 100) | p50 ms | p95 ms |")
            print("|---|---|---|---|")
            for pattern in PATTERNS:
                p50, p95, found = search_latency(url, headers, pattern, args.queries)
                print(f"| `{pattern}` | {found} | {p50:.1f} | {p95:.1f} |")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
