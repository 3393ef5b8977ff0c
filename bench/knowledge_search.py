"""Knowledge search at size: ``GET /api/v1/knowledge/search`` and ``/search/files`` through the gateway.

Starts a stack in a temp DATA_DIR (``durable=False``), signs up an admin and a user, and seeds
straight into PostgreSQL (``COPY``, not the upload path: processing 10,000 files would take the
embedding model most of an hour and is not what is measured): ``--collections`` knowledge
collections (a quarter the user's own, a quarter shared with the user by a read grant, half another
user's and unshared) and ``--files`` completed files with ~600 characters of text each, every file
linked to one collection. Filenames and texts draw words from a 200-word list, so that one word is
in about 1.5 % of the names. Then, sequentially over HTTP with aiohttp, it times (as the user and as
the admin, who reads every collection):

1. baseline: ``GET /api/v1/knowledge/`` (the existing list);
2. ``GET /api/v1/knowledge/search``: no query, a word, a word no collection has, ``view_option=shared``
   with ``order_by=name``;
3. ``GET /api/v1/knowledge/search/files``: no query (page 1 and page 100), a word in the filenames, a
   word no file has, and a word with ``include_content=true`` (a scan of every readable file's text).

Prints p50/p90/max of each in ms.

    python bench/knowledge_search.py --files 10000 --rounds 50
"""

import argparse
import asyncio
import hashlib
import math
import random
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

WORDS = [f"w{n:03d}" for n in range(200)]
OTHER_USER = "bench-other-user"


def summary(name: str, times_ms: list[float], note: str = "") -> str:
    ordered = sorted(times_ms)
    p90 = ordered[math.ceil(len(ordered) * 0.9) - 1]  # nearest rank
    p50 = statistics.median(ordered)
    return f"| {name} | {len(ordered)} | {p50:.2f} | {p90:.2f} | {ordered[-1]:.2f} | {note} |"


async def seed(database_url: str, user_id: str, collections: int, files: int, rng: random.Random) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        stamp = int(time.time())
        await conn.execute(
            "INSERT INTO ingest_user (id, name, email, role, updated_at) VALUES ($1, 'Other', "
            "'other@example.com', 'user', $2) ON CONFLICT DO NOTHING",
            OTHER_USER,
            stamp,
        )
        knowledge = []
        for n in range(collections):
            kid = str(uuid.uuid4())
            quarter = n % 4
            owner = user_id if quarter == 0 else OTHER_USER
            grants = (
                [{"principal_type": "user", "principal_id": user_id, "permission": "read"}]
                if quarter == 1
                else []
            )
            name = " ".join(rng.sample(WORDS, 3))
            knowledge.append(
                (
                    kid,
                    owner,
                    name,
                    f"collection {n} about {rng.choice(WORDS)}",
                    orjson.dumps(grants).decode(),
                    stamp - n,
                    stamp - n,
                )
            )
        await conn.copy_records_to_table(
            "ingest_knowledge",
            records=knowledge,
            columns=["id", "user_id", "name", "description", "access_grants", "created_at", "updated_at"],
        )
        rows, links = [], []
        for n in range(files):
            fid = str(uuid.uuid4())
            kid, owner = knowledge[n % collections][0], knowledge[n % collections][1]
            text = " ".join(rng.choices(WORDS, k=150))
            filename = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{n}.txt"
            digest = hashlib.sha256(text.encode()).hexdigest()
            rows.append(
                (
                    fid,
                    owner,
                    filename,
                    "text/plain",
                    len(text),
                    digest,
                    digest,
                    "completed",
                    text,
                    "{}",
                    stamp - n,
                    stamp - n,
                )
            )
            links.append((kid, fid, stamp - n))
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
                "content",
                "client_meta",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "ingest_knowledge_file", records=links, columns=["knowledge_id", "file_id", "added_at"]
        )
        await conn.execute("ANALYZE ingest_file; ANALYZE ingest_knowledge; ANALYZE ingest_knowledge_file")
    finally:
        await conn.close()


async def series(session: aiohttp.ClientSession, name: str, url: str, headers: dict, rounds: int) -> str:
    times = []
    total = None
    for n in range(rounds + 3):
        started = time.perf_counter()
        async with session.get(url, headers=headers) as reply:
            body = await reply.read()
            assert reply.status == 200, body[:300]
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
        parsed = orjson.loads(body)
        total = parsed.get("total") if isinstance(parsed, dict) else None
    line = summary(name, times, f"total {total}, {len(body)} B")
    print(line, flush=True)
    return line


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    url = stack.gateway_url
    rng = random.Random(args.seed)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def signup(name: str) -> dict:
            form = {"name": name, "email": f"{name.lower()}@example.com", "password": "bench password"}
            async with session.post(f"{url}/api/v1/auths/signup", json=form) as reply:
                assert reply.status == 200, await reply.text()
                return await reply.json()

        admin = await signup("Admin")
        admin_headers = {"Authorization": f"Bearer {admin['token']}"}
        user = await signup("User")
        async with session.post(
            f"{url}/api/v1/users/{user['id']}/update", json={"role": "user"}, headers=admin_headers
        ) as reply:
            assert reply.status == 200, await reply.text()
        # A role change ends the user's sessions: sign in again.
        form = {"email": "user@example.com", "password": "bench password"}
        async with session.post(f"{url}/api/v1/auths/signin", json=form) as reply:
            assert reply.status == 200, await reply.text()
            user_headers = {"Authorization": f"Bearer {(await reply.json())['token']}"}
        # The user's first call through ingest records their name (the `user` objects).
        async with session.get(f"{url}/api/v1/knowledge/", headers=user_headers) as reply:
            assert reply.status == 200, await reply.text()
        await seed(stack.database_url or "", user["id"], args.collections, args.files, rng)
        word = WORDS[7]
        print(f"{args.files} files in {args.collections} collections; word {word!r}")
        print("| request | n | p50 ms | p90 ms | max ms | note |\n|---|---|---|---|---|---|")
        for who, headers in (("user", user_headers), ("admin", admin_headers)):
            base = f"{url}/api/v1/knowledge"
            cases = [
                ("GET /knowledge/ (list, baseline)", f"{base}/"),
                ("GET /knowledge/search", f"{base}/search"),
                (f"GET /knowledge/search?query={word}", f"{base}/search?query={word}"),
                ("GET /knowledge/search?query=zzz (no match)", f"{base}/search?query=zzz"),
                (
                    "GET /knowledge/search?view_option=shared&order_by=name",
                    f"{base}/search?view_option=shared&order_by=name",
                ),
                ("GET /knowledge/search/files", f"{base}/search/files"),
                ("GET /knowledge/search/files?page=100", f"{base}/search/files?page=100"),
                (f"GET /knowledge/search/files?query={word}", f"{base}/search/files?query={word}"),
                ("GET /knowledge/search/files?query=zzz (no match)", f"{base}/search/files?query=zzz"),
                (
                    f"GET /knowledge/search/files?query={word}&include_content=true",
                    f"{base}/search/files?query={word}&include_content=true",
                ),
            ]
            for name, target in cases:
                rounds = args.content_rounds if "include_content" in target else args.rounds
                await series(session, f"{who}: {name}", target, headers, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--collections", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50, help="timed requests per series")
    parser.add_argument("--content-rounds", type=int, default=10, help="timed requests with include_content")
    parser.add_argument("--seed", type=int, default=19)
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
