"""Every model a caller may list or chat with: upstream models, pipe functions and workspace rows
(presets and overrides), merged as Open WebUI's ``get_all_models`` does."""

import logging
from dataclasses import dataclass

from services.common import access, messages
from services.common.errors import InvalidArgument
from services.common.identity import Identity
from services.inference.functions.catalog import FunctionCatalog
from services.inference.functions.invoke import pipe_model_entries
from services.inference.functions.records import ActiveFunction, FunctionSnapshot
from services.inference.model_registry import ModelRegistry, ModelRoute
from services.inference.workspace.catalog import WorkspaceCatalog
from services.inference.workspace.merge import can_use, merge_models, visible_models
from services.inference.workspace.records import WorkspaceModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatTarget:
    """What a chat request's ``model`` names, resolved."""

    id: str
    # The model object as GET /api/models shows it (passed to functions as ``__model__``).
    model: dict
    # Where an upstream model is served; None for a pipe.
    route: ModelRoute | None
    pipe: ActiveFunction | None
    # The workspace row applied: a preset's, or an override of the base model.
    row: WorkspaceModel | None
    snapshot: FunctionSnapshot

    @property
    def filter_ids(self) -> object:
        return (self.row.meta or {}).get("filterIds") if self.row is not None else None


@dataclass(frozen=True)
class _PipeModels:
    snapshot: FunctionSnapshot
    models: dict[str, tuple[dict, ActiveFunction]]


def pipe_model(model_id: str, name: str, function: ActiveFunction) -> dict:
    return {
        "id": model_id,
        "name": name,
        "object": "model",
        "created": function.record.created_at,
        "owned_by": "openai",
        "pipe": {"type": "pipe"},
        "has_user_valves": function.loaded.has_user_valves,
        "tags": [],
        "actions": [],
        "filters": [],
    }


def toggle_filters(snapshot: FunctionSnapshot, model: dict) -> list[dict]:
    """The user-switchable filters a model offers (global ones and its ``meta.filterIds``)."""
    meta = (model.get("info") or {}).get("meta") or {}
    ids = {f.id for f in snapshot.of_type("filter") if f.record.is_global}
    if isinstance(meta.get("filterIds"), list):
        ids.update(i for i in meta["filterIds"] if isinstance(i, str))
    listed = []
    for function_id in sorted(ids):
        function = snapshot.functions.get(function_id)
        if function is None or function.loaded.type != "filter" or not function.loaded.toggle:
            continue
        listed.append(
            {
                "id": function.id,
                "name": function.record.name,
                "description": (function.record.meta or {}).get("description"),
                "icon": ((function.record.meta or {}).get("manifest") or {}).get("icon_url"),
                "has_user_valves": function.loaded.has_user_valves,
            }
        )
    return listed


class ModelDirectory:
    def __init__(
        self,
        registry: ModelRegistry,
        functions: FunctionCatalog,
        workspace: WorkspaceCatalog,
        timeout_s: float,
        bypass_access_control: bool,
    ) -> None:
        self._registry = registry
        self._functions = functions
        self._workspace = workspace
        self._timeout_s = timeout_s
        self._bypass = bypass_access_control
        self._pipes: _PipeModels | None = None

    async def _pipe_models(self, snapshot: FunctionSnapshot) -> dict[str, tuple[dict, ActiveFunction]]:
        """Pipe models, worked out once per snapshot (a manifold's ``pipes`` may be slow)."""
        if self._pipes is not None and self._pipes.snapshot is snapshot:
            return self._pipes.models
        models: dict[str, tuple[dict, ActiveFunction]] = {}
        for function in snapshot.of_type("pipe"):
            entries = await pipe_model_entries(function.loaded, function.record.name, self._timeout_s)
            for model_id, name in entries:
                models[model_id] = (pipe_model(model_id, name, function), function)
        self._pipes = _PipeModels(snapshot, models)
        return models

    async def base_models(self) -> list[dict]:
        """Pipes and upstream models before any workspace row applies, whoever asks."""
        catalog = await self._registry.catalog()
        pipes = await self._pipe_models(await self._functions.snapshot())
        return [model for model, _ in pipes.values()] + catalog.models

    async def all_models(self) -> dict[str, dict]:
        """Every model by id, whoever asks (Open WebUI's ``app.state.MODELS``): tasks name their
        model from here and leave access to the chat path."""
        catalog = await self._registry.catalog()
        pipes = [model for model, _ in (await self._pipe_models(await self._functions.snapshot())).values()]
        merged = merge_models(pipes + catalog.models, await self._workspace.rows())
        return {str(model["id"]): model for model in merged}

    async def models_for(self, caller: Identity, refresh: bool = False) -> list[dict]:
        """GET /api/models for ``caller``: pipes, then upstream models, then presets."""
        catalog = await self._registry.catalog(refresh=refresh)
        snapshot = await self._functions.snapshot()
        rows = await self._workspace.rows()
        pipes = [model for model, _ in (await self._pipe_models(snapshot)).values()]
        merged = merge_models(pipes + catalog.models, rows)
        visible = visible_models(merged, rows, caller, self._bypass)
        if caller.scope is not None and caller.scope.model_ids:
            # An API key that names its models lists only those.
            visible = [m for m in visible if access.key_allows_model(caller, str(m.get("id")))]
        if not snapshot.functions:
            return visible
        return [{**model, "filters": toggle_filters(snapshot, model)} for model in visible]

    async def target(self, caller: Identity, model_id: object) -> ChatTarget:
        """The chat target of ``model_id``, or 400 ``Model not found`` (also for a model the caller
        may not use, as Open WebUI answers)."""
        if not isinstance(model_id, str) or not model_id:
            raise InvalidArgument(messages.MODEL_NOT_FOUND_SHORT)
        if not access.key_allows_model(caller, model_id):
            raise access.scope_refusal(caller, f"the model {model_id!r}")
        rows = await self._workspace.rows()
        snapshot = await self._functions.snapshot()
        row = rows.get(model_id)
        base_id = model_id
        if row is not None:
            if not row.is_active:
                raise InvalidArgument(messages.MODEL_NOT_FOUND_SHORT)
            base_id = row.base_model_id or model_id
        if not can_use(model_id, rows, caller, self._bypass):
            raise InvalidArgument(messages.MODEL_NOT_FOUND_SHORT)
        pipes = await self._pipe_models(snapshot)
        if base_id in pipes:
            base, function = pipes[base_id]
            return ChatTarget(base_id, self._shown(model_id, base, row), None, function, row, snapshot)
        route = await self._registry.resolve(base_id)
        if route is None and row is not None and ":" not in base_id:
            route = await self._registry.resolve(f"{base_id}:latest")
        if route is None:
            raise InvalidArgument(messages.MODEL_NOT_FOUND_SHORT)
        base = self._registry.model_object(route.id) or {"id": route.id}
        return ChatTarget(route.id, self._shown(model_id, base, row), route, None, row, snapshot)

    @staticmethod
    def _shown(model_id: str, base: dict, row: WorkspaceModel | None) -> dict:
        if row is None:
            return base
        info = row.to_json()
        info.pop("params", None)
        return {**base, "id": model_id, "name": row.name, "info": info}
