"""Calling function code: injected keyword arguments, worker threads for sync code, timeouts."""

import asyncio
import contextvars
import inspect
import logging
import queue
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing, suppress
from dataclasses import dataclass

from services.inference.functions.loader import (
    FUNCTION_CLASSES,
    FunctionLoadError,
    LoadedFunction,
    load_function,
)

log = logging.getLogger(__name__)


class FunctionTimeout(Exception):
    """The function's code ran past its timeout (sync code keeps running in its thread)."""


def _timed_out(timeout_s: float) -> FunctionTimeout:
    return FunctionTimeout(f"Function timed out after {timeout_s:g} s")


@dataclass(frozen=True)
class _Shape:
    """What call_hook needs to know of a callable's signature."""

    # The keyword parameters a caller may fill by name.
    names: frozenset[str]
    # It takes ``**kwargs``: every injected argument is passed.
    var_keyword: bool
    # ``async def``: awaited on the event loop.
    is_async: bool
    # A (sync or async) generator function: calling it only builds the generator, no thread needed.
    is_generator: bool


# Signatures cost ~12 µs to inspect and hooks run on every request (``stream`` on every chunk);
# this memo holds one entry per user function, dropped with the function when its module goes.
_SHAPES: "weakref.WeakKeyDictionary[Callable, _Shape]" = weakref.WeakKeyDictionary()

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


async def call_hook(fn: Callable, args: tuple, injected: dict[str, object], timeout_s: float) -> object:
    """Call ``fn(*args, **those of injected it names)`` with the whole call bounded by timeout_s.

    Functions with ``**kwargs`` get all of ``injected``. ``async def`` functions are awaited on the
    loop; sync ones run in a daemon thread (they may block); a returned awaitable is awaited too.
    Raises FunctionTimeout; exceptions of the function's own code propagate unchanged.
    """
    shape = _shape(fn)
    if shape.var_keyword:
        kwargs = injected
    else:
        kwargs = {name: value for name, value in injected.items() if name in shape.names}
    timeout = asyncio.timeout(timeout_s)
    try:
        async with timeout:
            if shape.is_async:
                return await fn(*args, **kwargs)
            if shape.is_generator:
                return fn(*args, **kwargs)
            result = await _CODE_THREADS.run(fn, *args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result
    except TimeoutError:
        # Only our own deadline becomes FunctionTimeout; a TimeoutError of the user's code is theirs.
        if timeout.expired():
            raise _timed_out(timeout_s) from None
        raise
    except SystemExit as exc:
        raise _contained(exc) from exc


def is_stream(result: object) -> bool:
    """Whether a pipe's result is streamed (a sync or async iterator / generator)."""
    return isinstance(result, (Iterator, AsyncIterator))


async def iterate_result(result: object, timeout_s: float) -> AsyncIterator[object]:
    """The items of a sync or async generator / iterator, each one bounded by timeout_s.

    Each ``next()`` of sync code runs in a daemon thread. Anything that is not an iterator (str,
    dict, pydantic model…) yields nothing: the caller handles those itself (see ``is_stream``).
    When the iteration ends early (the consumer stops, is cancelled, or an item times out) the
    user's generator is closed so that its ``finally`` blocks run. Consumers that may stop early
    should wrap this in ``contextlib.aclosing`` so that this happens at once, not at GC time.
    """
    if isinstance(result, AsyncIterator):
        items = _iterate_async(result, timeout_s)
    elif isinstance(result, Iterator):
        items = _iterate_sync(result, timeout_s)
    else:
        return
    # Closing this generator must close the inner one now (and with it the user's generator).
    async with aclosing(items):
        async for item in items:
            yield item


async def pipe_model_entries(
    loaded: LoadedFunction, record_name: str, timeout_s: float
) -> list[tuple[str, str]]:
    """The models a pipe offers, as ``[(model_id, name)]``.

    A plain pipe is one model, named after its record. A manifold (a ``pipes`` list, or a sync or
    async callable returning ``[{"id", "name"}]``) offers ``<function_id>.<sub id>`` models whose
    names are prefixed with the instance's ``name`` attribute when it has one. As in Open WebUI, a
    failing ``pipes`` gives no models (logged) rather than failing the model list.
    """
    instance = loaded.instance
    if not hasattr(instance, "pipes"):
        return [(loaded.id, record_name)]
    pipes = instance.pipes
    try:
        subs = await call_hook(pipes, (), {}, timeout_s) if callable(pipes) else pipes
    except Exception as exc:
        log.warning("Function %s: pipes() failed: %s: %s", loaded.id, type(exc).__name__, exc)
        return []
    if not isinstance(subs, (list, tuple)):
        log.warning("Function %s: pipes is not a list: %.100r", loaded.id, subs)
        return []
    prefix = getattr(instance, "name", None)
    entries: list[tuple[str, str]] = []
    for sub in subs:
        if not isinstance(sub, dict) or sub.get("id") is None:
            log.warning("Function %s: pipes() entry without an id skipped: %.100r", loaded.id, sub)
            continue
        name = sub.get("name", sub["id"])
        entries.append((f"{loaded.id}.{sub['id']}", f"{prefix}{name}" if prefix is not None else str(name)))
    return entries


def _shape(fn: Callable) -> _Shape:
    key = getattr(fn, "__func__", fn)
    try:
        shape = _SHAPES.get(key)
    except TypeError:
        # Not weak-referenceable or not hashable (some callable objects): inspect every time.
        key, shape = None, None
    if shape is not None:
        return shape
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        parameters = ()
    shape = _Shape(
        names=frozenset(p.name for p in parameters if p.kind in _NAMED),
        var_keyword=any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters),
        is_async=inspect.iscoroutinefunction(fn),
        is_generator=inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn),
    )
    if key is not None:
        with suppress(TypeError):
            _SHAPES[key] = shape
    return shape


async def _iterate_async(result: AsyncIterator, timeout_s: float) -> AsyncIterator[object]:
    try:
        while True:
            timeout = asyncio.timeout(timeout_s)
            try:
                async with timeout:
                    item = await anext(result)
            except StopAsyncIteration:
                return
            except TimeoutError:
                if timeout.expired():
                    raise _timed_out(timeout_s) from None
                raise
            except SystemExit as exc:
                raise _contained(exc) from exc
            yield item
    finally:
        aclose = getattr(result, "aclose", None)
        if aclose is not None:
            try:
                async with asyncio.timeout(timeout_s):
                    await aclose()
            except Exception as exc:
                # Closing is best effort: the user's finally block failed or hung.
                log.warning("Closing a function's async generator failed: %s", type(exc).__name__)


_DONE = object()


def _next_or_done(iterator: Iterator) -> object:
    # StopIteration cannot cross a Future, so the end is signalled with a sentinel.
    return next(iterator, _DONE)


async def _iterate_sync(result: Iterator, timeout_s: float) -> AsyncIterator[object]:
    busy = False
    try:
        while True:
            busy = True
            try:
                async with asyncio.timeout(timeout_s) as timeout:
                    item = await _CODE_THREADS.run(_next_or_done, result)
            except TimeoutError:
                if timeout.expired():
                    raise _timed_out(timeout_s) from None
                raise
            busy = False
            if item is _DONE:
                return
            yield item
    finally:
        close = getattr(result, "close", None)
        # A next() still running in its thread cannot be interrupted, and the generator cannot be
        # closed under it ("generator already executing"): it is left to finish on its own.
        if close is not None and not busy:
            try:
                async with asyncio.timeout(timeout_s):
                    await _CODE_THREADS.run(close)
            except Exception as exc:
                log.warning("Closing a function's generator failed: %s", type(exc).__name__)


_Call = tuple[asyncio.AbstractEventLoop, contextvars.Context, Callable, tuple, dict, asyncio.Future]


class _DaemonThreads:
    """A pool of daemon threads for sync function code, started as needed, ended when idle.

    Not the loop's default executor (``asyncio.to_thread``): code that never returns would hold
    the process at exit (``asyncio.run`` and the interpreter join executor threads, so SIGTERM
    would not stop the service) and would use up the few threads the service's own blocking work
    needs. A thread started per call would avoid both but costs 0.2–0.9 ms on a busy host; a pool
    hop costs what ``to_thread`` does. Hung calls hold their thread, so at most ``max_threads``
    exist: past that, calls queue (and their callers time out).
    """

    def __init__(self, max_threads: int, idle_s: float) -> None:
        self._max_threads = max_threads
        self._idle_s = idle_s
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        # Counts the threads waiting for a call; a caller that takes one reserves that thread.
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._threads = 0
        # Calls queued while every thread was busy and none could be added: a thread that finishes
        # takes one of them instead of counting itself idle.
        self._owed = 0

    def run(self, fn: Callable, *args: object, **kwargs: object) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self._idle.acquire(blocking=False):
            self._start_thread()
        self._calls.put((loop, contextvars.copy_context(), fn, args, kwargs, future))
        return future

    def _start_thread(self) -> None:
        with self._lock:
            if self._threads >= self._max_threads:
                self._owed += 1
                return
            self._threads += 1
        threading.Thread(target=self._work, name="function-code", daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                loop, context, fn, args, kwargs, future = self._calls.get(timeout=self._idle_s)
            except queue.Empty:
                # Leave only if no caller has reserved this thread meanwhile.
                if self._idle.acquire(blocking=False):
                    with self._lock:
                        self._threads -= 1
                    return
                continue
            value = error = None
            if not future.cancelled():
                try:
                    value = context.run(fn, *args, **kwargs)
                except BaseException as exc:
                    error = exc if isinstance(exc, Exception) else _contained(exc)
            # Counted idle (or given a queued call) before the caller is woken, so that the caller's
            # next call reuses this thread rather than starting another.
            with self._lock:
                owed = self._owed > 0
                if owed:
                    self._owed -= 1
            if not owed:
                self._idle.release()
            if not future.cancelled():
                # The loop may have closed meanwhile (the service stopped): nobody waits any more.
                with suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, future, value, error)
            # An idle thread keeps nothing of the last call alive.
            del loop, context, fn, args, kwargs, future, value, error


# Process-wide like the threads it holds (and like the default executor it stands in for).
_CODE_THREADS = _DaemonThreads(max_threads=64, idle_s=60.0)


def _settle(future: asyncio.Future, value: object, error: BaseException | None) -> None:
    if future.done():
        # The caller stopped waiting (timeout, cancellation).
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def _contained(exc: BaseException) -> RuntimeError:
    """``sys.exit()`` (or another BaseException) in function code must not stop the service."""
    error = RuntimeError(f"Function code raised {type(exc).__name__}")
    error.__cause__ = exc
    return error


async def load_bounded(
    function_id: str,
    content: str,
    timeout_s: float,
    classes: tuple[tuple[str, str], ...] = FUNCTION_CLASSES,
) -> LoadedFunction:
    """``load_function`` off the event loop, on a daemon thread, bounded by ``timeout_s``: module
    code that never finishes fails the load instead of hanging the request and the shutdown."""
    try:
        loaded = await call_hook(load_function, (function_id, content, classes), {}, timeout_s)
    except FunctionTimeout:
        raise FunctionLoadError(f"Loading timed out after {timeout_s:g} s") from None
    assert isinstance(loaded, LoadedFunction)
    return loaded
