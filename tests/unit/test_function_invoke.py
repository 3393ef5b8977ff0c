"""Calling function code: injected kwargs, threads for sync code, timeouts, streams and manifolds."""

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing

import pytest

from services.inference.functions.invoke import (
    FunctionTimeout,
    _DaemonThreads,
    call_hook,
    is_stream,
    iterate_result,
    pipe_model_entries,
)
from services.inference.functions.loader import load_function

INJECTED = {"__user__": {"id": "u1"}, "__metadata__": {"chat_id": "c"}, "__id__": "f1", "__task__": None}


class Hooks:
    def __init__(self) -> None:
        self.thread: int | None = None

    def sync_inlet(self, body: dict, __user__: dict | None = None, __id__: str | None = None) -> dict:
        self.thread = threading.get_ident()
        return {**body, "user": __user__, "id": __id__}

    async def async_inlet(self, body: dict, __metadata__: dict | None = None) -> dict:
        self.thread = threading.get_ident()
        return {**body, "metadata": __metadata__}

    def everything(self, body: dict, **kwargs: object) -> dict:
        return {"body": body, "kwargs": kwargs}

    def keyword_only(self, body: dict, *, __task__: object = "unset", __user__: object = None) -> tuple:
        return (__task__, __user__)

    def sync_returning_coroutine(self, body: dict):
        return self.async_inlet(body)


async def test_sync_hook_runs_in_a_thread_with_only_named_kwargs() -> None:
    hooks = Hooks()
    result = await call_hook(hooks.sync_inlet, ({"a": 1},), INJECTED, 5)
    assert result == {"a": 1, "user": {"id": "u1"}, "id": "f1"}
    assert hooks.thread != threading.get_ident()


async def test_async_hook_runs_on_the_loop() -> None:
    hooks = Hooks()
    result = await call_hook(hooks.async_inlet, ({"a": 1},), INJECTED, 5)
    assert result == {"a": 1, "metadata": {"chat_id": "c"}}
    assert hooks.thread == threading.get_ident()


async def test_var_keyword_gets_every_injected_argument() -> None:
    result = await call_hook(Hooks().everything, ({"a": 1},), INJECTED, 5)
    assert result == {"body": {"a": 1}, "kwargs": INJECTED}


async def test_keyword_only_parameters_and_missing_injections() -> None:
    assert await call_hook(Hooks().keyword_only, ({},), {"__task__": "title"}, 5) == ("title", None)
    assert await call_hook(Hooks().keyword_only, ({},), {}, 5) == ("unset", None)


async def test_plain_functions_lambdas_and_returned_coroutines() -> None:
    assert await call_hook(lambda body: body + 1, (1,), INJECTED, 5) == 2
    assert await call_hook(Hooks().sync_returning_coroutine, ({},), INJECTED, 5) == {"metadata": None}


async def test_user_exceptions_propagate_unchanged() -> None:
    def boom(body: dict) -> dict:
        raise KeyError("missing")

    async def aboom(body: dict) -> dict:
        raise TimeoutError("the user's own timeout")

    with pytest.raises(KeyError, match="missing"):
        await call_hook(boom, ({},), {}, 5)
    with pytest.raises(TimeoutError, match="the user's own timeout") as info:
        await call_hook(aboom, ({},), {}, 5)
    assert not isinstance(info.value, FunctionTimeout)


async def test_hanging_async_hook_times_out_and_is_cancelled() -> None:
    cancelled = asyncio.Event()

    async def hang(body: dict) -> dict:
        try:
            await asyncio.sleep(10)
        finally:
            cancelled.set()
        return body

    started = time.monotonic()
    with pytest.raises(FunctionTimeout, match=r"^Function timed out after 0.2 s$"):
        await call_hook(hang, ({},), {}, 0.2)
    assert time.monotonic() - started < 1
    assert cancelled.is_set()


async def test_hanging_sync_hook_times_out_without_waiting_for_the_thread() -> None:
    release = threading.Event()

    def hang(body: dict) -> dict:
        release.wait(5)
        return body

    started = time.monotonic()
    try:
        with pytest.raises(FunctionTimeout, match=r"^Function timed out after 0.2 s$"):
            await call_hook(hang, ({},), {}, 0.2)
        assert time.monotonic() - started < 1
    finally:
        release.set()


async def test_sync_code_runs_on_daemon_threads_so_a_hang_cannot_block_exit() -> None:
    assert await call_hook(lambda body: threading.current_thread().daemon, ({},), {}, 5) is True


async def test_sys_exit_in_function_code_does_not_stop_the_service() -> None:
    def sync_exit(body: dict) -> None:
        raise SystemExit(1)

    async def async_exit(body: dict) -> None:
        raise SystemExit(2)

    for fn in (sync_exit, async_exit):
        with pytest.raises(RuntimeError, match="Function code raised SystemExit"):
            await call_hook(fn, ({},), {}, 5)


async def test_thread_pool_is_capped_reuses_threads_and_ends_idle_ones() -> None:
    # Idle long enough that a loaded machine cannot end a thread between two sequential calls.
    pool = _DaemonThreads(max_threads=2, idle_s=1.0)
    release = threading.Event()
    names: list[int] = []

    def work(tag: int) -> int:
        names.append(threading.get_ident())
        return tag

    try:
        assert await pool.run(work, 1) == 1
        assert await pool.run(work, 2) == 2
        # Sequential calls reuse the one idle thread.
        assert names[0] == names[1]
        hung = [pool.run(release.wait, 5) for _ in range(2)]
        queued = pool.run(work, 3)
        # Both threads are held: the third call waits for one of them.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await asyncio.shield(queued)
        release.set()
        assert await asyncio.wait_for(queued, 5) == 3
        assert await asyncio.gather(*hung) == [True, True]
        # Idle threads leave; later calls start new ones.
        for _ in range(100):
            if not pool._threads:
                break
            await asyncio.sleep(0.1)
        assert pool._threads == 0
        assert await pool.run(work, 4) == 4
    finally:
        release.set()


async def test_generator_functions_are_called_directly() -> None:
    def gen(body: dict, __user__: dict | None = None) -> Iterator[str]:
        yield f"{body['x']}{__user__['id']}"

    async def agen(body: dict) -> AsyncIterator[str]:
        yield body["x"]

    result = await call_hook(gen, ({"x": "a"},), INJECTED, 5)
    assert is_stream(result)
    assert [item async for item in iterate_result(result, 5)] == ["au1"]
    result = await call_hook(agen, ({"x": "b"},), INJECTED, 5)
    assert [item async for item in iterate_result(result, 5)] == ["b"]


async def test_is_stream() -> None:
    assert is_stream(iter([1]))
    assert not is_stream("text")
    assert not is_stream({"choices": []})
    assert not is_stream([1, 2])


async def test_iterate_sync_generator_in_threads() -> None:
    threads: set[int] = set()

    def gen() -> Iterator[str]:
        for word in ("a", "b", "c"):
            threads.add(threading.get_ident())
            yield word

    assert [item async for item in iterate_result(gen(), 5)] == ["a", "b", "c"]
    assert threading.get_ident() not in threads
    assert [item async for item in iterate_result(iter([1, 2]), 5)] == [1, 2]


async def test_iterate_async_generator() -> None:
    async def gen() -> AsyncIterator[dict]:
        for n in range(3):
            await asyncio.sleep(0)
            yield {"n": n}

    assert [item async for item in iterate_result(gen(), 5)] == [{"n": 0}, {"n": 1}, {"n": 2}]


async def test_non_streams_yield_nothing() -> None:
    for value in ("text", {"a": 1}, None, [1, 2]):
        assert [item async for item in iterate_result(value, 5)] == []


async def test_errors_inside_generators_propagate() -> None:
    def gen() -> Iterator[str]:
        yield "a"
        raise RuntimeError("bad chunk")

    async def agen() -> AsyncIterator[str]:
        yield "a"
        raise RuntimeError("bad async chunk")

    items: list[object] = []
    with pytest.raises(RuntimeError, match="bad chunk"):
        async for item in iterate_result(gen(), 5):
            items.append(item)
    assert items == ["a"]
    with pytest.raises(RuntimeError, match="bad async chunk"):
        async for _ in iterate_result(agen(), 5):
            pass


async def test_each_async_item_is_bounded_and_the_generator_closed() -> None:
    closed = asyncio.Event()

    async def gen() -> AsyncIterator[str]:
        try:
            yield "first"
            await asyncio.sleep(0.15)
            yield "slow but in time"
            await asyncio.sleep(10)
            yield "never"
        finally:
            closed.set()

    items: list[object] = []
    with pytest.raises(FunctionTimeout, match=r"0\.2 s"):
        async for item in iterate_result(gen(), 0.2):
            items.append(item)
    assert items == ["first", "slow but in time"]
    assert closed.is_set()


async def test_each_sync_item_is_bounded() -> None:
    release = threading.Event()

    def gen() -> Iterator[str]:
        yield "first"
        release.wait(5)
        yield "late"

    items: list[object] = []
    try:
        with pytest.raises(FunctionTimeout):
            async for item in iterate_result(gen(), 0.2):
                items.append(item)
    finally:
        release.set()
    assert items == ["first"]


async def test_abandoned_iteration_closes_the_users_generators() -> None:
    async_closed = asyncio.Event()
    sync_closed = threading.Event()

    async def agen() -> AsyncIterator[int]:
        try:
            for n in range(100):
                yield n
        finally:
            async_closed.set()

    def gen() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            sync_closed.set()

    async with aclosing(iterate_result(agen(), 5)) as items:
        async for item in items:
            if item == 2:
                break
    assert async_closed.is_set()

    async with aclosing(iterate_result(gen(), 5)) as items:
        async for item in items:
            if item == 2:
                break
    assert sync_closed.is_set()


async def test_cancelled_consumer_closes_the_async_generator() -> None:
    closed = asyncio.Event()
    first = asyncio.Event()

    async def agen() -> AsyncIterator[int]:
        try:
            yield 1
            await asyncio.sleep(10)
            yield 2
        finally:
            closed.set()

    async def consume() -> None:
        async with aclosing(iterate_result(agen(), 5)) as items:
            async for _ in items:
                first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed.is_set()


PLAIN_PIPE = "class Pipe:\n    def pipe(self, body):\n        return 'x'\n"
LIST_MANIFOLD = (
    "class Pipe:\n"
    "    def __init__(self):\n"
    "        self.name = 'Acme: '\n"
    "        self.pipes = [{'id': 'small', 'name': 'Small'}, {'id': 'big', 'name': 'Big'}]\n"
)
SYNC_MANIFOLD = "class Pipe:\n    def pipes(self):\n        return [{'id': 'a', 'name': 'Model A'}]\n"
ASYNC_MANIFOLD = (
    "class Pipe:\n"
    "    name = 'X/'\n"
    "    async def pipes(self):\n"
    "        return [{'id': 'a', 'name': 'A'}, {'id': 'b'}, {'name': 'no id'}, 'junk']\n"
)


async def test_plain_pipe_is_one_model() -> None:
    assert await pipe_model_entries(load_function("echo", PLAIN_PIPE), "Echo", 5) == [("echo", "Echo")]


async def test_manifold_from_a_list_with_a_name_prefix() -> None:
    entries = await pipe_model_entries(load_function("acme", LIST_MANIFOLD), "Acme", 5)
    assert entries == [("acme.small", "Acme: Small"), ("acme.big", "Acme: Big")]


async def test_manifold_from_sync_and_async_callables() -> None:
    assert await pipe_model_entries(load_function("m", SYNC_MANIFOLD), "M", 5) == [("m.a", "Model A")]
    # Entries without an id are skipped; a missing name falls back to the id.
    entries = await pipe_model_entries(load_function("am", ASYNC_MANIFOLD), "AM", 5)
    assert entries == [("am.a", "X/A"), ("am.b", "X/b")]


async def test_failing_or_hanging_manifold_gives_no_models() -> None:
    failing = "class Pipe:\n    def pipes(self):\n        raise RuntimeError('upstream down')\n"
    assert await pipe_model_entries(load_function("bad", failing), "Bad", 5) == []
    hanging = "import asyncio\nclass Pipe:\n    async def pipes(self):\n        await asyncio.sleep(10)\n"
    started = time.monotonic()
    assert await pipe_model_entries(load_function("slow", hanging), "Slow", 0.2) == []
    assert time.monotonic() - started < 1
    not_a_list = "class Pipe:\n    pipes = {'id': 'a'}\n"
    assert await pipe_model_entries(load_function("odd", not_a_list), "Odd", 5) == []
