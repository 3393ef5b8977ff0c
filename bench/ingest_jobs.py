"""Ingest jobs: upload a batch of 1,000 files through the gateway (gateway + ingest RSS growth),
then cancel the whole batch while every job is queued (time), and show that none of them ran.

Starts a stack in a temp DATA_DIR whose ingest service has no workers (every job stays queued),
uploads N small files with ``process=true&batch_id=…`` (8 at a time, the per-user upload limit)
while sampling both processes' RSS, times ``POST /api/v1/ingest/batches/{id}/cancel``, then
restarts ingest with one worker and waits for the JetStream queue to drain: every message is acked
and skipped, no job starts, no chunk is written.

    python bench/ingest_jobs.py --files 1000
"""

import argparse
import asyncio
import re
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp

from bench.memory_probes import RssSampler
from services.common.infra import free_port
from services.stack import Stack, StackConfig

CONCURRENCY = 8
WARM_UP = 50


async def signup(session: aiohttp.ClientSession, url: str, email: str) -> str:
    form = {"name": "Bench", "email": email, "password": "bench password"}
    async with session.post(f"{url}/api/v1/auths/signup", json=form) as reply:
        assert reply.status == 200, await reply.text()
        return (await reply.json())["token"]


async def upload_all(session: aiohttp.ClientSession, url: str, token: str, batch_id: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    todo = iter(range(count))

    async def one_by_one() -> None:
        for n in todo:
            form = aiohttp.FormData()
            text = f"Bench file {n}: {uuid.uuid4().hex} " * 8
            form.add_field("file", text.encode(), filename=f"f{n}.txt", content_type="text/plain")
            async with session.post(
                f"{url}/api/v1/files/?batch_id={batch_id}", data=form, headers=headers
            ) as r:
                assert r.status == 200, await r.text()

    await asyncio.gather(*(one_by_one() for _ in range(CONCURRENCY)))


def ingest_metrics(metrics_port: int) -> tuple[int, int]:
    """(queue depth, deliveries skipped) from the ingest replica's Prometheus endpoint."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    depth = re.search(r"^webui_ingest_queue_depth (\S+)$", text, re.M)
    skipped = re.search(r'^webui_ingest_job_duration_seconds_count\{outcome="skipped"\} (\S+)$', text, re.M)
    return (
        int(float(depth.group(1))) if depth else -1,
        int(float(skipped.group(1))) if skipped else 0,
    )


async def measure(stack: Stack, files: int) -> None:
    url = stack.gateway_url
    pids = {"gateway": stack.processes["gateway"].pid, "ingest": stack.processes["ingest"].pid}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        await signup(session, url, "admin@example.com")
        token = await signup(session, url, "user@example.com")
        headers = {"Authorization": f"Bearer {token}"}

        async def post(path: str) -> dict:
            async with session.post(f"{url}{path}", headers=headers) as reply:
                assert reply.status == 200, await reply.text()
                return await reply.json()

        warm = await post("/api/v1/ingest/batches")
        await upload_all(session, url, token, warm["id"], WARM_UP)
        await post(f"/api/v1/ingest/batches/{warm['id']}/cancel")
        batch = await post("/api/v1/ingest/batches")
        with RssSampler(pids, interval_s=0.05) as sampler:
            before = sampler.now_mb()
            started = time.perf_counter()
            await upload_all(session, url, token, batch["id"], files)
            took = time.perf_counter() - started
            after = sampler.now_mb()
        print(f"uploaded {files} files in {took:.1f} s ({files / took:.0f}/s)")
        for name in pids:
            print(
                f"  {name} RSS: before {before[name]:.0f} MB, peak {sampler.peak_mb[name]:.0f} MB, "
                f"after {after[name]:.0f} MB (growth {after[name] - before[name]:+.0f} MB)"
            )
        async with session.get(f"{url}/api/v1/ingest/batches/{batch['id']}", headers=headers) as reply:
            counts = (await reply.json())["counts"]
        print(f"  batch before cancel: {counts}")

        started = time.perf_counter()
        cancelled = await post(f"/api/v1/ingest/batches/{batch['id']}/cancel")
        took_ms = (time.perf_counter() - started) * 1000
        print(f"cancel batch of {cancelled['cancelled']} queued jobs: {took_ms:.0f} ms (HTTP round trip)")

    # One worker now: it takes every message, finds the job cancelled, acks and skips it.
    stack.config.process_env["ingest"] = {"INGEST_WORKERS": "1"}
    stack.kill_service("ingest")
    started = time.perf_counter()
    stack.restart_service("ingest")
    port = stack.metrics_ports["ingest"]
    # Every message of the batch and of the warm-up batch is delivered once and skipped.
    expected = files + WARM_UP
    depth, skipped = ingest_metrics(port)
    while (depth != 0 or skipped < expected) and time.perf_counter() - started < 120:
        await asyncio.sleep(0.2)
        depth, skipped = ingest_metrics(port)
    print(
        f"one worker skipped {skipped} cancelled messages, queue depth {depth}, "
        f"{time.perf_counter() - started:.1f} s after the restart began (process start included)"
    )
    listed = []
    async with aiohttp.ClientSession() as session:
        form = {"email": "user@example.com", "password": "bench password"}
        async with session.post(f"{url}/api/v1/auths/signin", json=form) as reply:
            token = (await reply.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(f"{url}/api/v1/ingest/batches/{batch['id']}", headers=headers) as reply:
            final = await reply.json()
        for state in ("running", "completed", "failed"):
            async with session.get(
                f"{url}/api/v1/ingest/jobs?state={state}&batch_id={batch['id']}", headers=headers
            ) as reply:
                listed.append((state, (await reply.json())["total"]))
    print(f"after the drain: batch counts {final['counts']}; jobs that ran: {dict(listed)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DEFAULT_USER_ROLE": "user", "BCRYPT_ROUNDS": "4", "EMBEDDING_PRELOAD": "false"}
        stack = Stack(
            StackConfig(
                data_dir=Path(tmp),
                port=free_port(),
                durable=False,
                env=env,
                log_dir=Path(tmp) / "logs",
                process_env={"ingest": {"INGEST_WORKERS": "0"}},
            )
        )
        stack.start()
        try:
            asyncio.run(measure(stack, args.files))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
