"""The forms of a prompt (``/api/v1/prompts``): validated by the gateway and again by the
inference service's prompt rules."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common.forms.types import Name, Text

# Long enough for any slash command anyone types; a bound on what the unique index holds.
MAX_COMMAND_CHARS = 512
# Tags per prompt, and characters per tag: bounds on what one request stores.
MAX_TAGS = 100
MAX_TAG_CHARS = 256


def _tags(value: list[str | None] | None) -> list[str] | None:
    """Open WebUI accepts nulls in the list; they name nothing, so they are dropped."""
    if value is None:
        return None
    kept = [tag for tag in value if tag is not None]
    if len(kept) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    for tag in kept:
        if len(tag) > MAX_TAG_CHARS or "\x00" in tag:
            raise ValueError(f"a tag has at most {MAX_TAG_CHARS} characters and no NUL")
    return kept


Command = Text


class PromptForm(BaseModel):
    # No docstring: the OpenAPI document would show it as the schema's description.
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "command": "summarize",
                    "name": "Summarize",
                    "content": "Summarize: {{CLIPBOARD}}",
                    "tags": ["writing"],
                    "access_grants": [{"principal_type": "user", "principal_id": "*", "permission": "read"}],
                }
            ]
        }
    )

    command: Command = Field(
        min_length=1, max_length=MAX_COMMAND_CHARS, description="Globally unique, stored as given"
    )
    name: Name
    content: Text
    data: dict | None = None
    meta: dict | None = None
    tags: list[str | None] | None = None
    access_grants: list[dict | None] | None = Field(
        default=None, description="Grants given at creation; ignored by updates (see /access/update)"
    )
    version_id: Text | None = Field(
        default=None, description="Ignored: /update/version sets the live version"
    )
    commit_message: Text | None = Field(default=None, description="Stored with the version this change makes")
    is_production: bool | None = Field(
        default=True,
        description="false: store the version but keep the live name, content, data, meta and tags",
    )

    _check_tags = field_validator("tags")(_tags)


class PromptMetaForm(BaseModel):
    command: Command = Field(min_length=1, max_length=MAX_COMMAND_CHARS)
    name: Name
    tags: list[str | None] | None = None

    _check_tags = field_validator("tags")(_tags)


class PromptAccessForm(BaseModel):
    access_grants: list[dict] = Field(description="The prompt's grants, replacing the stored ones")


class PromptVersionForm(BaseModel):
    version_id: Text = Field(description="The history entry to make live")
