"""Python tools as the chat pipeline runs them: a request's local ``tool_ids`` → one ServerTool per
tool function, called through the functions' invoker with Open WebUI's injected arguments."""

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence

import orjson
from pydantic import BaseModel

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.functions.invoke import FunctionTimeout, call_hook
from services.inference.functions.loader import FunctionLoadError, LoadedFunction, make_valves
from services.inference.tools.cache import ToolCache
from services.inference.tools.modules import ToolModules
from services.inference.tools.records import ToolRecord
from services.inference.tools.repository import ToolStore
from services.inference.tools.service import ToolService
from services.inference.tools.specs import coerce_arguments, function_spec, tool_functions
from services.inference.tools.types import ServerTool, ToolCallContext

log = logging.getLogger(__name__)

SERVER_PREFIX = "server:"

# A tool function's name, the bound method and its spec.
_Functions = list[tuple[str, Callable, dict]]


async def _no_emitter(event: object) -> None:
    """Nobody listens to this call's events (a plain API call without an emitter)."""
    log.debug("event from a tool dropped (no listener): %s", type(event).__name__)


def error_text(text: str) -> str:
    """The result the model gets for a call that failed."""
    return orjson.dumps({"error": text}).decode()


def result_text(result: object) -> str:
    """A tool's return value as the text the model gets: str as is, dict/list (and pydantic
    models) as JSON, None as empty, anything else as ``str()``."""
    if isinstance(result, str):
        return result
    if result is None:
        return ""
    if isinstance(result, BaseModel):
        return result.model_dump_json()
    if isinstance(result, (dict, list, tuple)):
        try:
            return orjson.dumps(result, default=str).decode()
        except TypeError:
            return str(result)
    return str(result)


class PythonToolResolver:
    """The ToolResolver of stored Python tools (every id that is not ``server:…``). Tool rows,
    grants and user valves come from a ``ToolCache`` (a plain store is read on every request)."""

    def __init__(
        self, store: ToolStore | ToolCache, modules: ToolModules, rules: ToolService, timeout_s: float
    ) -> None:
        self._store = store if isinstance(store, ToolCache) else ToolCache(store, 0.0)
        self._modules = modules
        self._rules = rules
        self._timeout_s = timeout_s
        # Tool id -> (the loaded module the functions belong to, its functions and specs).
        self._functions: dict[str, tuple[LoadedFunction, _Functions]] = {}

    def handles(self, tool_id: str) -> bool:
        return not tool_id.startswith(SERVER_PREFIX)

    async def resolve(self, caller: Identity, tool_ids: Sequence[str]) -> list[ServerTool]:
        """The functions of these tools, in the order named; a later function whose name is taken
        is renamed ``<tool_id>_<name>``. NotFound for an id that does not exist, or that the caller
        may not read; InvalidArgument for a tool whose code does not load."""
        wanted = list(dict.fromkeys(i for i in tool_ids if self.handles(i)))
        if not wanted:
            return []
        records = await self._store.records(wanted) if self._rules.enabled else {}
        for tool_id in wanted:
            record = records.get(tool_id)
            if record is None or not self._rules.may_read(caller, record):
                raise errors.NotFound(f"Tool not found: {tool_id}")
        tools: list[ServerTool] = []
        taken: set[str] = set()
        for tool_id in wanted:
            for tool in await self._tools_of(caller, records[tool_id]):
                if tool.name in taken:
                    name = f"{tool_id}_{tool.name}"
                    tool = ServerTool(
                        name, {**tool.spec, "name": name}, tool_id, tool.call, tool.file_handler
                    )
                taken.add(tool.name)
                tools.append(tool)
        return tools

    async def _tools_of(self, caller: Identity, record: ToolRecord) -> list[ServerTool]:
        try:
            loaded = await self._modules.module(record)
        except FunctionLoadError as error:
            raise errors.InvalidArgument(messages.error_with(messages.TOOL_LOAD_FAILED, str(error))) from None
        cached = self._functions.get(record.id)
        if cached is None or cached[0] is not loaded:
            functions = [
                (name, fn, function_spec(name, fn)) for name, fn in tool_functions(loaded.instance).items()
            ]
            cached = (loaded, functions)
            self._functions[record.id] = cached
        admin_valves = make_valves(loaded, record.valves, "admin")
        user_valves = None
        if loaded.has_user_valves:
            user_valves = make_valves(
                loaded, await self._store.user_valves(record.id, caller.user_id), "user"
            )
        file_handler = bool(getattr(loaded.instance, "file_handler", False))
        return [
            ServerTool(
                name=name,
                spec=spec,
                tool_id=record.id,
                call=self._caller(record.id, loaded, fn, admin_valves, user_valves),
                file_handler=file_handler,
            )
            for name, fn, spec in cached[1]
        ]

    def _caller(
        self,
        tool_id: str,
        loaded: LoadedFunction,
        fn: Callable,
        admin_valves: BaseModel | None,
        user_valves: BaseModel | None,
    ) -> Callable[[dict, ToolCallContext], Awaitable[str]]:
        timeout_s = self._timeout_s
        name = getattr(fn, "__name__", tool_id)

        async def call(arguments: dict, ctx: ToolCallContext) -> str:
            try:
                if admin_valves is not None:
                    # Open WebUI re-applies the stored valves before each call.
                    loaded.instance.valves = admin_valves
                kwargs = coerce_arguments(fn, arguments if isinstance(arguments, dict) else {})
                result = await call_hook(
                    fn, (), {**kwargs, **_injected(tool_id, ctx, user_valves)}, timeout_s
                )
                if inspect.isawaitable(result):
                    result = await result
                return result_text(result)
            except FunctionTimeout:
                return error_text(f"Tool {name} timed out after {timeout_s:g} s")
            except Exception as exc:  # the tool's own failure is the model's result, never a 500
                log.info("tool %s.%s raised %s", tool_id, name, type(exc).__name__)
                return error_text(str(exc) or type(exc).__name__)

        return call


def _injected(tool_id: str, ctx: ToolCallContext, user_valves: BaseModel | None) -> dict[str, object]:
    caller = ctx.caller
    user: dict[str, object] = {
        "id": caller.user_id,
        "email": caller.email,
        "name": caller.name,
        "role": caller.role,
    }
    if user_valves is not None:
        user["valves"] = user_valves
    metadata = ctx.metadata
    return {
        "__user__": user,
        "__id__": tool_id,
        "__metadata__": metadata,
        "__messages__": ctx.messages,
        "__model__": ctx.model,
        "__files__": metadata.get("files") or [],
        "__chat_id__": metadata.get("chat_id"),
        "__message_id__": metadata.get("message_id"),
        "__session_id__": metadata.get("session_id"),
        "__event_emitter__": ctx.emit or _no_emitter,
        "__event_call__": None,
        "__request__": None,
        "__oauth_token__": None,
    }
