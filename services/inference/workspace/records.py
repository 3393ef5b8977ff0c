"""A workspace model row (Open WebUI's ``model`` table)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkspaceModel:
    id: str
    user_id: str
    # The model this one is a preset of; None for a row that overrides a base model of the same id.
    base_model_id: str | None
    name: str
    # {"system"?: str, sampling params…}.
    params: dict
    # {"profile_image_url", "description", "capabilities", "knowledge", "filterIds", "actionIds",
    #  "toolIds", "tags", …}.
    meta: dict
    # [{"principal_type": "user"|"group", "principal_id", "permission": "read"|"write"}].
    access_grants: list[dict]
    is_active: bool
    created_at: int
    updated_at: int

    def to_json(self) -> dict:
        """The row as Open WebUI's ModelModel serialises it."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "base_model_id": self.base_model_id,
            "name": self.name,
            "params": self.params,
            "meta": self.meta,
            "access_grants": self.access_grants,
            "is_active": self.is_active,
            "updated_at": self.updated_at,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class ReadableModel:
    """A row as one caller may see it (``params`` emptied unless they may write), and whether they may
    change it."""

    row: WorkspaceModel
    write_access: bool


@dataclass(frozen=True)
class ModelPage:
    """One page of the presets a caller may read, and how many there are on every page."""

    items: list[ReadableModel]
    total: int
