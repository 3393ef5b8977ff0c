"""Python tool methods → OpenAI function specs (Open WebUI's rules), and argument coercion."""

from typing import Literal, Optional

from services.inference.tools.specs import coerce_arguments, describe, tool_specs


class Tools:
    class Valves:
        pass

    def __init__(self) -> None:
        self.citation = True
        self.file_handler = False

    def get_weather(self, city: str, days: int = 1, __user__: dict | None = None) -> str:
        """
        Get the current weather for a city.
        :param city: Name of the city
        :param days: Number of days
        :return: The weather
        """
        return city

    async def search(
        self,
        query: str,
        tags: list[str],
        limit: Optional[int] = None,  # noqa: UP045 (Open WebUI tools use both spellings)
        unit: Literal["c", "f"] = "c",
        ratio: float = 0.5,
        exact: bool = False,
        options: dict | None = None,
        anything=None,
    ) -> str:
        """Search things.

        Over several lines.
        """
        return query

    def _private(self) -> None:
        pass

    def untyped(self, value, **kwargs):
        return value


def _specs() -> dict[str, dict]:
    return {spec["name"]: spec for spec in tool_specs(Tools())}


def test_public_methods_only_become_functions():
    assert sorted(_specs()) == ["get_weather", "search", "untyped"]


def test_spec_as_open_webui_builds_it():
    assert _specs()["get_weather"] == {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "Name of the city"},
                "days": {"type": "integer", "default": 1, "description": "Number of days"},
            },
            "required": ["city"],
        },
    }


def test_optional_literal_list_dict_and_untyped():
    spec = _specs()["search"]
    assert spec["description"] == "Search things.\nOver several lines."
    props = spec["parameters"]["properties"]
    assert props["query"] == {"type": "string"}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    # Optional collapses to its type; a None default is not listed.
    assert props["limit"] == {"type": "integer"}
    assert props["unit"] == {"type": "string", "enum": ["c", "f"], "default": "c"}
    assert props["ratio"] == {"type": "number", "default": 0.5}
    assert props["exact"] == {"type": "boolean", "default": False}
    assert props["options"]["type"] == "object"
    assert props["anything"] == {"type": "string"}
    assert spec["parameters"]["required"] == ["query", "tags"]


def test_injected_and_variadic_parameters_are_not_in_the_spec():
    assert "__user__" not in _specs()["get_weather"]["parameters"]["properties"]
    assert _specs()["untyped"]["parameters"] == {
        "type": "object",
        "properties": {"value": {"type": "string"}},
        "required": ["value"],
    }


def test_describe_stops_at_param_lines():
    assert describe(None) == ""
    assert describe("\n  One.\n  Two.\n  :param x: y\n  Three.") == "One.\nTwo."


def test_arguments_coerced_to_the_annotations():
    tools = Tools()
    args = coerce_arguments(tools.get_weather, {"city": 12, "days": "3", "extra": 1, "__user__": {}})
    assert args == {"city": "12", "days": 3}
    # Values that do not convert are passed as given; **kwargs takes unknown names.
    assert coerce_arguments(tools.get_weather, {"city": "x", "days": "many"}) == {"city": "x", "days": "many"}
    assert coerce_arguments(tools.untyped, {"value": 1, "other": 2}) == {"value": 1, "other": 2}
    search = coerce_arguments(tools.search, {"limit": "4", "ratio": "2", "exact": True})
    assert search == {"limit": 4, "ratio": 2.0, "exact": True}
