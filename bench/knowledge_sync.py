"""Knowledge folder sync at size: ``sync/diff``, ``sync/cleanup`` and the directory-aware file listings,
through the gateway.

Starts a stack in a temp DATA_DIR (``durable=False``), signs up an admin, and seeds straight into
PostgreSQL (``COPY``, not the upload path: what is measured is the sync, not processing) one
knowledge collection with ``--files`` completed files spread over a tree of ``--dirs`` top
directories with ``--dirs`` subdirectories each (every file in a subdirectory, a tenth at the root).
Then, sequentially over HTTP with aiohttp, it times:

1. ``POST /sync/diff`` with the folder's exact manifest (every file unmodified);
2. ``POST /sync/diff`` with a changed manifest: a tenth of the files modified, a tenth missing, as
   many new ones in new directories;
3. ``GET /files`` (every file with its directory) and ``GET /files?directory_id=<a leaf>`` (the
   folder view), against ``GET /knowledge/{id}`` as a baseline;
4. ``POST /sync/cleanup`` of ``--cleanup`` files at a time (unlinked, then deleted: the caller owns
   them and nothing else links them), ``--cleanup-rounds`` times.

Prints p50/p90/max of each in ms.

    python bench/knowledge_sync.py --files 10000 --rounds 20
"""

import argparse
import asyncio
import hashlib
import math
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
import orjson

from services.common.infra import free_port
from services.stack import Stack, StackConfig


def summary(name: str, times_ms: list[float], note: str = "") -> str:
    ordered = sorted(times_ms)
    p90 = ordered[math.ceil(len(ordered) * 0.9) - 1]  # nearest rank
    p50 = statistics.median(ordered)
    return f"| {name} | {len(ordered)} | {p50:.1f} | {p90:.1f} | {ordered[-1]:.1f} | {note} |"


def digest(n: int, version: int = 0) -> str:
    return hashlib.sha256(f"file {n} version {version}".encode()).hexdigest()


async def seed(database_url: str, user_id: str, files: int, dirs: int) -> tuple[str, list[dict], list[str]]:
    """The collection's id, its manifest (one entry per file, as a client would send it), and the
    file ids in manifest order."""
    conn = await asyncpg.connect(database_url)
    try:
        stamp = int(time.time())
        kid = str(uuid.uuid4())
        await conn.execute(
            "INSERT INTO ingest_knowledge (id, user_id, name, description, created_at, updated_at) "
            "VALUES ($1, $2, 'synced', '', $3, $3)",
            kid,
            user_id,
            stamp,
        )
        directories, leaves = [], []
        for top in range(dirs):
            top_id = str(uuid.uuid4())
            directories.append((top_id, kid, None, f"top{top}", user_id, stamp, stamp))
            for sub in range(dirs):
                sub_id = str(uuid.uuid4())
                directories.append((sub_id, kid, top_id, f"sub{sub}", user_id, stamp, stamp))
                leaves.append((sub_id, f"top{top}/sub{sub}"))
        await conn.copy_records_to_table(
            "ingest_knowledge_dir",
            records=directories,
            columns=["id", "knowledge_id", "parent_id", "name", "user_id", "created_at", "updated_at"],
        )
        rows, links, manifest, ids = [], [], [], []
        for n in range(files):
            fid = str(uuid.uuid4())
            directory_id, path = (None, "") if n % 10 == 0 else leaves[n % len(leaves)]
            filename = f"note-{n}.md"
            rows.append(
                (
                    fid,
                    user_id,
                    filename,
                    "text/markdown",
                    100,
                    digest(n),
                    digest(n),
                    "completed",
                    "{}",
                    stamp,
                    stamp,
                )
            )
            links.append((kid, fid, stamp, directory_id))
            manifest.append({"filename": filename, "path": path, "checksum": digest(n), "size": 100})
            ids.append(fid)
        await conn.copy_records_to_table(
            "ingest_file",
            records=rows,
            columns=[
                "id",
                "user_id",
                "filename",
                "content_type",
                "size",
                "file_hash",
                "hash",
                "status",
                "client_meta",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "ingest_knowledge_file",
            records=links,
            columns=["knowledge_id", "file_id", "added_at", "directory_id"],
        )
        await conn.execute("ANALYZE ingest_file; ANALYZE ingest_knowledge_file; ANALYZE ingest_knowledge_dir")
        return kid, manifest, ids, leaves[0][0]
    finally:
        await conn.close()


async def timed(session: aiohttp.ClientSession, method: str, url: str, headers: dict, body: object = None):
    data = orjson.dumps(body) if body is not None else None
    started = time.perf_counter()
    async with session.request(method, url, data=data, headers=headers) as reply:
        raw = await reply.read()
        assert reply.status == 200, raw[:300]
    return (time.perf_counter() - started) * 1000, orjson.loads(raw), len(raw)


async def series(session, name: str, method: str, url: str, headers: dict, rounds: int, body=None) -> dict:
    times = []
    for n in range(rounds + 2):
        elapsed, parsed, size = await timed(session, method, url, headers, body)
        if n >= 2:
            times.append(elapsed)
    print(summary(name, times, f"{size} B"), flush=True)
    return parsed


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    url = stack.gateway_url
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:
        form = {"name": "Admin", "email": "admin@example.com", "password": "bench password"}
        async with session.post(f"{url}/api/v1/auths/signup", json=form) as reply:
            assert reply.status == 200, await reply.text()
            admin = await reply.json()
        headers = {"Authorization": f"Bearer {admin['token']}", "Content-Type": "application/json"}
        async with session.get(f"{url}/api/v1/knowledge/", headers=headers) as reply:
            assert reply.status == 200, await reply.text()
        kid, manifest, ids, leaf = await seed(stack.database_url or "", admin["id"], args.files, args.dirs)
        base = f"{url}/api/v1/knowledge/{kid}"
        print(
            f"{args.files} files in {args.dirs * (args.dirs + 1)} directories; "
            f"manifest {len(orjson.dumps(manifest))} B"
        )
        print("| request | n | p50 ms | p90 ms | max ms | note |\n|---|---|---|---|---|---|")

        same = await series(
            session,
            "sync/diff, all unmodified",
            "POST",
            f"{base}/sync/diff",
            headers,
            args.rounds,
            {"manifest": manifest},
        )
        assert same["unmodified_count"] == args.files, same["unmodified_count"]
        tenth = args.files // 10
        changed = [dict(e, checksum=digest(n, 1)) if n < tenth else e for n, e in enumerate(manifest)][
            : args.files - tenth
        ]
        changed += [
            {"filename": f"new-{n}.md", "path": f"fresh{n % 10}/inner", "checksum": digest(-n), "size": 1}
            for n in range(tenth)
        ]
        diff = await series(
            session,
            "sync/diff, 10 % modified, missing, new",
            "POST",
            f"{base}/sync/diff",
            headers,
            args.rounds,
            {"manifest": changed},
        )
        assert (len(diff["modified"]), len(diff["deleted"]), len(diff["added"])) == (tenth, tenth, tenth)

        await series(session, "GET /knowledge/{id} (baseline)", "GET", base, headers, args.rounds)
        await series(
            session,
            "GET /knowledge/{id}/files (with directories)",
            "GET",
            f"{base}/files",
            headers,
            args.rounds,
        )
        await series(
            session,
            "GET /knowledge/{id}/files?directory_id=<leaf>",
            "GET",
            f"{base}/files?directory_id={leaf}",
            headers,
            args.rounds,
        )

        times = []
        doomed = ids[-args.cleanup * args.cleanup_rounds :]
        for n in range(args.cleanup_rounds):
            batch = doomed[n * args.cleanup : (n + 1) * args.cleanup]
            elapsed, _, _ = await timed(session, "POST", f"{base}/sync/cleanup", headers, {"file_ids": batch})
            times.append(elapsed)
        print(summary(f"sync/cleanup of {args.cleanup} files (unlink + delete)", times), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--dirs", type=int, default=10, help="top directories, and subdirectories of each")
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per series")
    parser.add_argument("--cleanup", type=int, default=100, help="files per cleanup request")
    parser.add_argument("--cleanup-rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"BCRYPT_ROUNDS": "4", "EMBEDDING_PRELOAD": "false", "LOG_LEVEL": "WARNING"}
        stack = Stack(
            StackConfig(
                data_dir=Path(tmp), port=free_port(), durable=False, env=env, log_dir=Path(tmp) / "logs"
            )
        )
        stack.start()
        try:
            asyncio.run(measure(stack, args))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
