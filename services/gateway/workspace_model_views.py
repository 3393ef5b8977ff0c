"""JSON shapes of workspace models, as Open WebUI returns them, built from InferenceService's messages."""

import orjson

from webui.inference.v1 import inference_pb2


def _json(raw: bytes, empty: object) -> object:
    return orjson.loads(raw) if raw else empty


def workspace_model_json(model: inference_pb2.WorkspaceModel) -> dict:
    """ModelModel: the create, update and toggle replies."""
    return {
        "id": model.id,
        "user_id": model.user_id,
        "base_model_id": model.base_model_id if model.HasField("base_model_id") else None,
        "name": model.name,
        "params": _json(model.params_json, {}),
        "meta": _json(model.meta_json, {}),
        "access_grants": _json(model.access_grants_json, []),
        "is_active": model.is_active,
        "updated_at": model.updated_at,
        "created_at": model.created_at,
    }


def workspace_model_detail_json(model: inference_pb2.WorkspaceModel) -> dict:
    """``GET /api/v1/models/model`` and each list item: the model and whether the caller may change it."""
    return {**workspace_model_json(model), "write_access": model.write_access}


def workspace_model_list_json(page: inference_pb2.ListWorkspaceModelsResponse) -> dict:
    """``GET /api/v1/models/list``, before each item's ``user`` is attached."""
    return {"items": [workspace_model_detail_json(model) for model in page.items], "total": page.total}
