"""Tool servers: OpenAPI ones (``tool_ids: ["server:<id>"]``), their specs fetched at start and
kept fresh in the background, each operation served as a tool; and MCP ones
(``server:mcp:<id>``), whose tools are listed when a request names them. The caller's access is
checked for both.

A server whose spec cannot be fetched or read, or an MCP server that cannot be reached, is logged
and skipped (an OpenAPI server keeps the last spec it served); it never stops the service.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp

from services.common import access
from services.common.errors import BadGateway, NotFound, Timeout
from services.common.identity import Identity
from services.inference.tools import mcp_tools, openapi_specs
from services.inference.tools.connections import MCP, OPENAPI, SUPPORTED_AUTH, ToolServerConnection
from services.inference.tools.mcp_client import McpError, McpLimits, McpSession, McpTimeout
from services.inference.tools.openapi_specs import Operation, SpecError
from services.inference.tools.server_calls import (
    CallRefused,
    auth_headers,
    error_text,
    prepare,
    read_limited,
    request_headers,
    send,
)
from services.inference.tools.types import ServerTool, ToolCallContext

log = logging.getLogger(__name__)

PREFIX = "server:"
MCP_PREFIX = "server:mcp:"
TOOL_NOT_FOUND = "Tool not found"
DISCOVERY_TIMED_OUT = "Tool discovery timed out"
UNABLE_TO_LOAD = "Unable to load tools"


@dataclass(frozen=True)
class ToolServerLimits:
    """Deadlines (seconds) and sizes (bytes) of the calls to tool servers."""

    spec_timeout_s: float = 10.0
    call_timeout_s: float = 30.0
    connect_timeout_s: float = 3.0
    max_response_bytes: int = 1024 * 1024
    max_spec_bytes: int = 8 * 1024 * 1024
    refresh_s: float = 300.0
    max_connections: int = 100


@dataclass(frozen=True)
class LoadedServer:
    connection: ToolServerConnection
    title: str
    description: str
    operations: tuple[Operation, ...]

    def listed(self) -> dict:
        tool_id = PREFIX + self.connection.id
        return {
            "id": tool_id,
            "user_id": tool_id,
            "name": self.title or self.connection.name or "Tool Server",
            "meta": {"description": self.description or self.connection.description},
        }


def server_id(tool_id: str) -> str:
    """``server:<id>``, ``server:mcp:<id>`` or either with ``|fn1,fn2`` → ``<id>`` (the function
    list is not used: the connection's ``function_name_filter_list`` decides, as in Open WebUI)."""
    prefix = MCP_PREFIX if tool_id.startswith(MCP_PREFIX) else PREFIX
    return tool_id[len(prefix) :].split("|", 1)[0]


def mcp_listed(connection: ToolServerConnection) -> dict:
    tool_id = MCP_PREFIX + connection.id
    return {
        "id": tool_id,
        "user_id": tool_id,
        "name": connection.name or connection.id,
        "meta": {"description": connection.description},
    }


def may_use(connection: ToolServerConnection, caller: Identity) -> bool:
    """Admins always; others only through a read grant (to them, a group of theirs or every
    user; no grants: admins only)."""
    if caller.is_admin:
        return True
    return access.granted(caller, connection.access_grants, access.READ)


class ToolServers:
    """The ``ToolResolver`` of ``server:`` tool ids, and their entries in the tool list."""

    def __init__(
        self,
        connections: Sequence[ToolServerConnection],
        limits: ToolServerLimits,
        enabled: bool = True,
    ) -> None:
        self._limits = limits
        self._connections: dict[str, ToolServerConnection] = {}
        self._mcp: dict[str, ToolServerConnection] = {}
        if enabled:
            for connection in connections:
                if not connection.enabled:
                    continue
                if connection.type not in (OPENAPI, MCP):
                    log.warning("tool server %s: unknown type %r; skipped", connection.id, connection.type)
                elif connection.auth_type not in SUPPORTED_AUTH:
                    log.warning(
                        "tool server %s: auth_type %r is not supported; skipped",
                        connection.id,
                        connection.auth_type,
                    )
                elif connection.type == MCP:
                    self._mcp[connection.id] = connection
                else:
                    self._connections[connection.id] = connection
        self._loaded: dict[str, LoadedServer] = {}
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._call_timeout = aiohttp.ClientTimeout(
            total=limits.call_timeout_s, connect=min(limits.connect_timeout_s, limits.call_timeout_s)
        )
        self._spec_timeout = aiohttp.ClientTimeout(
            total=limits.spec_timeout_s, connect=min(limits.connect_timeout_s, limits.spec_timeout_s)
        )
        self._mcp_list_limits = McpLimits(self._spec_timeout, limits.max_spec_bytes)
        self._mcp_call_limits = McpLimits(self._call_timeout, limits.max_response_bytes)

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Fetches the specs now and every ``refresh_s`` after, in the background (needs a loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._refresh_forever(), name="tool-server-specs")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limits.max_connections, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def _refresh_forever(self) -> None:
        try:
            await self.refresh()
        finally:
            # Requests waiting for the first specs go on with whatever loaded.
            self._ready.set()
        while True:
            await asyncio.sleep(self._limits.refresh_s)
            await self.refresh()

    async def refresh(self) -> None:
        """Fetches every server's spec once; failures are logged and keep the last good spec."""
        await asyncio.gather(*(self._refresh_one(c) for c in self._connections.values()))

    async def _refresh_one(self, connection: ToolServerConnection) -> None:
        try:
            spec = await self._fetch_spec(connection)
        except (aiohttp.ClientError, TimeoutError, SpecError, UnicodeError, CallRefused) as error:
            log.warning(
                "tool server %s: spec not loaded from %s: %s",
                connection.id,
                "inline spec" if connection.spec_type == "json" else connection.spec_url,
                error or type(error).__name__,
            )
            return
        self._loaded[connection.id] = LoadedServer(
            connection,
            openapi_specs.title(spec),
            openapi_specs.description(spec),
            tuple(openapi_specs.operations(spec, connection.function_names)),
        )

    async def _fetch_spec(self, connection: ToolServerConnection) -> dict:
        if connection.spec_type == "json":
            return openapi_specs.parse_spec(connection.spec)
        url = connection.spec_url
        headers = {"Accept": "application/json", **auth_headers(connection, None)}
        async with self._http().get(
            url, headers=headers, timeout=self._spec_timeout, allow_redirects=False
        ) as response:
            if response.status != 200:
                raise SpecError(f"HTTP {response.status}")
            body = await read_limited(response.content.iter_any(), self._limits.max_spec_bytes)
        if body is None:
            raise SpecError(f"the spec is larger than {self._limits.max_spec_bytes} bytes")
        yaml_first = url.split("?", 1)[0].lower().endswith((".yaml", ".yml"))
        return openapi_specs.parse_spec(body, yaml_first=yaml_first)

    async def _wait_loaded(self) -> None:
        if not self._connections:
            return
        self.start()
        await self._ready.wait()

    # -- ToolResolver -------------------------------------------------------------------------------

    def handles(self, tool_id: str) -> bool:
        return tool_id.startswith(PREFIX)

    async def resolve(self, caller: Identity, tool_ids: Sequence[str]) -> list[ServerTool]:
        """The tools of the named servers. A server that is not configured (or switched off) or
        that the caller may not use → ``NotFound``; one whose spec is not loaded, or an MCP server
        that cannot be reached, gives no tools (Open WebUI skips it too)."""
        await self._wait_loaded()
        # Every id is checked before any MCP server is contacted.
        wanted: dict[tuple[bool, str], ToolServerConnection] = {}
        for tool_id in tool_ids:
            is_mcp = tool_id.startswith(MCP_PREFIX)
            connection = (self._mcp if is_mcp else self._connections).get(server_id(tool_id))
            if connection is None or not may_use(connection, caller):
                raise NotFound(TOOL_NOT_FOUND)
            wanted[(is_mcp, connection.id)] = connection
        tools: list[ServerTool] = []
        for (is_mcp, server), connection in wanted.items():
            if is_mcp:
                tools += await self._mcp_tools(connection, caller)
                continue
            loaded = self._loaded.get(server)
            if loaded is None:
                log.warning("tool server %s: named in a request but its spec is not loaded", server)
                continue
            tools += [self._tool(connection, operation) for operation in loaded.operations]
        return tools

    def _tool(self, connection: ToolServerConnection, operation: Operation) -> ServerTool:
        async def call(arguments: dict, context: ToolCallContext) -> str:
            try:
                prepared = prepare(
                    connection, operation, arguments if isinstance(arguments, dict) else {}, context.caller
                )
            except CallRefused as refused:
                return error_text(str(refused))
            return await send(self._http(), prepared, self._call_timeout, self._limits.max_response_bytes)

        return ServerTool(name=operation.name, spec=operation.spec, tool_id=PREFIX + connection.id, call=call)

    async def _mcp_list(self, connection: ToolServerConnection, caller: Identity) -> list[dict]:
        """Connects, lists the server's tools (cut down by its filter list) and disconnects."""
        session = McpSession(self._http(), connection.url, request_headers(connection, caller))
        try:
            await session.initialize(self._mcp_list_limits)
            listed = await session.list_tools(self._mcp_list_limits)
        finally:
            await session.close(self._mcp_list_limits)
        names = connection.function_names
        return [tool for tool in listed if not names or tool.get("name") in names]

    async def _mcp_tools(self, connection: ToolServerConnection, caller: Identity) -> list[ServerTool]:
        try:
            listed = await self._mcp_list(connection, caller)
        except McpError as error:
            log.warning("MCP server %s: tools not listed: %s", connection.id, error)
            return []
        tools = []
        for tool in listed:
            name = tool.get("name")
            spec = mcp_tools.function_spec(connection.id, tool)
            if spec is not None:
                tools.append(self._mcp_tool(connection, str(name), spec))
        return tools

    def _mcp_tool(self, connection: ToolServerConnection, name: str, spec: dict) -> ServerTool:
        async def call(arguments: dict, context: ToolCallContext) -> str:
            session = McpSession(self._http(), connection.url, request_headers(connection, context.caller))
            try:
                await session.initialize(self._mcp_call_limits)
                result = await session.call_tool(
                    name, arguments if isinstance(arguments, dict) else {}, self._mcp_call_limits
                )
            except McpError as error:
                return error_text(str(error))
            finally:
                await session.close(self._mcp_call_limits)
            return mcp_tools.result_text(result)

        return ServerTool(name=spec["name"], spec=spec, tool_id=MCP_PREFIX + connection.id, call=call)

    async def mcp_specs(self, caller: Identity, tool_id: str) -> list[dict]:
        """``GET /api/v1/tools/id/server:mcp:<id>/specs``: the server's tools as ``{"name",
        "description"}``, listed now. Not an MCP server the caller may use → ``NotFound``;
        unanswered → ``Timeout``; any other failure → ``BadGateway`` (Open WebUI's texts)."""
        connection = self._mcp.get(server_id(tool_id)) if tool_id.startswith(MCP_PREFIX) else None
        if connection is None or not may_use(connection, caller):
            raise NotFound(TOOL_NOT_FOUND)
        try:
            listed = await self._mcp_list(connection, caller)
        except McpTimeout as error:
            raise Timeout(DISCOVERY_TIMED_OUT, http_status=504) from error
        except McpError as error:
            log.warning("MCP server %s: tools not listed: %s", connection.id, error)
            raise BadGateway(UNABLE_TO_LOAD) from error
        return [
            {"name": tool["name"], "description": str(tool.get("description") or "")}
            for tool in listed
            if isinstance(tool.get("name"), str)
        ]

    # -- GET /api/v1/tools --------------------------------------------------------------------------

    async def listed(self, caller: Identity) -> list[dict]:
        """The tool-list entries of the servers the caller may use: OpenAPI ones with a loaded
        spec, then MCP ones (listed from their configuration, without connecting)."""
        await self._wait_loaded()
        openapi = [
            loaded.listed()
            for server, loaded in self._loaded.items()
            if server in self._connections and may_use(loaded.connection, caller)
        ]
        return openapi + [mcp_listed(c) for c in self._mcp.values() if may_use(c, caller)]
