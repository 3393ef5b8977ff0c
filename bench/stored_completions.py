"""What tying a completion to a stored chat costs (issue 15, api-contract-2.md §1.4).

Starts the fake Ollama (``tests/fakes/ollama.py``, no pause between tokens, 8-token replies) as its
own process and a stack in a temp DATA_DIR (``durable=False`` unless ``--durable``) pointed at it,
signs up one user, and seeds one chat of ``--long`` messages straight into PostgreSQL (``COPY``,
the rows ``bench/chats.py`` writes: user and assistant in turn, 5–40 and 40–250 words), checked to
read back whole through ``GET /api/v1/chats/{id}``. Then, sequentially over HTTP with aiohttp,
round by round (each round runs every case once, in an order that rotates, so that the machine's
other work hits every case alike), ``POST /api/chat/completions``:

a. plain, not streamed (no chat tie);
b. tied to a small stored chat: ``chat_id``, a new ``id`` and a new ``user_message`` whose
   ``parentId`` is the previous reply (one turn appended per request; the prompt is rebuilt from
   the stored branch, which grows by two messages a round);
b'. the same, but every user message hangs under the chat's first reply (siblings), so that the
   branch, and so the prompt, stays three messages long;
c. the same in the long chat (its whole branch, 5,000+ messages, becomes the prompt);
c'. the long chat without ``user_message``: a new ``id`` under ``parent_id`` = the previous reply,
   the request's one message as the prompt (storing without the branch read and the big prompt);
d. a and b streamed (b streamed in a small chat of its own).

The storing cost is b − a and b' − a (c − a, c' − a for the long chat), given both as the
difference of the p50s and as the median of the per-round differences. Then, in process on the real
repositories (no HTTP, no gRPC): ``ChatTurns.begin`` + ``ChatTurns.finish`` of one turn with a user
message, in a small chat (turns as siblings) and in the long chat, the same without a user message,
and ``TurnRepository.branch`` of the long chat alone; last, the statements ``TurnRepository`` runs
for one turn, each timed at the client. Prints p50/p90/max of each, and the load average around the
timings. ``--durable`` starts PostgreSQL as ``make run`` does (fsync and synchronous commit on);
``--explain`` adds the plan of the long chat's branch read.

    python bench/stored_completions.py --rounds 100 [--durable] [--explain]
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson

from bench.chat import start_fake, stop
from bench.chats import Recorder, chat_form, copy, rows_of, stored, summary, topic_vocabulary
from services.common.identity import Identity
from services.common.infra import free_port
from services.inference.chats import turn_request
from services.inference.chats.reply_record import ReplyRecord
from services.inference.chats.repository import ChatRepository
from services.inference.chats.turn_repository import POOL_SETTINGS as TURN_POOL_SETTINGS
from services.inference.chats.turn_repository import TurnRepository
from services.inference.chats.turns import ChatTurns
from services.stack import Stack, StackConfig

MODEL = "llama3.2:latest"
MAX_BYTES = 8 * 1024 * 1024
PROMPT = "Why is the sky blue?"
WARM_UP_ROUNDS = 3


class Failed(Exception):
    """A completion answered with something other than 200, or not tied to its chat."""


class ChatThread:
    """A stored chat appended to one turn at a time: the reply the next user message hangs under."""

    def __init__(self, chat_id: str, last: str, chain: bool = True) -> None:
        self.chat_id = chat_id
        self.last = last
        # False: every turn hangs under the same reply (siblings), so that the branch stays short.
        self.chain = chain

    def appended(self, reply_id: str) -> None:
        if self.chain:
            self.last = reply_id


async def sign_up(session: aiohttp.ClientSession, url: str) -> dict:
    form = {"name": "Bench", "email": "bench@example.com", "password": "bench password"}
    async with session.post(f"{url}/api/v1/auths/signup", json=form) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.json()


async def small_chat(session: aiohttp.ClientSession, url: str, headers: dict) -> ChatThread:
    """A chat of one user message and its reply (as Open WebUI's frontend creates it)."""
    user_id, reply_id = str(uuid.uuid4()), str(uuid.uuid4())
    messages = {
        user_id: {
            "id": user_id,
            "parentId": None,
            "childrenIds": [reply_id],
            "role": "user",
            "content": PROMPT,
            "timestamp": int(time.time()),
        },
        reply_id: {
            "id": reply_id,
            "parentId": user_id,
            "childrenIds": [],
            "role": "assistant",
            "content": "Rayleigh scattering.",
            "model": MODEL,
            "done": True,
            "timestamp": int(time.time()),
        },
    }
    form = {
        "chat": {
            "title": "Small",
            "models": [MODEL],
            "history": {"messages": messages, "currentId": reply_id},
        }
    }
    async with session.post(f"{url}/api/v1/chats/new", json=form, headers=headers) as reply:
        assert reply.status == 200, await reply.text()
        return ChatThread((await reply.json())["id"], reply_id)


async def seed_long(
    session: aiohttp.ClientSession, url: str, headers: dict, database_url: str, identity: Identity, count: int
) -> ChatThread:
    """The long chat, written with ``COPY``; its rows are ``ChatService.create``'s for the form."""
    rng = random.Random(15)
    form = chat_form(rng, topic_vocabulary(rng)[0], count, int(time.time()) * 1000)
    started = time.perf_counter()
    chat = await stored(identity, form, int(time.time()))
    row, messages = rows_of(chat)
    conn = await asyncpg.connect(database_url)
    try:
        await copy(conn, [row], messages)
        await conn.execute("VACUUM ANALYZE inference_chat_message")
        size = await conn.fetchval("SELECT size_bytes FROM inference_chat WHERE id = $1", chat.row.id)
    finally:
        await conn.close()
    print(
        f"seeded a chat of {count} messages ({size / 2**20:.2f} MB) in {time.perf_counter() - started:.1f} s"
    )
    # It reads back as it was sent.
    async with session.get(f"{url}/api/v1/chats/{chat.row.id}", headers=headers) as reply:
        assert reply.status == 200, await reply.text()
        history = (await reply.json())["chat"]["history"]
    sent = form["chat"]["history"]
    assert history["currentId"] == sent["currentId"] and len(history["messages"]) == count
    for key, message in sent["messages"].items():
        got = history["messages"][key]
        for field in ("id", "parentId", "childrenIds", "role", "content"):
            assert got.get(field) == message[field], (key, field)
    print(
        "the seeded chat reads back whole through GET /api/v1/chats/{id} "
        f"({len(history['messages'])} messages)"
    )
    return ChatThread(chat.row.id, sent["currentId"])


def turn_body(thread: ChatThread, with_user_message: bool = True) -> tuple[dict, str]:
    """The fields that append one turn to ``thread``, and the new reply's id."""
    reply_id = str(uuid.uuid4())
    body: dict = {"chat_id": thread.chat_id, "id": reply_id}
    if with_user_message:
        body["user_message"] = {
            "id": str(uuid.uuid4()),
            "parentId": thread.last,
            "role": "user",
            "content": PROMPT,
        }
    else:
        body["parent_id"] = thread.last
    return body, reply_id


Case = Callable[[], Awaitable[float]]


def completion_case(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict,
    stream: bool,
    thread: ChatThread | None = None,
    with_user_message: bool = True,
) -> Case:
    async def once() -> float:
        body: dict = {"model": MODEL, "stream": stream, "messages": [{"role": "user", "content": PROMPT}]}
        reply_id = None
        if thread is not None:
            extra, reply_id = turn_body(thread, with_user_message)
            body.update(extra)
        started = time.perf_counter()
        async with session.post(f"{url}/api/chat/completions", json=body, headers=headers) as reply:
            data = await reply.read()
        elapsed = (time.perf_counter() - started) * 1000
        if reply.status != 200:
            raise Failed(f"{reply.status} after {elapsed:.0f} ms: {data[:200]!r}")
        if thread is not None:
            if reply.headers.get("X-Chat-Id") != thread.chat_id:
                raise Failed(f"no X-Chat-Id {thread.chat_id}: {dict(reply.headers)}")
            thread.appended(reply_id)  # type: ignore[arg-type]
        return elapsed

    return once


async def interleaved(cases: dict[str, Case], rounds: int) -> dict[str, list[float | None]]:
    """Every case once a round, in an order that rotates; None where a request failed."""
    names = list(cases)
    times: dict[str, list[float | None]] = {name: [] for name in names}
    failures: list[str] = []
    for n in range(WARM_UP_ROUNDS + rounds):
        shift = n % len(names)
        for name in names[shift:] + names[:shift]:
            try:
                elapsed: float | None = await cases[name]()
            except Failed as error:
                failures.append(f"{name}: {error}")
                elapsed = None
            if n >= WARM_UP_ROUNDS:
                times[name].append(elapsed)
    for failure in failures[:10]:
        print("failed:", failure, file=sys.stderr)
    return times


def row(name: str, values: list[float | None], note: str = "") -> str:
    ok = [v for v in values if v is not None]
    failed = len(values) - len(ok)
    if failed:
        note = f"{note}; {failed} failed".lstrip("; ")
    return summary(name, ok, note) if ok else f"| {name} | 0 | | | | {note} |"


def added(name: str, case: list[float | None], base: list[float | None]) -> str:
    """p50(case) − p50(base), and the median of the per-round differences."""
    pairs = [(c, b) for c, b in zip(case, base, strict=True) if c is not None and b is not None]
    of_p50s = statistics.median(c for c, _ in pairs) - statistics.median(b for _, b in pairs)
    per_round = statistics.median(c - b for c, b in pairs)
    return f"| {name} | {of_p50s:.2f} | {per_round:.2f} |"


async def over_http(
    session: aiohttp.ClientSession, url: str, headers: dict, long: ChatThread, rounds: int
) -> tuple[ChatThread, ChatThread]:
    small, small_streamed = await small_chat(session, url, headers), await small_chat(session, url, headers)
    siblings = await small_chat(session, url, headers)
    siblings.chain = False
    cases = {
        "a. plain": completion_case(session, url, headers, False),
        "b. small chat": completion_case(session, url, headers, False, small),
        "b'. small chat, turns as siblings": completion_case(session, url, headers, False, siblings),
        "c. long chat": completion_case(session, url, headers, False, long),
        "c'. long chat, no user_message": completion_case(session, url, headers, False, long, False),
        "a. plain, streamed": completion_case(session, url, headers, True),
        "b. small chat, streamed": completion_case(session, url, headers, True, small_streamed),
    }
    print("load average before the HTTP timings:", *(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    times = await interleaved(cases, rounds)
    print("load average after the HTTP timings:", *(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    print("\n| POST /api/chat/completions | n | p50 ms | p90 ms | max ms | |")
    print("|---|---|---|---|---|---|")
    for name, values in times.items():
        print(row(name, values))
    print("\n| storing cost | p50 − p50 of a, ms | median of per-round differences, ms |")
    print("|---|---|---|")
    plain, streamed = times["a. plain"], times["a. plain, streamed"]
    print(added("b − a (small chat)", times["b. small chat"], plain))
    print(added("b' − a (small chat, 3-message branch)", times["b'. small chat, turns as siblings"], plain))
    print(added("c − a (long chat)", times["c. long chat"], plain))
    print(added("c' − a (long chat, no user_message)", times["c'. long chat, no user_message"], plain))
    print(added("b − a, streamed", times["b. small chat, streamed"], streamed), flush=True)
    return small, small_streamed


async def check_stored(session: aiohttp.ClientSession, url: str, headers: dict, thread: ChatThread) -> int:
    """Every reply of the chat is stored and done; returns its message count."""
    async with session.get(f"{url}/api/v1/chats/{thread.chat_id}", headers=headers) as reply:
        history = (await reply.json())["chat"]["history"]
    messages = history["messages"]
    assert not thread.chain or history["currentId"] == thread.last, (history["currentId"], thread.last)
    replies = [m for m in messages.values() if m["role"] == "assistant"]
    assert all(m.get("done") is True and m.get("content") for m in replies)
    return len(messages)


async def check_sizes(database_url: str) -> None:
    """The size every chat's row keeps (what CHAT_MAX_BYTES is checked on) is its messages' size."""
    conn = await asyncpg.connect(database_url)
    try:
        wrong = await conn.fetch(
            "SELECT c.id, c.size_bytes, (SELECT coalesce(sum(octet_length(m.message::text)), 0) "
            "FROM inference_chat_message m WHERE m.chat_id = c.id) AS actual FROM inference_chat c"
        )
    finally:
        await conn.close()
    off = [(r["id"], r["size_bytes"], r["actual"]) for r in wrong if r["size_bytes"] != r["actual"]]
    assert not off, off
    print(f"every chat's size_bytes equals its messages' size ({len(wrong)} chats)")


def reply_record() -> ReplyRecord:
    """A finished 8-token reply, as the fake gives it."""
    record = ReplyRecord()
    body = {
        "model": MODEL,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "FAKE[model=…] t2 t3 t4 t5 t6 t7 t8"}}
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 8},
    }
    record.read_body(200, orjson.dumps(body))
    return record


class Timings:
    """Milliseconds per statement (its first words), gathered over a series of turns."""

    def __init__(self) -> None:
        self.by_label: dict[str, list[float]] = defaultdict(list)
        self.turns = 0
        self.warm_ups = 0

    def by_label_all(self) -> list[float | None]:
        return [t for values in self.by_label.values() for t in values]

    def add(self, label: str, started: float) -> None:
        self.by_label[label].append((time.perf_counter() - started) * 1000)


def label_of(sql: str) -> str:
    words = " ".join(sql.split())
    return words if len(words) <= 70 else words[:69] + "…"


class TimedTransaction:
    def __init__(self, inner: Any, timings: Timings) -> None:
        self._inner = inner
        self._timings = timings

    async def __aenter__(self) -> None:
        started = time.perf_counter()
        await self._inner.__aenter__()
        self._timings.add("BEGIN", started)

    async def __aexit__(self, *exc: object) -> Any:
        started = time.perf_counter()
        result = await self._inner.__aexit__(*exc)
        self._timings.add("COMMIT", started)
        return result


class TimedConnection:
    """An asyncpg connection that times each statement it runs for ``TurnRepository``."""

    def __init__(self, conn: asyncpg.Connection, timings: Timings) -> None:
        self._conn = conn
        self._timings = timings

    def transaction(self) -> TimedTransaction:
        return TimedTransaction(self._conn.transaction(), self._timings)

    async def _timed(self, method: str, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = await getattr(self._conn, method)(sql, *args)
        rows = f" ×{len(args[0])}" if method == "executemany" else ""
        self._timings.add(label_of(sql) + rows, started)
        return result

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        return await self._timed("fetchrow", sql, *args)

    async def fetch(self, sql: str, *args: Any) -> Any:
        return await self._timed("fetch", sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._timed("fetchval", sql, *args)

    async def execute(self, sql: str, *args: Any) -> Any:
        return await self._timed("execute", sql, *args)

    async def executemany(self, sql: str, rows: Any) -> Any:
        return await self._timed("executemany", sql, rows)


class TimedPool:
    """Stands for the pool ``TurnRepository`` is given, timing what it runs."""

    def __init__(self, pool: asyncpg.Pool, timings: Timings) -> None:
        self._pool = pool
        self._timings = timings

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[TimedConnection]:
        started = time.perf_counter()
        async with self._pool.acquire() as conn:
            self._timings.add("pool.acquire", started)
            yield TimedConnection(conn, self._timings)

    async def fetch(self, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = await self._pool.fetch(sql, *args)
        self._timings.add(label_of(sql), started)
        return result

    async def fetchval(self, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = await self._pool.fetchval(sql, *args)
        self._timings.add(label_of(sql), started)
        return result


def breakdown(title: str, timings: Timings, turns: list[float | None]) -> None:
    """Per statement: how often a turn runs it, its p50, and its share of a turn; then the whole
    turn (``begin`` + ``finish``) and what is spent outside the statements."""
    print(f"\n| {title} | per turn | p50 ms | p90 ms | total per turn, ms |")
    print("|---|---|---|---|---|")
    for label, values in timings.by_label.items():
        ordered = sorted(values)
        p90 = ordered[max(0, int(len(ordered) * 0.9 + 0.5) - 1)]
        per_turn = len(values) / timings.turns
        print(
            f"| `{label}` | {per_turn:.0f} | {statistics.median(ordered):.2f} | {p90:.2f} | "
            f"{sum(values) / timings.turns:.2f} |"
        )
    whole = [t for t in turns if t is not None]
    in_statements = sum(sum(values) for values in timings.by_label.values()) / timings.turns
    p50, mean = statistics.median(whole), statistics.mean(whole)
    print(f"| whole turn (begin + finish) | 1 | {p50:.2f} | | {mean:.2f} |")
    print(f"| outside the statements (mean) | | | | {mean - in_statements:.2f} |")


async def explain_branch(pool: asyncpg.Pool, long: ChatThread) -> None:
    """The plan of the long chat's branch read, as ``TurnRepository.branch`` runs it."""
    recorder = Recorder()
    await TurnRepository(recorder).branch(long.chat_id, long.last)  # type: ignore[arg-type]
    sql, args = recorder.calls[0]
    print(f"\n-- EXPLAIN (ANALYZE, BUFFERS) {' '.join(sql.split())}")
    for line in await pool.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args):
        print(line[0])


async def in_process(
    database_url: str, identity: Identity, small: ChatThread, long: ChatThread, rounds: int, explain: bool
) -> None:
    """``ChatTurns.begin`` + ``finish`` on the real repositories, without gRPC and HTTP. ``small``'s
    turns all hang under its first reply, so that its branch stays 3 messages deep."""
    # As the inference service opens the pool it gives TurnRepository.
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2, server_settings=TURN_POOL_SETTINGS)
    try:
        turns = ChatTurns(TurnRepository(pool), ChatRepository(pool), max_bytes=MAX_BYTES)
        record = reply_record()

        def turn_case(thread: ChatThread, with_user_message: bool) -> Case:
            async def once() -> float:
                fields, reply_id = turn_body(thread, with_user_message)
                body = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}], **fields}
                request = turn_request.parse(body, MODEL)
                assert request is not None
                started = time.perf_counter()
                turn = await turns.begin(identity, request, body, MODEL)
                await turns.finish(turn, record)
                elapsed = (time.perf_counter() - started) * 1000
                thread.appended(reply_id)
                return elapsed

            return once

        branch_timings = Timings()

        async def branch() -> float:
            started = time.perf_counter()
            await TurnRepository(TimedPool(pool, branch_timings)).branch(long.chat_id, long.last)  # type: ignore[arg-type]
            return (time.perf_counter() - started) * 1000

        def timed_turns(thread: ChatThread, with_user_message: bool, timings: Timings) -> Case:
            timed = ChatTurns(
                TurnRepository(TimedPool(pool, timings)),  # type: ignore[arg-type]
                ChatRepository(pool),
                max_bytes=MAX_BYTES,
            )

            async def once() -> float:
                fields, reply_id = turn_body(thread, with_user_message)
                body = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}], **fields}
                request = turn_request.parse(body, MODEL)
                assert request is not None
                started = time.perf_counter()
                turn = await timed.begin(identity, request, body, MODEL)
                await timed.finish(turn, record)
                elapsed = (time.perf_counter() - started) * 1000
                thread.appended(reply_id)
                if timings.warm_ups < WARM_UP_ROUNDS:
                    timings.warm_ups += 1
                    timings.by_label.clear()
                else:
                    timings.turns += 1
                return elapsed

            return once

        cases = {
            "begin + finish, small chat": turn_case(small, True),
            "begin + finish, long chat": turn_case(long, True),
            "begin + finish, small chat, no user_message": turn_case(small, False),
            "begin + finish, long chat, no user_message": turn_case(long, False),
            "TurnRepository.branch, long chat (in begin with a user_message)": branch,
        }
        print("\nload average before the in-process timings:", *(f"{x:.2f}" for x in os.getloadavg()))
        times = await interleaved(cases, rounds)
        print("load average after the in-process timings:", *(f"{x:.2f}" for x in os.getloadavg()))
        print("\n| in process | n | p50 ms | p90 ms | max ms | |")
        print("|---|---|---|---|---|---|")
        for name, values in times.items():
            print(row(name, values))
        # Warm-up rounds included: the statement's share of the branch read, the rest is decoding.
        print(
            row(
                "of which the branch's statement (the rest: decoding its rows)", branch_timings.by_label_all()
            )
        )
        if explain:
            await explain_branch(pool, long)
        # Where a turn's time goes: the statements TurnRepository runs, each timed at the client.
        long_timings, small_timings = Timings(), Timings()
        timed = await interleaved(
            {
                "long": timed_turns(long, True, long_timings),
                "small": timed_turns(small, True, small_timings),
            },
            max(10, rounds // 2),
        )
        breakdown("long chat, one turn with a user_message: statement", long_timings, timed["long"])
        breakdown("small chat, one turn with a user_message: statement", small_timings, timed["small"])
    finally:
        await pool.close()


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    url = stack.gateway_url
    database_url = stack.database_url or ""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        user = await sign_up(session, url)
        headers = {"Authorization": f"Bearer {user['token']}"}
        identity = Identity(user_id=user["id"], role=user["role"], name=user["name"])
        long = await seed_long(session, url, headers, database_url, identity, args.long)
        small, small_streamed = await over_http(session, url, headers, long, args.rounds)
        fresh = await small_chat(session, url, headers)
        fresh.chain = False
        await in_process(database_url, identity, fresh, long, args.rounds, args.explain)
        counts = [await check_stored(session, url, headers, t) for t in (small, small_streamed, long, fresh)]
        print(
            "\nafterwards every reply is stored and done; the chats hold "
            f"{', '.join(str(c) for c in counts)} messages (b, b streamed, long, in-process small)"
        )
        await check_sizes(database_url)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=100, help="timed rounds (3 untimed first)")
    parser.add_argument("--long", type=int, default=5_000, help="messages of the long chat")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="PostgreSQL with fsync and synchronous_commit on, as `make run` starts it (default: off)",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the long chat's branch read")
    args = parser.parse_args()
    fake, fake_url = start_fake(0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "OLLAMA_BASE_URLS": fake_url,
                "ENABLE_OPENAI_API": "false",
                "BCRYPT_ROUNDS": "4",
                "EMBEDDING_PRELOAD": "false",
                "LOG_LEVEL": "WARNING",
            }
            stack = Stack(
                StackConfig(
                    data_dir=Path(tmp),
                    port=free_port(),
                    durable=args.durable,
                    env=env,
                    log_dir=Path(tmp) / "logs",
                )
            )
            stack.start()
            try:
                asyncio.run(measure(stack, args))
            finally:
                stack.stop()
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
