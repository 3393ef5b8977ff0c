"""A Python tool's methods as OpenAI function specs, from their type hints and docstrings, as Open
WebUI derives them; and the model's arguments coerced back to the annotated types."""

import inspect
import re
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter

_PARAM_LINE = re.compile(r":param\s+(\w+)\s*:\s*(.*)")
_SECTION_LINE = re.compile(r":(param|return)")
_SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean"}


def tool_functions(instance: object) -> dict[str, Callable]:
    """Every public, callable, non-class attribute of a ``Tools`` instance, by name."""
    found: dict[str, Callable] = {}
    for name in dir(instance):
        if name.startswith("_"):
            continue
        try:
            value = getattr(instance, name)
        except Exception:  # a property of user code may raise: not a tool function
            continue
        if callable(value) and not isinstance(value, type):
            found[name] = value
    return found


def describe(docstring: str | None) -> str:
    """The docstring's lines before the first ``:param``/``:return`` line, stripped, blank lines
    dropped (Open WebUI's ``parse_description``)."""
    if not docstring:
        return ""
    lines = []
    for line in docstring.strip().split("\n"):
        line = line.strip()
        if _SECTION_LINE.match(line):
            break
        if line:
            lines.append(line)
    return "\n".join(lines)


def param_descriptions(docstring: str | None) -> dict[str, str]:
    """``:param name: text`` lines, by name."""
    found: dict[str, str] = {}
    for line in (docstring or "").split("\n"):
        match = _PARAM_LINE.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def function_spec(name: str, fn: Callable) -> dict:
    """``{"name", "description", "parameters"}`` of one tool function. Parameters whose names start
    with ``__`` (injected by the server) and ``*args``/``**kwargs`` are left out."""
    docstring = inspect.getdoc(fn) if fn.__doc__ is None else fn.__doc__
    hints = _type_hints(fn)
    described = param_descriptions(docstring)
    properties: dict[str, dict] = {}
    required: list[str] = []
    for parameter in _parameters(fn):
        prop = _schema(hints.get(parameter.name, str))
        if parameter.default is not inspect.Parameter.empty:
            if parameter.default is not None:
                prop["default"] = _jsonable(parameter.default)
        else:
            required.append(parameter.name)
        if parameter.name in described:
            prop["description"] = described[parameter.name]
        properties[parameter.name] = prop
    return {
        "name": name,
        "description": describe(docstring),
        "parameters": {"type": "object", "properties": properties, "required": required},
    }


def tool_specs(instance: object) -> list[dict]:
    """The specs of every tool function of a ``Tools`` instance, by name."""
    return [function_spec(name, fn) for name, fn in tool_functions(instance).items()]


def coerce_arguments(fn: Callable, arguments: dict) -> dict:
    """The model's arguments that the function names (``**kwargs`` takes all but injected ones),
    with str/int values turned into the annotated int/float/str type where that works."""
    hints = _type_hints(fn)
    named = {p.name: p for p in _parameters(fn)}
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in _signature_parameters(fn))
    coerced: dict = {}
    for key, value in arguments.items():
        if not isinstance(key, str) or key.startswith("__"):
            continue
        if key not in named and not takes_all:
            continue
        coerced[key] = _coerce(_unwrap_optional(hints.get(key)), value)
    return coerced


def _coerce(annotation: object, value: object) -> object:
    if isinstance(value, bool):
        return value
    try:
        if annotation is int and isinstance(value, str):
            return int(value.strip())
        if annotation is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if annotation is float and isinstance(value, (str, int)):
            return float(value)
        if annotation is str and isinstance(value, (int, float)):
            return str(value)
    except ValueError:
        pass
    return value


def _signature_parameters(fn: Callable) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []


def _parameters(fn: Callable) -> list[inspect.Parameter]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [
        p
        for p in _signature_parameters(fn)
        if p.kind in kinds and not p.name.startswith("__") and p.name != "self"
    ]


def _type_hints(fn: Callable) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # unresolvable postponed annotations of user code: fall back to raw ones
        return dict(getattr(fn, "__annotations__", {}) or {})


def _unwrap_optional(annotation: object) -> object:
    """``Optional[X]`` / ``X | None`` → X; anything else as is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        others = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(others) == 1:
            return others[0]
    return annotation


def _schema(annotation: object) -> dict:
    """The JSON schema of one parameter's type, titles removed, ``Optional`` collapsed."""
    annotation = _unwrap_optional(annotation)
    if annotation is inspect.Parameter.empty or annotation is Any:
        return {"type": "string"}
    if annotation in _SIMPLE:
        return {"type": _SIMPLE[annotation]}
    if typing.get_origin(annotation) is typing.Literal:
        values = list(typing.get_args(annotation))
        kinds = {_SIMPLE.get(type(v)) for v in values}
        schema: dict = {"type": kinds.pop()} if len(kinds) == 1 and None not in kinds else {}
        schema["enum"] = values
        return schema
    try:
        schema = TypeAdapter(annotation).json_schema()
    except Exception:  # a type pydantic cannot describe: the model sends text
        return {"type": "string"}
    return _clean(schema)


def _clean(schema: object) -> Any:
    """Without pydantic's ``title`` keys, with ``anyOf: [X, null]`` collapsed to X."""
    if isinstance(schema, list):
        return [_clean(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    any_of = schema.get("anyOf")
    if isinstance(any_of, list):
        others = [s for s in any_of if s != {"type": "null"}]
        if len(others) == 1 and len(others) < len(any_of):
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default") or v is not None}
            rest.pop("anyOf")
            return _clean({**others[0], **rest})
    # A string ``title`` is pydantic's; a property named "title" has a schema (a dict) as value.
    return {
        key: _clean(value) for key, value in schema.items() if not (key == "title" and isinstance(value, str))
    }


def _jsonable(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
