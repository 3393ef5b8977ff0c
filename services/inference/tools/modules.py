"""Loaded tool modules, one per tool id, reused while the stored code is unchanged: shared by the
tool routes (valves, specs) and the resolver that runs tools in chat completions."""

from services.inference.functions.invoke import load_bounded
from services.inference.functions.loader import TOOL_CLASSES, LoadedFunction
from services.inference.tools.records import ToolRecord


class ToolModules:
    def __init__(self, load_timeout_s: float) -> None:
        self.load_timeout_s = load_timeout_s
        # Tool id -> (the code it was loaded from, the loaded module).
        self._modules: dict[str, tuple[str, LoadedFunction]] = {}

    async def load(self, tool_id: str, content: str) -> LoadedFunction:
        """Loads code (not cached: it may not be stored yet). Raises FunctionLoadError."""
        return await load_bounded(tool_id, content, self.load_timeout_s, TOOL_CLASSES)

    async def module(self, record: ToolRecord) -> LoadedFunction:
        """The record's code loaded, from cache while the code is unchanged; FunctionLoadError."""
        cached = self._modules.get(record.id)
        if cached is not None and cached[0] == record.content:
            return cached[1]
        loaded = await self.load(record.id, record.content)
        self._modules[record.id] = (record.content, loaded)
        return loaded

    def remember(self, tool_id: str, content: str, loaded: LoadedFunction) -> None:
        """A module just loaded for a create or update: no second load when it is called."""
        self._modules[tool_id] = (content, loaded)

    def forget(self, tool_id: str) -> None:
        self._modules.pop(tool_id, None)
