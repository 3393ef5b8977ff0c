"""Request forms of ``/api/v1/groups`` and of the permission routes of ``/api/v1/users``."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from services.common.forms.types import has_nul
from services.gateway.forms.types import Text


def _without_nul(value: dict | None) -> dict | None:
    # Stored as jsonb, which cannot hold NUL anywhere in the object (keys included).
    if value is not None and has_nul(value):
        raise ValueError("must not contain NUL characters")
    return value


GroupName = Annotated[Text, Field(min_length=1, max_length=255)]
# Open WebUI's description is free text; the bound only stops abuse.
GroupDescription = Annotated[Text, Field(max_length=64 * 1024)]
# A section's keys are Open WebUI's permission names; the bounds only stop abuse.
PermissionSection = Annotated[dict[Annotated[Text, Field(max_length=255)], bool], Field(max_length=1000)]
JsonObject = Annotated[dict, AfterValidator(_without_nul)]


class GroupForm(BaseModel):
    """Open WebUI's GroupForm (create) and GroupUpdateForm (a full update): ``description`` is
    required (422 without it, as observed)."""

    name: GroupName
    description: GroupDescription
    permissions: Annotated[dict[Text, PermissionSection], Field(max_length=100)] | None = None
    data: JsonObject | None = None
    meta: JsonObject | None = None
    parent_group_id: Text | None = Field(default=None, max_length=64)


class UserIdsForm(BaseModel):
    """``POST /id/{id}/users/add|remove``: unknown user ids are dropped."""

    user_ids: list[Annotated[Text, Field(max_length=255)]] = Field(default_factory=list, max_length=10_000)


class PermissionsForm(BaseModel):
    """``POST /api/v1/users/default/permissions``: all six sections are required (422 otherwise)."""

    workspace: PermissionSection
    sharing: PermissionSection
    access_grants: PermissionSection
    chat: PermissionSection
    features: PermissionSection
    settings: PermissionSection
