"""Workspace models merged into the model list (as Open WebUI's ``get_all_models`` merges its model
rows), and who may see or use which model (``get_filtered_models``, ``check_model_access``). Pure
functions."""

import copy
from collections.abc import Mapping

from services.common import access
from services.common.identity import Identity
from services.inference.workspace.records import WorkspaceModel


def _info(row: WorkspaceModel) -> dict:
    """The row as a model's ``info``: without ``params`` (a system prompt is not for every reader;
    the chat path reads it from the row). A deep copy: callers edit ``info.meta`` in place."""
    info = copy.deepcopy(row.to_json())
    del info["params"]
    return info


def _ordered(rows: Mapping[str, WorkspaceModel]) -> list[WorkspaceModel]:
    return sorted(rows.values(), key=lambda row: (row.created_at, row.id))


def _lookup(models: list[dict]) -> dict[str, dict]:
    """Models by id, and Ollama models also by their name without ``:tag`` (the first one wins;
    an exact id wins over a bare name)."""
    lookup: dict[str, dict] = {}
    for model in models:
        if model.get("owned_by") == "ollama":
            lookup.setdefault(str(model["id"]).split(":")[0], model)
    for model in models:
        lookup[model["id"]] = model
    return lookup


def _preset(row: WorkspaceModel, base: dict) -> dict:
    preset = {
        "id": row.id,
        "name": row.name,
        "object": "model",
        "created": row.created_at,
        "owned_by": base.get("owned_by", "unknown"),
        "connection_type": base.get("connection_type"),
        "preset": True,
    }
    if "pipe" in base:
        preset["pipe"] = base["pipe"]
    if base.get("provider"):
        preset["provider"] = base["provider"]
    if base.get("loaded") is not None:
        preset["loaded"] = base["loaded"]
    preset["info"] = _info(row)
    return preset


def claims_base_model(model_id: str, base: list[dict]) -> bool:
    """Whether a row of this id would stand in for a base model: override it in the list (by id,
    or an Ollama model's name without ``:tag``) or take the chats sent to it (an untagged id is
    also looked up as ``<id>:latest``)."""
    lookup = _lookup(base)
    return model_id in lookup or (":" not in model_id and f"{model_id}:latest" in lookup)


def merge_models(base: list[dict], rows: Mapping[str, WorkspaceModel]) -> list[dict]:
    """The model list with the workspace rows applied; ``base`` is left unchanged.

    * A row without ``base_model_id`` whose id is a base model's (or an Ollama model's name without
      ``:tag``) overrides it: its ``name``, and ``info`` = the row without ``params``. An inactive
      such row removes the model. A row matching no base model is ignored.
    * An active row with ``base_model_id`` is a preset, appended after the base models (oldest row
      first) when its base model is listed (looked up by id, then by the id without ``:tag``) and
      its own id is not a base model's. Inactive presets are left out.
    """
    models = [dict(model) for model in base]
    lookup = _lookup(models)
    existing = {model["id"] for model in models}
    removed: set[int] = set()
    presets = []
    for row in _ordered(rows):
        if row.base_model_id is None:
            model = lookup.get(row.id)
            if model is None:
                continue
            if row.is_active:
                model["name"] = row.name
                model["info"] = _info(row)
            else:
                removed.add(id(model))
            continue
        if not row.is_active or row.id in existing:
            continue
        base_model = lookup.get(row.base_model_id) or lookup.get(row.base_model_id.split(":")[0])
        if base_model is None or id(base_model) in removed:
            continue
        presets.append(_preset(row, base_model))
    return [model for model in models if id(model) not in removed] + presets


def visible_models(
    models: list[dict], rows: Mapping[str, WorkspaceModel], caller: Identity, bypass: bool
) -> list[dict]:
    """The models ``caller`` may see (``BYPASS_MODEL_ACCESS_CONTROL`` = ``bypass``).

    With ``bypass`` or for an admin, all of them. A user sees a model that has a workspace row
    (same id) they own or hold a read grant on (to them, a group of theirs or ``user:*``); a model
    without a row (a raw backend model) is hidden from users. Arena models follow the grants in
    their ``info.meta``."""
    if bypass or caller.is_admin:
        return list(models)
    visible = []
    for model in models:
        if model.get("arena"):
            meta = (model.get("info") or {}).get("meta") or {}
            grants = meta.get("access_grants") or []
            if isinstance(grants, list) and access.granted(caller, grants, access.READ):
                visible.append(model)
            continue
        row = rows.get(model.get("id", ""))
        if row is not None and access.can_read(caller, row.user_id, row.access_grants):
            visible.append(model)
    return visible


def can_use(model_id: str, rows: Mapping[str, WorkspaceModel], caller: Identity, bypass: bool) -> bool:
    """Whether ``caller`` may chat with ``model_id`` (the same rule as ``visible_models``: with
    ``bypass`` or as an admin always; otherwise the model needs a row the caller can read)."""
    if bypass or caller.is_admin:
        return True
    row = rows.get(model_id)
    return row is not None and access.can_read(caller, row.user_id, row.access_grants)
