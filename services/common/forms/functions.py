"""The form of a function's code, name and meta (``/api/v1/functions``): validated by the gateway
and by the inference service's function administration."""

from pydantic import BaseModel, ConfigDict, Field

from services.common.forms.types import Name, Text

_EXAMPLE_PIPE = (
    '"""\ntitle: Example Pipe\nversion: 1.0\n"""\n'
    "from pydantic import BaseModel\n\n\n"
    "class Pipe:\n"
    "    class Valves(BaseModel):\n"
    '        prefix: str = ">"\n\n'
    "    class UserValves(BaseModel):\n"
    "        loud: bool = False\n\n"
    "    def pipe(self, body: dict) -> str:\n"
    '        return "Hello"\n'
)


class FunctionMetaForm(BaseModel):
    """Open WebUI's FunctionMeta: any other keys are kept."""

    model_config = ConfigDict(extra="allow")

    description: Text | None = None
    manifest: dict | None = {}


class FunctionForm(BaseModel):
    # No docstring: the OpenAPI document would show it as the schema's description.
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "example_pipe",
                    "name": "Example Pipe",
                    "content": _EXAMPLE_PIPE,
                    "meta": {"description": "Answers with a fixed text"},
                }
            ]
        }
    )

    id: Text = Field(description="A Python identifier; stored lower-cased")
    name: Name
    content: Text = Field(description="The function's Python source")
    meta: FunctionMetaForm
