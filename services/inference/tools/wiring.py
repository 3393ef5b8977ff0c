"""The Python tools' object graph, built in one place: repository, loaded modules, rules,
resolver (for the chat pipeline) and servicer."""

from dataclasses import dataclass

import asyncpg

from services.common.group_check import GroupDirectory
from services.inference.settings import InferenceSettings
from services.inference.tools.cache import ToolCache
from services.inference.tools.history import ToolHistory
from services.inference.tools.load_url import ToolUrlLoader
from services.inference.tools.modules import ToolModules
from services.inference.tools.python_tools import PythonToolResolver
from services.inference.tools.repository import ToolRepository
from services.inference.tools.service import ToolServerLister, ToolService
from services.inference.tools.servicer import ToolsServicer
from services.inference.verify_target import VerifyTargets


@dataclass(frozen=True)
class PythonTools:
    # The /api/v1/tools rules (``servers`` hook: ``rules.set_servers``).
    rules: ToolService
    # The ToolResolver of Python tools for ``tool_ids`` in chat completions.
    resolver: PythonToolResolver
    # Versions of tools (/history, /update/version).
    history: ToolHistory
    # POST /load/url.
    loader: ToolUrlLoader

    def servicer(self) -> ToolsServicer:
        return ToolsServicer(self.rules, self.history, self.loader)


def build_python_tools(
    pool: asyncpg.Pool,
    settings: InferenceSettings,
    servers: ToolServerLister | None = None,
    targets: VerifyTargets | None = None,
    groups: GroupDirectory | None = None,
) -> PythonTools:
    # Writes through the routes drop the cached rows at once; other replicas' changes are seen
    # within the TTL (at most 1 s), as with the functions' catalog.
    store = ToolCache(ToolRepository(pool), min(settings.catalog_ttl_s, 1.0))
    # Tools load and run under the functions' timeout: one invoker serves both.
    modules = ToolModules(settings.function_timeout_s)
    rules = ToolService(
        store,
        modules,
        enabled=settings.enable_tools,
        bypass_admin_access_control=settings.bypass_admin_access_control,
        servers=servers,
        groups=groups,
    )
    # The source URL of /load/url is held to what connection tests may reach.
    if targets is None:
        targets = VerifyTargets(settings.verify_allowed_networks, settings.tool_load_url_timeout_s)
    return PythonTools(
        rules,
        PythonToolResolver(store, modules, rules, settings.function_timeout_s),
        ToolHistory(store, modules, rules),
        ToolUrlLoader(
            targets,
            timeout_s=settings.tool_load_url_timeout_s,
            max_bytes=settings.tool_load_url_max_bytes,
        ),
    )
