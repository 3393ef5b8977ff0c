"""Workspace model rows as InferenceService's WorkspaceModel messages."""

from services.inference.replies import dumps
from services.inference.workspace.records import ModelPage, ReadableModel, WorkspaceModel
from webui.inference.v1 import inference_pb2


def workspace_model_message(row: WorkspaceModel, *, write_access: bool) -> inference_pb2.WorkspaceModel:
    message = inference_pb2.WorkspaceModel(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        params_json=dumps(row.params),
        meta_json=dumps(row.meta),
        access_grants_json=dumps(row.access_grants),
        is_active=row.is_active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        write_access=write_access,
    )
    # Unset, not "", for an override: the two are different rows.
    if row.base_model_id is not None:
        message.base_model_id = row.base_model_id
    return message


def readable_message(model: ReadableModel) -> inference_pb2.WorkspaceModel:
    return workspace_model_message(model.row, write_access=model.write_access)


def page_message(page: ModelPage) -> inference_pb2.ListWorkspaceModelsResponse:
    return inference_pb2.ListWorkspaceModelsResponse(
        items=[readable_message(item) for item in page.items], total=page.total
    )


def changed_message(row: WorkspaceModel) -> inference_pb2.WorkspaceModel:
    """A row the caller just created, changed or toggled: only a writer may, so they may write it."""
    return workspace_model_message(row, write_access=True)
