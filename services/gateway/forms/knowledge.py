"""Request forms of ``/api/v1/knowledge``: a collection, and the files to add to or take from one."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, RootModel, WithJsonSchema

from services.gateway.forms.types import Text

# What a grant holds; entries are passed on as given and the service drops invalid ones, so this
# describes a grant without validating one.
_GRANT_SCHEMA = {
    "type": "object",
    "description": "Invalid entries are dropped silently",
    "properties": {
        "principal_type": {"type": "string", "enum": ["user", "group", "anyone"]},
        "principal_id": {"type": "string"},
        "permission": {"type": "string", "enum": ["read", "write"]},
    },
    "additionalProperties": True,
}


class KnowledgeForm(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Handbook", "description": "Our team handbook", "access_grants": []}]
        }
    )

    name: Text
    description: Text
    access_grants: list[Annotated[dict, WithJsonSchema(_GRANT_SCHEMA)]] | None = Field(
        default=None,
        description="Replaces the grants when given (not null); empty or absent on create is private "
        "(owner and admins)",
    )


class KnowledgeAccessForm(BaseModel):
    """``POST /{id}/access/update``: the collection's new grants (any the caller may not give
    refuses the request, 403)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_grants": [{"principal_type": "group", "principal_id": "g1", "permission": "read"}]}
            ]
        }
    )

    access_grants: list[Annotated[dict, WithJsonSchema(_GRANT_SCHEMA)]]


class FileIdForm(BaseModel):
    file_id: Text
    # `file/add` and `files/batch/add`: the directory of the base to put the file in (the root when
    # absent); ignored by the other routes.
    directory_id: Annotated[Text, Field(max_length=256)] | None = None


class FileIdList(RootModel[list[FileIdForm]]):
    pass
