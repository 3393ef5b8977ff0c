"""The form of a Python tool (``/api/v1/tools``): validated by the gateway and again by the
inference service's tool rules."""

from pydantic import BaseModel, ConfigDict, Field

from services.common.forms.types import Name, Text

_EXAMPLE_TOOL = (
    '"""\ntitle: Weather Tool\nversion: 0.1.0\n"""\n\n\n'
    "class Tools:\n"
    "    def get_weather(self, city: str, days: int = 1) -> str:\n"
    '        """\n'
    "        Get the current weather for a city.\n"
    "        :param city: Name of the city\n"
    "        :param days: Number of days\n"
    '        """\n'
    '        return f"Sunny in {city} for {days} day(s)"\n'
)


class ToolMetaForm(BaseModel):
    """Open WebUI's ToolMeta: any other keys are kept."""

    model_config = ConfigDict(extra="allow")

    description: Text | None = None
    manifest: dict | None = {}


class ToolForm(BaseModel):
    # No docstring: the OpenAPI document would show it as the schema's description.
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "weather_tool",
                    "name": "Weather",
                    "content": _EXAMPLE_TOOL,
                    "meta": {"description": "weather tool"},
                    "access_grants": [{"principal_type": "user", "principal_id": "*", "permission": "read"}],
                }
            ]
        }
    )

    id: Text = Field(description="A Python identifier; stored lower-cased")
    name: Name
    content: Text = Field(description="The tool's Python source, defining `class Tools`")
    meta: ToolMetaForm
    access_grants: list[dict] | None = Field(
        default=None, description="Grants given at creation; ignored by updates (see /access/update)"
    )
    commit_message: Text | None = Field(
        default=None, description="Stored with the version (history entry) this create or update makes"
    )


class ToolAccessForm(BaseModel):
    access_grants: list[dict] = Field(default_factory=list)


class ToolVersionForm(BaseModel):
    version_id: Text = Field(description="The history entry to make current again")


class ToolLoadUrlForm(BaseModel):
    url: Text = Field(
        description=(
            "An http(s) URL of a tool's source; GitHub tree/blob URLs are read from raw.githubusercontent.com"
        ),
        max_length=8192,
    )
