"""The Python tools' object graph, built in one place: repository, loaded modules, rules,
resolver (for the chat pipeline) and servicer."""

from dataclasses import dataclass

import asyncpg

from services.inference.settings import InferenceSettings
from services.inference.tools.modules import ToolModules
from services.inference.tools.python_tools import PythonToolResolver
from services.inference.tools.repository import ToolRepository
from services.inference.tools.service import ToolServerLister, ToolService
from services.inference.tools.servicer import ToolsServicer


@dataclass(frozen=True)
class PythonTools:
    # The /api/v1/tools rules (``servers`` hook: ``rules.set_servers``).
    rules: ToolService
    # The ToolResolver of Python tools for ``tool_ids`` in chat completions.
    resolver: PythonToolResolver

    def servicer(self) -> ToolsServicer:
        return ToolsServicer(self.rules)


def build_python_tools(
    pool: asyncpg.Pool, settings: InferenceSettings, servers: ToolServerLister | None = None
) -> PythonTools:
    store = ToolRepository(pool)
    # Tools load and run under the functions' timeout: one invoker serves both.
    modules = ToolModules(settings.function_timeout_s)
    rules = ToolService(
        store,
        modules,
        enabled=settings.enable_tools,
        users_may_create=settings.user_permissions_workspace_tools_access,
        bypass_admin_access_control=settings.bypass_admin_access_control,
        servers=servers,
    )
    return PythonTools(rules, PythonToolResolver(store, modules, rules, settings.function_timeout_s))
