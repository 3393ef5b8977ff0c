"""Stored chats at size: list, search and append latencies through the gateway (issue 15).

Starts a stack in a temp DATA_DIR (``durable=False``), signs up one user and seeds their chats
straight into PostgreSQL (``COPY``): ``--chats`` chats of ``--messages`` messages each (varied text:
one of 40 topics per chat, so that a topic word is in about 2.5 % of the chats) and one chat of
``--long`` messages. The rows are the service's own: each chat goes through ``ChatService.create``
(its form parsing, splitting and authorship stamps) into a store that keeps it, and its rows are
the arguments ``ChatRepository`` would insert; one chat is also created over HTTP and its rows
compared with the seeder's. Then, sequentially over HTTP with aiohttp, it times:

1. baselines: ``GET /api/v1/auths/`` (an authenticated route with no gRPC call) and
   ``GET /api/v1/chats/all/tags`` (no tags: the gateway, one gRPC call and one indexed query);
2. ``GET /api/v1/chats/?page=1`` and ``GET /api/v1/chats/pinned`` (none pinned; after the searches
   again with ``PINNED`` chats pinned, unpinned before the appends);
3. ``GET /api/v1/chats/search?text=...``: a topic word, two topic words, a word no chat has, and a
   word every chat has;
4. ``GET /api/v1/chats/{id}`` of the long chat (what every append also reads and returns);
5. appending to the long chat: ``POST /api/v1/chats/{id}/messages/{new_id}`` with content, and
   ``POST /api/v1/chats/{id}`` with one new message (child of the last) in ``history.messages``;
6. in process, without gRPC and HTTP: ``ChatRepository.load`` of the long chat and
   ``ChatService.upsert_message`` on the real repository.

Prints p50/p90/max of each (failed requests counted apart), and the load average around the
timings. ``--explain`` adds the statements behind the list, the search, the pinned list and the
long chat's load as ChatRepository builds them: each run three times, then EXPLAIN (ANALYZE,
BUFFERS) with ``plan_cache_mode`` auto and forced generic.

    python bench/chats.py --rounds 50 --search-rounds 10 [--explain]
"""

import argparse
import asyncio
import math
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
import orjson

from services.common.forms.chats import ChatForm
from services.common.identity import Identity
from services.common.infra import free_port
from services.inference.chats.lists import ChatLists
from services.inference.chats.records import StoredChat
from services.inference.chats.repository import _ROW, ChatRepository, _row_args, message_args
from services.inference.chats.service import ChatService
from services.stack import Stack, StackConfig

MODEL = "llama3.2:latest"
PINNED = 20  # chats pinned for the second `GET /pinned` series
# Columns of the message rows, in the order of ``message_args`` and ``UPSERT_MESSAGE``.
MESSAGE_COLUMNS = (
    "chat_id",
    "id",
    "parent_id",
    "role",
    "user_id",
    "content_text",
    "message",
    "position",
    "created_at",
    "updated_at",
)
CHAT_COLUMNS = tuple(column.strip() for column in _ROW.split(","))


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words(
    "the of and to a in is it you that he was for on are with as I his they be at one have this from "
    "or had by not word but what some we can out other were all there when up use your how said an "
    "each she which do their time if will way about many then them write would like so these her long "
    "make thing see him two has look more day could go come did number sound no most people my over "
    "know water than call first who may down side been now find any new work part take get place made "
    "live where after back little only round man year came show every good me give our under name very "
    "through just form sentence great think say help low line differ turn cause much mean before move "
    "right boy old too same tell does set three want air well also play small end put home read hand "
    "port large spell add even land here must big high such follow act why ask men change went light "
    "kind off need house picture try us again animal point mother world near build self earth father"
)
SYLLABLES = _words(
    "ka lo mi ne ru sa ti vo ze pa qui der flo mar ten gri shan bel cor dix bu jo vek tal nim "
    "sor gue hap ye wil oz ib"
)


def topic_vocabulary(rng: random.Random, topics: int = 40, words: int = 30) -> list[list[str]]:
    """Per topic, its own words (made up, so that a topic word is in that topic's chats only). No
    word is part of another (nor of a common word), so that a substring search for one finds it
    alone, as a search for a real word mostly does."""
    made: list[str] = []
    vocab = []
    for _ in range(topics):
        topic: list[str] = []
        while len(topic) < words:
            word = "".join(rng.choice(SYLLABLES) for _ in range(3))
            if any(word in other or other in word for other in made) or any(word in c for c in COMMON):
                continue
            made.append(word)
            topic.append(word)
        vocab.append(topic)
    return vocab


def sentence(rng: random.Random, topic: list[str], words: int) -> str:
    picked = [rng.choice(topic) if rng.random() < 0.3 else rng.choice(COMMON) for _ in range(words)]
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice(".?.!.")


def paragraph(rng: random.Random, topic: list[str], low: int, high: int) -> str:
    total = rng.randint(low, high)
    parts = []
    while total > 0:
        n = min(total, rng.randint(6, 18))
        parts.append(sentence(rng, topic, n))
        total -= n
    return " ".join(parts)


def chat_form(rng: random.Random, topic: list[str], count: int, started_ms: int) -> dict:
    """A chat as Open WebUI's frontend sends it to ``POST /new``: a linear thread in
    ``history.messages``, user and assistant in turn."""
    messages: dict[str, dict] = {}
    parent = None
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]
    for i, key in enumerate(ids):
        child = [ids[i + 1]] if i + 1 < count else []
        stamp = started_ms // 1000 + i * 20
        if i % 2 == 0:
            message = {
                "id": key,
                "parentId": parent,
                "childrenIds": child,
                "role": "user",
                "content": paragraph(rng, topic, 5, 40),
                "timestamp": stamp,
                "models": [MODEL],
            }
        else:
            message = {
                "id": key,
                "parentId": parent,
                "childrenIds": child,
                "role": "assistant",
                "content": paragraph(rng, topic, 40, 250),
                "model": MODEL,
                "modelName": MODEL,
                "modelIdx": 0,
                "timestamp": stamp,
                "done": True,
            }
        messages[key] = message
        parent = key
    title = " ".join(rng.choice(topic) for _ in range(rng.randint(2, 5))).capitalize()
    return {
        "chat": {
            "id": "",
            "title": title,
            "models": [MODEL],
            "params": {},
            "history": {"messages": messages, "currentId": parent},
            "tags": [],
            "timestamp": started_ms,
        }
    }


async def pin(database_url: str, identity: Identity, count: int) -> None:
    """Pins ``count`` of the user's chats (spread over their ages), the others unpinned."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "UPDATE inference_chat SET pinned = false WHERE user_id = $1 AND pinned", identity.user_id
            )
            await conn.execute(
                "UPDATE inference_chat SET pinned = true WHERE id IN ("
                "  SELECT id FROM inference_chat WHERE user_id = $1 ORDER BY md5(id) LIMIT $2)",
                identity.user_id,
                count,
            )
    finally:
        await conn.close()


class Keep:
    """A ChatStore that only keeps what ``insert`` is given."""

    def __init__(self) -> None:
        self.chat: StoredChat | None = None

    async def insert(self, chat: StoredChat) -> None:
        self.chat = chat


def raw_form(form: dict) -> bytes:
    """The bytes the gateway sends for a form (``orjson.dumps(form.model_dump())``)."""
    return orjson.dumps(ChatForm.model_validate(form).model_dump())


async def stored(identity: Identity, form: dict, now: int) -> StoredChat:
    keep = Keep()
    service = ChatService(keep, admin_access=True, max_bytes=8 * 1024 * 1024, clock=lambda: now)  # type: ignore[arg-type]
    await service.create(identity, raw_form(form))
    assert keep.chat is not None
    return keep.chat


def rows_of(chat: StoredChat) -> tuple[tuple, list[tuple]]:
    row = chat.row
    # ``message_args`` ends with ``now``, which the statement writes as both timestamps.
    return (*_row_args(row), 0), [
        (*args, args[-1])
        for args in (
            message_args(row.id, key, message, chat.positions[key], row.updated_at)
            for key, message in chat.messages.items()
        )
    ]


async def copy(conn: asyncpg.Connection, chats: list[tuple], messages: list[tuple]) -> None:
    async with conn.transaction():
        await conn.copy_records_to_table("inference_chat", records=chats, columns=CHAT_COLUMNS)
        await conn.copy_records_to_table("inference_chat_message", records=messages, columns=MESSAGE_COLUMNS)


async def seed(
    database_url: str, identity: Identity, chats: int, per_chat: int, long: int, rng: random.Random
) -> tuple[str, list[list[str]]]:
    """Seeds the user's chats; returns the long chat's id and the topic vocabulary."""
    vocab = topic_vocabulary(rng)
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        base = int(time.time()) - chats * 60
        batch_chats: list[tuple] = []
        batch_messages: list[tuple] = []
        for n in range(chats):
            now = base + n * 60
            chat = await stored(identity, chat_form(rng, rng.choice(vocab), per_chat, now * 1000), now)
            row, messages = rows_of(chat)
            batch_chats.append(row)
            batch_messages.extend(messages)
            if len(batch_chats) == 500:
                await copy(conn, batch_chats, batch_messages)
                batch_chats, batch_messages = [], []
        now = base - 3600  # the long chat is old: it is not on the first page
        chat = await stored(identity, chat_form(rng, rng.choice(vocab), long, now * 1000), now)
        row, messages = rows_of(chat)
        batch_chats.append(row)
        batch_messages.extend(messages)
        await copy(conn, batch_chats, batch_messages)
        seeded = time.perf_counter() - started
        # The state autovacuum would leave (GIN pending lists merged, statistics, visibility map), so
        # that no autovacuum of the 200,000 new rows runs beside the measurements.
        await conn.execute("VACUUM ANALYZE inference_chat")
        await conn.execute("VACUUM ANALYZE inference_chat_message")
        count = await conn.fetchval("SELECT count(*) FROM inference_chat_message")
        size = await conn.fetchval("SELECT pg_size_pretty(pg_total_relation_size('inference_chat_message'))")
        print(
            f"seeded {chats + 1} chats, {count} messages ({size} with indexes) in {seeded:.0f} s", flush=True
        )
        return chat.row.id, vocab
    finally:
        await conn.close()


async def check_rows(
    session: aiohttp.ClientSession, url: str, headers: dict, database_url: str, identity: Identity
) -> None:
    """One chat created over HTTP has the rows the seeder writes for the same form (ids and times
    aside)."""
    form = chat_form(random.Random(7), topic_vocabulary(random.Random(7))[0], 6, int(time.time()) * 1000)
    async with session.post(f"{url}/api/v1/chats/new", json=form, headers=headers) as reply:
        assert reply.status == 200, await reply.text()
        chat_id = (await reply.json())["id"]
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(f"SELECT {_ROW} FROM inference_chat WHERE id = $1", chat_id)
        messages = await conn.fetch(
            f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM inference_chat_message WHERE chat_id = $1 "
            "ORDER BY position",
            chat_id,
        )
        await conn.execute("DELETE FROM inference_chat WHERE id = $1", chat_id)
    finally:
        await conn.close()
    mine = await stored(identity, form, row["created_at"])
    my_row, my_messages = rows_of(mine)
    skip_row = {"id", "created_at", "updated_at"}
    for column, value in zip(CHAT_COLUMNS, my_row, strict=True):
        if column not in skip_row:
            assert row[column] == value, (column, row[column], value)
    assert len(messages) == len(my_messages)
    for theirs, ours in zip(messages, my_messages, strict=True):
        for column, value in zip(MESSAGE_COLUMNS, ours, strict=True):
            if column not in {"chat_id", "created_at", "updated_at"}:
                assert theirs[column] == value, (column, theirs[column], value)
    print("seeded rows match a chat created over HTTP", flush=True)


async def timed(
    session: aiohttp.ClientSession, method: str, url: str, headers: dict, body: object = None
) -> tuple[float, bytes]:
    """Milliseconds and the reply's body; a reply other than 200 is a RequestFailed."""
    started = time.perf_counter()
    async with session.request(method, url, json=body, headers=headers) as reply:
        data = await reply.read()
    elapsed = (time.perf_counter() - started) * 1000
    if reply.status != 200:
        raise RequestFailed(reply.status, elapsed, data)
    return elapsed, data


class RequestFailed(Exception):
    def __init__(self, status: int, elapsed_ms: float, body: bytes) -> None:
        super().__init__(f"{status} after {elapsed_ms:.0f} ms: {body[:200]!r}")
        self.status = status
        self.elapsed_ms = elapsed_ms


def summary(name: str, times_ms: list[float], note: str = "") -> str:
    ordered = sorted(times_ms)
    p90 = ordered[math.ceil(len(ordered) * 0.9) - 1]  # nearest rank
    p50 = statistics.median(ordered)
    return f"| {name} | {len(ordered)} | {p50:.2f} | {p90:.2f} | {ordered[-1]:.2f} | {note} |"


async def series(name: str, rounds: int, request: "object", note: str = "") -> str:
    """Times ``request`` ``rounds`` times after 3 untimed; failed requests are counted (with their
    status and time) and left out of the figures."""
    failed: list[str] = []

    async def once() -> tuple[float, bytes] | None:
        try:
            return await request()  # type: ignore[operator]
        except RequestFailed as error:
            failed.append(f"{error.status} after {error.elapsed_ms:.0f} ms")
            return None

    for _ in range(3):  # warm-up
        await once()
    times = []
    size = 0
    for _ in range(rounds):
        result = await once()
        if result is not None:
            times.append(result[0])
            size = len(result[1])
    note = note or f"{size} B"
    if failed:
        note += f"; failed: {', '.join(failed)}"
    line = summary(name, times, note) if times else f"| {name} | 0 | | | | {note} |"
    print(line, flush=True)
    return line


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    url = stack.gateway_url
    rng = random.Random(args.seed)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        form = {"name": "Bench", "email": "bench@example.com", "password": "bench password"}
        async with session.post(f"{url}/api/v1/auths/signup", json=form) as reply:
            assert reply.status == 200, await reply.text()
            user = await reply.json()
        headers = {"Authorization": f"Bearer {user['token']}"}
        identity = Identity(user_id=user["id"], role=user["role"], name=user["name"])
        await check_rows(session, url, headers, stack.database_url or "", identity)
        long_id, vocab = await seed(
            stack.database_url or "", identity, args.chats, args.messages, args.long, rng
        )
        word = vocab[3][5]
        phrase = f"{vocab[3][5]} {vocab[3][6]}"
        api = f"{url}/api/v1"

        def get(path: str) -> "object":
            return lambda: timed(session, "GET", f"{api}{path}", headers)

        # The machine's other work shows here (2 cores: a load above ~1 beside us slows every figure).
        print("load average before the timings:", *(f"{x:.2f}" for x in os.getloadavg()), flush=True)
        print("| request | n | p50 ms | p90 ms | max ms | reply |")
        print("|---|---|---|---|---|---|")
        await series("GET /auths/ (baseline)", args.rounds, get("/auths/"))
        await series(
            "GET /chats/all/tags (none: gRPC + one indexed query)",
            args.rounds,
            get("/chats/all/tags"),
        )
        await series("GET /chats/pinned (none pinned)", args.rounds, get("/chats/pinned"))
        await series("GET /chats/?page=1", args.rounds, get("/chats/?page=1"))
        searches = [
            (f"{word} (topic word)", word),
            (f"{phrase} (2 words)", phrase),
            ("zyzzyva (no hit)", "zyzzyva"),
            ("house (common word)", "house"),
        ]
        for name, text in searches:
            await series(
                f"GET /chats/search?text={name}",
                args.search_rounds,
                get(f"/chats/search?text={text}"),
            )
        await pin(stack.database_url or "", identity, PINNED)
        await series(f"GET /chats/pinned ({PINNED} pinned)", args.rounds, get("/chats/pinned"))
        await pin(stack.database_url or "", identity, 0)

        async with session.get(f"{api}/chats/{long_id}", headers=headers) as reply:
            last = (await reply.json())["chat"]["history"]["currentId"]
        tail = {"last": last}

        def upsert() -> "object":
            key = str(uuid.uuid4())
            body = {"content": paragraph(rng, vocab[0], 40, 250)}
            return timed(session, "POST", f"{api}/chats/{long_id}/messages/{key}", headers, body)

        def update() -> "object":
            key = str(uuid.uuid4())
            message = {
                "id": key,
                "parentId": tail["last"],
                "childrenIds": [],
                "role": "user",
                "content": paragraph(rng, vocab[0], 5, 40),
                "timestamp": int(time.time()),
                "models": [MODEL],
            }
            tail["last"] = key
            body = {"chat": {"history": {"messages": {key: message}, "currentId": key}}}
            return timed(session, "POST", f"{api}/chats/{long_id}", headers, body)

        await series(f"GET /chats/{{id}} ({args.long} messages)", args.rounds, get(f"/chats/{long_id}"))
        await series("POST /chats/{id}/messages/{new_id} (append)", args.rounds, upsert)
        await series("POST /chats/{id} (one new message)", args.rounds, update)
        await series("GET /auths/ (baseline, again)", args.rounds, get("/auths/"))
        await in_process(stack.database_url or "", identity, long_id, args.rounds, rng, vocab[0])
        print("load average after the timings:", *(f"{x:.2f}" for x in os.getloadavg()), flush=True)
        if args.explain:
            await explain(stack.database_url or "", identity, long_id, word)


async def in_process(
    database_url: str, identity: Identity, long_id: str, rounds: int, rng: random.Random, topic: list[str]
) -> None:
    """The append's parts without gRPC and HTTP: ChatRepository.load of the long chat, and
    ChatService.upsert_message (load, change, save, view) on the real repository."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        repository = ChatRepository(pool)
        service = ChatService(repository, admin_access=True, max_bytes=8 * 1024 * 1024)

        async def load() -> tuple[float, bytes]:
            started = time.perf_counter()
            await repository.load(long_id)
            return (time.perf_counter() - started) * 1000, b""

        async def upsert() -> tuple[float, bytes]:
            content = paragraph(rng, topic, 40, 250)
            started = time.perf_counter()
            await service.upsert_message(identity, long_id, str(uuid.uuid4()), content, None)
            return (time.perf_counter() - started) * 1000, b""

        await series("in process: ChatRepository.load (long chat)", rounds, load, "-")
        await series("in process: ChatService.upsert_message (new id)", rounds, upsert, "-")
    finally:
        await pool.close()


class Recorder:
    """Stands for the pool: records the statement a ChatRepository method would run."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    async def fetch(self, sql: str, *args: object) -> list:
        self.calls.append((sql, args))
        return []


async def explain(database_url: str, identity: Identity, long_id: str, word: str) -> None:
    """EXPLAIN ANALYZE of the statements behind the list, the search, the pinned list and the long
    chat's load, as ChatRepository builds them (through ChatLists, as the service calls it)."""
    recorder = Recorder()
    repository = ChatRepository(recorder)  # type: ignore[arg-type]
    lists = ChatLists(repository)
    await lists.active(
        identity, page=1, include_pinned=False, include_folders=False, sort_by="updated_at", ascending=False
    )
    await lists.search(identity, word, 1)
    await lists.search(identity, "zyzzyva", 1)
    await repository.list_pinned(identity.user_id)
    statements = [(sql, args) for sql, args in recorder.calls if "inference_chat_tag" not in sql]
    statements.append(
        (
            "SELECT id, message, position FROM inference_chat_message WHERE chat_id = $1 "
            "ORDER BY position, id",
            (long_id,),
        )
    )
    conn = await asyncpg.connect(database_url)
    try:
        for sql, args in statements:
            # The statement itself, as the repository runs it (prepared), three times.
            times = []
            for _ in range(3):
                started = time.perf_counter()
                await conn.fetch(sql, *args)
                times.append((time.perf_counter() - started) * 1000)
            shown = ", ".join(f"{t:.1f}" for t in times)
            print(f"-- {sql[:60]}… args {[str(a)[:20] for a in args[:3]]}: {shown} ms")
        for mode in ("auto", "force_generic_plan"):
            # A statement asyncpg has prepared runs on the generic plan once PostgreSQL prefers it.
            await conn.execute(f"SET plan_cache_mode = {mode}")
            for sql, args in statements:
                plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
                print(f"\n-- plan_cache_mode={mode}: {sql}\n-- args: {[str(a)[:60] for a in args]}")
                for line in plan:
                    print(line[0])
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20, help="messages per chat")
    parser.add_argument("--long", type=int, default=5_000, help="messages of the long chat")
    parser.add_argument("--rounds", type=int, default=50, help="timed requests per series")
    parser.add_argument("--search-rounds", type=int, default=10, help="timed requests per search")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the statements at the end")
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
